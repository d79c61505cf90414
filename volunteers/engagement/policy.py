"""The rules of this domain in one place: whether a person meets the centre's Ehrenamtskarte
criteria (and what is missing), and which periods a certificate may cover. The page, the API, the
coordinators' list and the PDFs all ask these functions."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from ..centres.models import Centre
from ..core.errors import DomainError
from ..core.limits import FIRST_DAY
from ..core.time import years_before

DAYS_PER_YEAR = 365.25
# "Close" on the coordinators' list: at least three quarters of the hours and of the duration.
CLOSE_SHARE = 0.75
MAX_CERTIFICATE_YEARS = 10


class EngagementError(DomainError):
    status = 422


@dataclass(frozen=True)
class Criteria:
    hours_per_year: int
    hours_per_week: int
    min_years: int

    @classmethod
    def of(cls, centre: Centre) -> "Criteria":
        return cls(
            centre.ehrenamtskarte_hours_per_year, centre.ehrenamtskarte_hours_per_week, centre.ehrenamtskarte_min_years
        )


def anniversary(day: date, years: int) -> date:
    """The day on which `years` years since `day` are complete: from 29 February, 1 March of a year
    without one (those years end with 28 February, § 188 (3) BGB). Reached on `today` exactly when
    `day <= years_before(today, years)`."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def last_twelve_months(today: date) -> tuple[date, date]:
    """The window the Ehrenamtskarte looks at: the 12 months up to and including today."""
    return years_before(today, 1) + timedelta(days=1), today


@dataclass(frozen=True)
class Progress:
    criteria: Criteria
    minutes_last_year: int
    weekly_minutes: int  # on average over the weeks of the window the person was engaged in
    first_day: date | None  # of their first approved hours in the centre
    today: date

    @property
    def years_engaged(self) -> float:
        """Rounded down to a tenth: 1.96 years is 1.9, never "2"."""
        if self.first_day is None:
            return 0.0
        # Whole calendar years first, as meets_duration counts them; then the days of the year begun.
        whole = 0
        while anniversary(self.first_day, whole + 1) <= self.today:
            whole += 1
        tenths = int((self.today - anniversary(self.first_day, whole)).days / DAYS_PER_YEAR * 10)
        return whole + tenths / 10

    @property
    def duration_reached_on(self) -> date | None:
        return anniversary(self.first_day, self.criteria.min_years) if self.first_day else None

    @property
    def meets_duration(self) -> bool:
        return self.first_day is not None and self.duration_reached_on <= self.today

    @property
    def meets_yearly_hours(self) -> bool:
        return self.minutes_last_year >= self.criteria.hours_per_year * 60

    @property
    def meets_weekly_hours(self) -> bool:
        return self.first_day is not None and self.weekly_minutes >= self.criteria.hours_per_week * 60

    @property
    def meets_hours(self) -> bool:
        return self.meets_yearly_hours or self.meets_weekly_hours

    @property
    def is_met(self) -> bool:
        return self.meets_hours and self.meets_duration

    @property
    def missing_minutes(self) -> int:
        """Hours still needed in the last 12 months (0 when the weekly average already counts)."""
        return 0 if self.meets_hours else self.criteria.hours_per_year * 60 - self.minutes_last_year

    @property
    def hours_share(self) -> float:
        yearly = self.minutes_last_year / (self.criteria.hours_per_year * 60) if self.criteria.hours_per_year else 1
        weekly = self.weekly_minutes / (self.criteria.hours_per_week * 60) if self.criteria.hours_per_week else 1
        return min(max(yearly, weekly), 1.0)

    @property
    def duration_share(self) -> float:
        if not self.criteria.min_years:
            return 1.0
        return min(self.years_engaged / self.criteria.min_years, 1.0)

    @property
    def is_close(self) -> bool:
        return not self.is_met and min(self.hours_share, self.duration_share) >= CLOSE_SHARE


def ehrenamtskarte_progress(
    *, criteria: Criteria, minutes_last_year: int, first_day: date | None, today: date
) -> Progress:
    """How far a person is: the weekly average runs over the weeks of the last 12 months since
    their first approved hours (someone who started in March is not averaged over a whole year)."""
    start, _end = last_twelve_months(today)
    since = max(start, first_day) if first_day else start
    weeks = max((today - since).days + 1, 7) / 7
    return Progress(criteria, minutes_last_year, round(minutes_last_year / weeks), first_day, today)


def check_certificate_period(*, start: date, end: date, today: date) -> None:
    """A certificate covers days that have passed, in order, at most ten years."""
    if start > end:
        raise EngagementError(_("Der Zeitraum beginnt nach seinem Ende."), code="invalid_period", field="from")
    if end > today:
        raise EngagementError(_("Der Zeitraum darf nicht in der Zukunft enden."), code="future_period", field="to")
    if start < max(FIRST_DAY, years_before(end, MAX_CERTIFICATE_YEARS)):
        raise EngagementError(
            _("Ein Nachweis umfasst höchstens %(years)d Jahre.", years=MAX_CERTIFICATE_YEARS),
            code="invalid_period",
            field="from",
        )


def check_has_hours(total_minutes: int) -> None:
    if total_minutes <= 0:
        raise EngagementError(
            _("In diesem Zeitraum gibt es keine freigegebenen Stunden."), code="no_hours", field="from"
        )


# What a centre may set: up to every hour of a year, up to a working week, up to ten years.
CRITERIA_LIMITS = {"hours_per_year": (1, 8760), "hours_per_week": (1, 168), "min_years": (0, 10)}


def check_criteria(**values: int) -> None:
    for name, value in values.items():
        low, high = CRITERIA_LIMITS[name]
        if not low <= value <= high:
            raise EngagementError(
                _("Bitte eine Zahl von %(min)d bis %(max)d angeben.", min=low, max=high),
                code="invalid_settings",
                field=f"ehrenamtskarte_{name}",
            )

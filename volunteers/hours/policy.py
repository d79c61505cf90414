"""Whether an action on hours may happen now, and why not: one function per action, like ephios'
sign-up checkers. Each returns the reasons against it as coded domain errors, the most basic first;
an empty list means the action may happen. The services lock the rows, ask and raise the first
reason; the pages and the API ask the same functions to decide what to offer. What a person types
(a duration, a note) is checked by the services, at the field."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from ..accounts.models import LEAD, STAFF_ROLES, User
from ..centres.models import Centre
from ..core import time
from ..extensions import db
from ..shifts.models import CONFIRMED, NO_SHOW, Shift, Signup
from .errors import HoursError, NotAllowed, PeriodError
from .models import APPROVED, CLOSED, REJECTED, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry, ReportPeriod

DEFAULT_MAX_DAYS_BACK = 90


# --- the centre's report periods ------------------------------------------------------------


@dataclass(frozen=True)
class PeriodCalendar:
    """A centre's report periods, read once, for many questions about days."""

    periods: tuple[ReportPeriod, ...]

    def closed_on(self, day: date) -> ReportPeriod | None:
        return next((p for p in self.periods if p.is_closed and p.starts_on <= day <= p.ends_on), None)

    @property
    def open_since(self) -> date | None:
        """The first day hours may still be dated: the start of the oldest open period; without
        an open one, the day after the last closed one; None for a centre without periods."""
        open_starts = [p.starts_on for p in self.periods if not p.is_closed]
        if open_starts:
            return min(open_starts)
        closed_ends = [p.ends_on for p in self.periods if p.is_closed]
        return max(closed_ends) + timedelta(days=1) if closed_ends else None


def calendar_of(centre_id: int) -> PeriodCalendar:
    """The centre's periods as they are now (read again, also when loaded before a lock)."""
    periods = db.session.scalars(
        sa.select(ReportPeriod)
        .where(ReportPeriod.centre_id == centre_id)
        .order_by(ReportPeriod.starts_on)
        .execution_options(populate_existing=True)
    )
    return PeriodCalendar(tuple(periods))


def _today() -> date:
    return time.to_berlin(time.now()).date()


def earliest_day(periods: PeriodCalendar) -> tuple[date, str]:
    """The first day hours may be dated on now, and the code of the rule that sets it."""
    days_back = current_app.config.get("HOURS_MAX_DAYS_BACK", DEFAULT_MAX_DAYS_BACK)
    by_days = _today() - timedelta(days=days_back)
    open_since = periods.open_since
    if open_since is not None and open_since > by_days:
        return open_since, "before_open_period"
    return by_days, "too_old"


# --- who is asking -----------------------------------------------------------------------


def _role(person: User, centre_id: int) -> str | None:
    return next((m.role for m in person.memberships if m.centre_id == centre_id), None)


def _is_staff(person: User, centre_id: int) -> bool:
    return _role(person, centre_id) in STAFF_ROLES


def _not_staff(centre_id: int, by: User) -> list[HoursError]:
    if _is_staff(by, centre_id):
        return []
    return [NotAllowed(_("Das dürfen nur Koordination und Leitung des Zentrums."), code="not_staff")]


def _own_volunteer_hours(entry: HoursEntry, by: User) -> bool:
    # Staff log their staff hours themselves; their volunteer hours are checked by someone else.
    return entry.user_id == by.id and entry.kind == VOLUNTEER_HOURS


def _closed(period: ReportPeriod, by: User) -> PeriodError:
    """A closed period's message; it says what the reader can do about it."""
    if _is_staff(by, period.centre_id):
        message = _(
            "Der Zeitraum „%(label)s“ ist abgeschlossen. Änderungen bitte als Korrektur im offenen Zeitraum buchen.",
            label=period.label,
        )
    else:
        message = _(
            "Der Zeitraum „%(label)s“ ist abgeschlossen: Dafür können Sie keine Stunden mehr eintragen. "
            "Fehlen Ihnen dort Stunden, sprechen Sie bitte die Koordination Ihres Zentrums an.",
            label=period.label,
        )
    return PeriodError(message, code="period_closed", field="work_date")


def _frozen(centre_id: int, day: date, by: User, periods: PeriodCalendar | None) -> list[HoursError]:
    period = (periods or calendar_of(centre_id)).closed_on(day)
    return [_closed(period, by)] if period is not None else []


# --- logging -------------------------------------------------------------------------------


def day_blockers(centre_id: int, day: date, *, by: User, periods: PeriodCalendar | None = None) -> list[HoursError]:
    """Whether hours may be dated on `day` now: not in the future, not in a closed period, not
    before the oldest open period and not more than HOURS_MAX_DAYS_BACK days back."""
    periods = periods or calendar_of(centre_id)
    if day > _today():
        return [HoursError(_("Das Datum liegt in der Zukunft."), code="future_date", field="work_date")]
    if frozen := _frozen(centre_id, day, by, periods):
        return frozen
    earliest, code = earliest_day(periods)
    if day >= earliest:
        return []
    if _is_staff(by, centre_id):
        message = _("Stunden lassen sich nur ab dem %(day)s eintragen.", day=format_date(earliest))
    else:
        message = _(
            "Stunden lassen sich nur ab dem %(day)s eintragen. Fehlen Ihnen frühere Stunden, sprechen Sie "
            "bitte die Koordination Ihres Zentrums an.",
            day=format_date(earliest),
        )
    return [HoursError(message, code=code, field="work_date")]


def shift_blockers(
    *, centre: Centre, person: User, shift: Shift, day: date, replacing: HoursEntry | None = None
) -> list[HoursError]:
    """Whether hours of `day` may count for `shift`: the person was there, and has no entry for it
    yet (a rejected one included: the coordination decided, and one tap must not undo that)."""
    signup = db.session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == person.id))
    attended = (
        shift.centre_id == centre.id
        and signup is not None
        and signup.status == CONFIRMED
        and signup.attendance != NO_SHOW
        and shift.starts_at <= time.now()
    )
    if not attended:
        message = _("Für diese Schicht können Sie keine Stunden eintragen: Sie waren nicht (bestätigt) dabei.")
        return [HoursError(message, code="not_attended", field="shift_id")]
    if time.to_berlin(shift.starts_at).date() != day:
        return [HoursError(_("Das Datum passt nicht zur Schicht."), code="date_mismatch", field="work_date")]
    earlier = sa.select(HoursEntry.status).where(HoursEntry.user_id == person.id, HoursEntry.shift_id == shift.id)
    if replacing is not None:
        earlier = earlier.where(HoursEntry.id != replacing.id)
    statuses = set(db.session.scalars(earlier))
    if statuses - {REJECTED}:
        return [
            HoursError(_("Für diese Schicht sind schon Stunden eingetragen."), code="already_logged", field="shift_id")
        ]
    if statuses:
        message = _(
            "Ihre Stunden für diese Schicht wurden abgelehnt. Bitte sprechen Sie die Koordination an, wenn das "
            "nicht stimmt."
        )
        return [HoursError(message, code="rejected_before", field="shift_id")]
    return []


def proposed_minutes(signup: Signup) -> tuple[int, bool]:
    """The duration proposed for an attended shift, and whether it comes from check-in and out."""
    if signup.checked_in_at and signup.checked_out_at and signup.checked_out_at > signup.checked_in_at:
        minutes = (signup.checked_out_at - signup.checked_in_at).total_seconds() / 60
        return max(5, int(round(minutes / 5) * 5)), True  # to five minutes, as people report time
    return signup.shift.duration_minutes, False


def deviation_blockers(*, person: User, shift: Shift, minutes: int, note: str) -> list[HoursError]:
    """Hours for a shift that differ from what was proposed need a reason (in the note), from the
    page's proposal and from the API alike: the coordination reviews the difference."""
    signup = db.session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == person.id))
    if signup is None or minutes == proposed_minutes(signup)[0] or note.strip():
        return []
    message = _("Bitte begründen Sie kurz, warum die Dauer abweicht.")
    return [HoursError(message, code="reason_required", field="note")]


def log_blockers(
    *,
    centre: Centre,
    person: User,
    day: date,
    kind: str = VOLUNTEER_HOURS,
    shift: Shift | None = None,
    by: User | None = None,
    periods: PeriodCalendar | None = None,
) -> list[HoursError]:
    """Whether `person` may log hours of `day` in `centre` now (for `shift`, if given)."""
    role = _role(person, centre.id)
    if role is None or (kind == STAFF_HOURS and role not in STAFF_ROLES):
        return [HoursError(_("Sie gehören nicht zu diesem Zentrum."), code="not_member")]
    blockers = day_blockers(centre.id, day, by=by or person, periods=periods)
    if shift is not None and not blockers:
        blockers = shift_blockers(centre=centre, person=person, shift=shift, day=day)
    return blockers


# --- review, edit, correction ----------------------------------------------------------------


def review_blockers(entry: HoursEntry, *, by: User, periods: PeriodCalendar | None = None) -> list[HoursError]:
    """Whether `by` may approve or reject the entry now."""
    if denied := _not_staff(entry.centre_id, by):
        return denied
    blockers = []
    if entry.user_id == by.id:
        blockers.append(HoursError(_("Eigene Stunden können Sie nicht selbst freigeben."), code="own_entry"))
    if entry.status != SUBMITTED:
        blockers.append(HoursError(_("Dieser Eintrag ist schon entschieden."), code="not_submitted"))
    return blockers + _frozen(entry.centre_id, entry.work_date, by, periods)


def edit_blockers(entry: HoursEntry, *, by: User, periods: PeriodCalendar | None = None) -> list[HoursError]:
    """Whether `by` may change the entry in place now."""
    if denied := _not_staff(entry.centre_id, by):
        return denied
    blockers = []
    if entry.is_correction:
        message = _("Korrekturbuchungen werden nicht geändert; bitte eine neue Korrektur buchen.")
        blockers.append(HoursError(message, code="is_correction"))
    if entry.status == REJECTED:
        message = _("Abgelehnte Einträge werden nicht geändert; bitte einen neuen Eintrag anlegen.")
        blockers.append(HoursError(message, code="rejected"))
    if _own_volunteer_hours(entry, by):
        blockers.append(HoursError(_("Eigene Stunden ändert eine andere Person aus dem Team."), code="own_entry"))
    return blockers + _frozen(entry.centre_id, entry.work_date, by, periods)


def correction_blockers(entry: HoursEntry, *, by: User, periods: PeriodCalendar | None = None) -> list[HoursError]:
    """Whether `by` may book a correction of the entry now: an approved entry of a closed period,
    corrected with today's date in the open period."""
    if denied := _not_staff(entry.centre_id, by):
        return denied
    periods = periods or calendar_of(entry.centre_id)
    blockers = []
    if entry.is_correction or entry.status != APPROVED:
        message = _("Korrigiert werden nur freigegebene Einträge, keine Korrekturen.")
        blockers.append(HoursError(message, code="not_correctable"))
    if _own_volunteer_hours(entry, by):
        blockers.append(HoursError(_("Eigene Stunden korrigiert eine andere Person aus dem Team."), code="own_entry"))
    if periods.closed_on(entry.work_date) is None:
        message = _("Der Eintrag liegt in einem offenen Zeitraum; bitte ändern Sie ihn direkt.")
        blockers.append(HoursError(message, code="period_open"))
    return blockers + _frozen(entry.centre_id, _today(), by, periods)


# --- closing a period ------------------------------------------------------------------------


def close_blockers(period: ReportPeriod, *, by: User) -> list[PeriodError]:
    """Whether `by` may close the period now: its lead, after its last day, all its hours decided."""
    if _role(by, period.centre_id) != LEAD:
        return [NotAllowed(_("Einen Zeitraum schließt die Leitung des Zentrums ab."), code="not_lead")]
    if period.status == CLOSED:
        return [PeriodError(_("Der Zeitraum ist schon abgeschlossen."), code="already_closed")]
    if period.ends_on >= _today():
        message = _("Ein Zeitraum kann erst nach seinem letzten Tag abgeschlossen werden.")
        return [PeriodError(message, code="not_over")]
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HoursEntry)
        .where(
            HoursEntry.centre_id == period.centre_id,
            HoursEntry.status == SUBMITTED,
            HoursEntry.work_date.between(period.starts_on, period.ends_on),
        )
    )
    if waiting:
        message = ngettext(
            "Es wartet noch %(num)d Eintrag auf Freigabe.", "Es warten noch %(num)d Einträge auf Freigabe.", waiting
        )
        return [PeriodError(message, code="entries_pending")]
    return []


def raise_first(blockers: list) -> None:
    """Raise the first reason against an action, if there is one."""
    if blockers:
        raise blockers[0]

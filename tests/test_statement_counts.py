"""No N+1 on the hot pages: the SQL statements of a request do not grow with the rows it shows.

Each test counts the statements of one request (after a warm-up request, so that first-request
caches do not count) in a small world, adds clearly more of what the page shows, counts again and
expects the same number. The bounds are the measured counts plus a little room, so that a new
query on a page shows up too."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, csrf_token, statements_of
from volunteers.accounts.models import COORDINATOR, LEAD, STATE, VOLUNTEER
from volunteers.activities.services import add_centre_activity
from volunteers.centres.models import LANGUAGE_CODES, REGIERUNGSBEZIRKE
from volunteers.core import time
from volunteers.extensions import db
from volunteers.feeds.cache import body_cache
from volunteers.feeds.models import PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token
from volunteers.feeds.views import MAX_AGE
from volunteers.hours.models import STAFF_HOURS
from volunteers.hours.periods import create_period
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.reports.kept import kept_bodies, kept_figures
from volunteers.shifts.listing import kept_cards
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import record_attendance, sign_up
from volunteers.shifts.week_plan import kept_weeks

pytestmark = pytest.mark.slow  # make test, not make check

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))  # a Monday: the week plan shows 2 to 8 November
SIGNED_UP_AT = time.berlin_local(datetime(2026, 10, 1, 9, 0))  # for the shifts that are past by NOW
GROWTH = 3  # batches of rows the big world adds to the small world's one (the dates fit four in all)


frozen_clock = clock_frozen_at(NOW)


def at(month: int, day: int, hour: int) -> datetime:
    return time.berlin_local(datetime(2026, month, day, hour, 0))


def counted(client, method: str, url: str, **kwargs):
    """The response to one request and the SQL statements it ran, without transaction control."""
    responses = []
    seen = statements_of(lambda: responses.append(client.open(url, method=method, **kwargs)))
    return responses[0], seen


class World:
    """A centre with its volunteer, coordinator and lead. Each batch (`grow`) adds what their pages
    show: a meeting point, an activity and a report period of the centre's own, two more
    volunteers, three shifts this week (one at the first meeting point, so that its filter grows
    too) with sign-ups of three people and a waitlist, a draft, two past shifts with attendance,
    and approved volunteer and staff hours."""

    def __init__(self, make_centre, make_meeting_point, make_user, make_shift):
        self.make_centre = make_centre
        self.make_meeting_point, self.make_user, self.make_shift = make_meeting_point, make_user, make_shift
        self.centre = make_centre("zaehlzentrum")
        self.places = [make_meeting_point(self.centre, name="Treffpunkt Altstadt")]
        self.volunteer = make_user(VOLUNTEER, self.centre, name="Amal Haddad")
        self.coordinator = make_user(COORDINATOR, self.centre)
        self.lead = make_user(LEAD, self.centre)
        regenerate_token(kind=PERSONAL, user_id=self.volunteer.id)
        db.session.commit()
        self.feed_url = f"/calendar/u/{feed_token(kind=PERSONAL, user_id=self.volunteer.id)}.ics"
        self.batches = 0

    def grow(self, batches: int = 1) -> None:
        for _ in range(batches):
            self._add_batch(self.batches)
            self.batches += 1
            db.session.commit()

    def _add_batch(self, n: int) -> None:
        place = self.make_meeting_point(self.centre, name=f"Treffpunkt {n}", languages=["de", LANGUAGE_CODES[n + 1]])
        self.places.append(place)
        own = add_centre_activity(centre=self.centre, name=f"Fahrradwerkstatt {n}", baustein="C").slug
        create_period(
            centre=self.centre,
            label=f"Quartal {n + 1}/2025",
            starts_on=date(2025, 3 * n + 1, 1),
            ends_on=date(2025, 3 * n + 3, 28),
        )
        others = [self.make_user(VOLUNTEER, self.centre) for _ in range(2)]
        self._shifts_this_week(n, place, own, others)
        for k, where in enumerate((self.places[0], place)):
            self._past_shift(where, own, at(10, 5 + 4 * n + k, 16), [self.volunteer, *others])
            for person in (self.volunteer, *others):
                self._approved_hours(person, date(2026, 10, 5 + 4 * n + k), own if k else "sprachcafe", where)
        log_hours(
            centre=self.centre,
            person=self.coordinator,
            kind=STAFF_HOURS,
            values=HoursInput(
                work_date=date(2026, 10, 5 + 4 * n), minutes=120, activity="sonstiges", meeting_point=place
            ),
        )

    def add_centre(self, n: int, regierungsbezirk: str) -> None:
        """Another centre with what the state report counts: a past shift with attendance,
        approved hours of its volunteers, staff hours of its coordinator."""
        centre = self.make_centre(f"weitere-{n}", regierungsbezirk=regierungsbezirk)
        place = self.make_meeting_point(centre)
        people = [self.make_user(VOLUNTEER, centre) for _ in range(2)]
        coordinator = self.make_user(COORDINATOR, centre)
        self._past_shift(place, "sprachcafe", at(10, 6 + n, 16), people)
        for person in people:
            self._approved_hours(person, date(2026, 10, 6 + n), "sprachcafe", place, by=coordinator)
        log_hours(
            centre=centre,
            person=coordinator,
            kind=STAFF_HOURS,
            values=HoursInput(work_date=date(2026, 10, 6 + n), minutes=60, activity="sonstiges", meeting_point=place),
        )
        db.session.commit()

    def _shifts_this_week(self, n: int, place, own: str, others) -> None:
        # The volunteer's own shifts must not overlap: each batch has its own hour of the day.
        spread = [(self.places[0], own), (place, "sprachcafe"), (place, "kinderbetreuung")]
        for k, (where, activity) in enumerate(spread):
            shift = self.make_shift(
                where,
                starts=at(11, 3 + k, 8 + 3 * n),
                activity=activity,
                capacity_max=2,
                languages=[LANGUAGE_CODES[(n + k) % len(LANGUAGE_CODES)]],
            )
            for person in ([self.volunteer] if k < 2 else []) + others:  # the last one on the waitlist
                sign_up(shift=shift, volunteer=person)
        self.make_shift(place, starts=at(11, 6, 8 + 3 * n), publish=False)

    def _past_shift(self, where, activity: str, starts: datetime, people) -> None:
        with time.freeze(SIGNED_UP_AT):
            shift = self.make_shift(where, starts=starts, activity=activity, capacity_max=len(people))
            signups = [sign_up(shift=shift, volunteer=person) for person in people]
        record_attendance(shift=shift, marks={s.id: "attended" for s in signups}, participants_count=12)

    def _approved_hours(self, person, day: date, activity: str, where, by=None) -> None:
        entry, _created = log_hours(
            centre=where.centre,
            person=person,
            values=HoursInput(work_date=day, minutes=90, activity=activity, meeting_point=where),
        )
        approve(entry=entry, by=by or self.coordinator)


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    world = World(make_centre, make_meeting_point, make_user, make_shift)
    world.grow()
    return world


def forget_kept() -> None:
    """Empty what pages keep between requests (report figures, rendered grids), so that a count
    is of the page computed."""
    kept_figures().clear()
    kept_bodies().clear()
    kept_weeks().clear()
    kept_cards().clear()


@pytest.mark.parametrize(
    "who, url, row, bound",
    [
        pytest.param("volunteer", "/shifts", 'class="card shift-card"', 8, id="open-shifts"),
        pytest.param(
            "volunteer",
            "/shifts?meeting_point={place}",
            'class="card shift-card"',
            8,
            id="open-shifts-at-one-meeting-point",
        ),
        pytest.param("volunteer", "/my/shifts", '<li class="card">', 8, id="my-shifts"),
        pytest.param("coordinator", "/centres/{centre}/plan", '<li class="plan-shift', 11, id="week-plan"),
        pytest.param("lead", "/reports/centre/{centre}", "Fahrradwerkstatt", 15, id="centre-report"),
    ],
)
def test_a_page_runs_as_many_statements_for_many_rows_as_for_few(client, login, world, who, url, row, bound):
    """Grows: shifts (at more meeting points, in more languages and activities), sign-ups of more
    people per shift, past shifts, approved hours, meeting points, activities, report periods.
    `row` marks one row of what the page shows, to see that it shows more."""
    login(user=getattr(world, who))
    url = url.format(centre=world.centre.slug, place=world.places[0].slug)
    client.get(url)  # warm-up

    def rows_and_statements() -> tuple[int, list[str]]:
        forget_kept()  # both counts computed: the kept ones are tests/reports/test_kept_figures.py and the like
        response, seen = counted(client, "GET", url)
        assert response.status_code == 200
        return response.get_data(as_text=True).count(row), seen

    few_rows, few = rows_and_statements()
    world.grow(GROWTH)
    many_rows, many = rows_and_statements()
    assert many_rows >= 2 * few_rows > 0
    assert len(many) == len(few) <= bound, "\n".join(many)


def test_signing_up_runs_as_many_statements_beside_many_sign_ups_as_beside_few(client, login, world):
    """Grows: the volunteer's other sign-ups, other people's sign-ups and shifts; each time the
    volunteer signs up for a fresh shift with room."""
    login(user=world.volunteer)
    token = csrf_token(client)

    def sign_up_for_a_fresh_shift(day: int) -> list[str]:
        shift_id = world.make_shift(world.places[0], starts=at(11, day, 10)).id
        response, seen = counted(client, "POST", f"/shifts/{shift_id}/signup", data={"csrf_token": token})
        assert response.status_code == 302
        assert (
            db.session.scalar(
                sa.select(Signup.status).where(Signup.shift_id == shift_id, Signup.user_id == world.volunteer.id)
            )
            == "confirmed"
        )
        return seen

    sign_up_for_a_fresh_shift(20)  # warm-up
    few = sign_up_for_a_fresh_shift(21)
    world.grow(GROWTH)
    many = sign_up_for_a_fresh_shift(22)
    assert len(many) == len(few) <= 22, "\n".join(many)


def test_the_personal_feed_runs_as_many_statements_for_many_shifts_as_for_few(client, world):
    """Grows: the volunteer's upcoming and past sign-ups, at more meeting points and activities.
    Counted: a full render (with the cache of rendered bodies emptied) and a 304."""
    client.get(world.feed_url)  # warm-up

    def events_and_statements() -> tuple[int, list[str], list[str]]:
        body_cache(MAX_AGE).clear()
        full, rendered = counted(client, "GET", world.feed_url)
        same, revalidated = counted(client, "GET", world.feed_url, headers={"If-None-Match": full.headers["ETag"]})
        assert (full.status_code, same.status_code) == (200, 304)
        return full.get_data().count(b"BEGIN:VEVENT"), rendered, revalidated

    few_events, few_rendered, few_revalidated = events_and_statements()
    world.grow(GROWTH)
    many_events, many_rendered, many_revalidated = events_and_statements()
    assert many_events >= 2 * few_events > 0
    assert len(many_rendered) == len(few_rendered) <= 4, "\n".join(many_rendered)
    assert len(many_revalidated) == len(few_revalidated) == 1


def test_the_state_report_runs_as_many_statements_for_many_centres_as_for_few(client, login, world, make_user):
    """Grows: centres (in every Regierungsbezirk), each with a meeting point, volunteers, a past
    shift with attendance, approved volunteer hours and staff hours. The report's figures are
    grouped by centre in one query each, so the count must not follow the number of centres (it
    was six aggregates per centre, Regierungsbezirk and NRW: 363 statements for 54 centres)."""
    login(user=make_user(STATE))
    client.get("/reports/state")  # warm-up
    row = '<th scope="row">– <a href="/reports/centre/'

    def rows_and_statements() -> tuple[int, list[str]]:
        kept_figures().clear()
        response, seen = counted(client, "GET", "/reports/state")
        assert response.status_code == 200
        return response.get_data(as_text=True).count(row), seen

    few_rows, few = rows_and_statements()
    for n, region in enumerate(REGIERUNGSBEZIRKE * 2):
        world.add_centre(n, region)
    many_rows, many = rows_and_statements()
    assert many_rows >= 5 * few_rows > 0
    assert len(many) == len(few) <= 13, "\n".join(many)  # 12, and the stamps read after computing

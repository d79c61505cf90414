"""A volunteer's pages offer signing up (and withdrawing) exactly when the service takes it: for
every state of a shift (open, full, started, cancelled; needing a certificate the volunteer has or
lacks; overlapping another of the volunteer's shifts; already signed up; in a centre the volunteer
does not belong to), the shift's page and the open-shift list are rendered, what they offer is read
off them, and then the service is tried: offered ⇔ accepted (confirmed or waitlisted)."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at
from volunteers.accounts.models import User
from volunteers.core import time
from volunteers.core.errors import DomainError
from volunteers.extensions import db
from volunteers.shifts.models import CONFIRMED, WAITLISTED, Shift, Signup
from volunteers.shifts.planning import cancel_shift
from volunteers.shifts.signups import cancel_signup, sign_up

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))
TOMORROW_AT_FOUR = time.berlin_local(datetime(2026, 11, 3, 16, 0))


frozen_clock = clock_frozen_at(NOW)


def started(shift: Shift) -> None:
    """Moved to half an hour ago past the services, which plan no shift in the past."""
    shift.starts_at, shift.ends_at = NOW - timedelta(minutes=30), NOW + timedelta(minutes=90)


# Each state: how to set it up (the shift, the volunteer and the helpers above), and whether the
# service signs the volunteer up (with which status) and lets an existing sign-up be withdrawn.
def open_shift(shift, volunteer, **_):
    pass


def full_shift(shift, volunteer, make_user, **_):
    sign_up(shift=shift, volunteer=make_user("volunteer", shift.centre))


def started_shift(shift, volunteer, **_):
    started(shift)


def cancelled_shift(shift, volunteer, **_):
    cancel_shift(shift=shift, reason="Der Raum ist nicht verfügbar")


def overlapping_sign_up(shift, volunteer, make_shift, make_meeting_point, **_):
    other = make_shift(make_meeting_point(shift.centre), starts=shift.starts_at + timedelta(hours=1))
    sign_up(shift=other, volunteer=volunteer)


def back_to_back_sign_up(shift, volunteer, make_shift, make_meeting_point, **_):
    other = make_shift(make_meeting_point(shift.centre), starts=shift.ends_at)
    sign_up(shift=other, volunteer=volunteer)


def certificate_missing(shift, volunteer, **_):
    shift.requires_police_certificate = True


def certificate_present(shift, volunteer, **_):
    shift.requires_police_certificate = True
    volunteer.membership_in(shift.centre).certificate_verified_on = NOW.date() - timedelta(days=30)


def certificate_too_old(shift, volunteer, **_):
    shift.requires_police_certificate = True
    volunteer.membership_in(shift.centre).certificate_verified_on = NOW.date() - timedelta(days=6 * 365)


def already_signed_up(shift, volunteer, **_):
    sign_up(shift=shift, volunteer=volunteer)


def waitlisted_already(shift, volunteer, make_user, **_):
    sign_up(shift=shift, volunteer=make_user("volunteer", shift.centre))
    sign_up(shift=shift, volunteer=volunteer)


def signed_up_and_started(shift, volunteer, **_):
    sign_up(shift=shift, volunteer=volunteer)
    started(shift)


def signed_up_then_withdrawn(shift, volunteer, **_):
    cancel_signup(signup=sign_up(shift=shift, volunteer=volunteer))


def signed_up_and_cancelled(shift, volunteer, **_):
    sign_up(shift=shift, volunteer=volunteer)
    cancel_shift(shift=shift, reason="Der Raum ist nicht verfügbar")


# state: (setup, what sign_up answers: a status or None for refused)
STATES = {
    "open": (open_shift, CONFIRMED),
    "full": (full_shift, WAITLISTED),
    "started": (started_shift, None),
    "cancelled": (cancelled_shift, None),
    "overlapping sign-up": (overlapping_sign_up, None),
    "back-to-back sign-up": (back_to_back_sign_up, CONFIRMED),
    "certificate missing": (certificate_missing, None),
    "certificate present": (certificate_present, CONFIRMED),
    "certificate too old": (certificate_too_old, None),
    "already signed up": (already_signed_up, None),
    "already on the waitlist": (waitlisted_already, None),
    "signed up, shift started": (signed_up_and_started, None),
    "signed up, then withdrawn": (signed_up_then_withdrawn, CONFIRMED),
    "signed up, shift cancelled": (signed_up_and_cancelled, None),
    "not a member": (open_shift, None),
}


@pytest.fixture
def world(request, make_centre, make_meeting_point, make_shift, make_user):
    setup, _expected = STATES[request.param]
    centre = make_centre("hsk")
    volunteer = make_user("volunteer", centre, name="Kateryna Bondar")
    where = make_meeting_point(make_centre() if request.param == "not a member" else centre)
    shift = make_shift(where, starts=TOMORROW_AT_FOUR, capacity_max=1)
    helpers = {"make_user": make_user, "make_shift": make_shift, "make_meeting_point": make_meeting_point}
    setup(shift, volunteer, **helpers)
    db.session.commit()
    return shift.id, volunteer.id


# --- what the pages offer ----------------------------------------------------------------------


def offered_in_list(client, shift_id: int) -> set[str] | None:
    """What the open-shift list offers for the shift; None if it does not list it."""
    page = client.get("/shifts").get_data(as_text=True)
    if f'href="/shifts/{shift_id}"' not in page:
        return None
    return offered_in(page, shift_id)


def offered_in(page: str, shift_id: int) -> set[str]:
    actions = {"sign_up": f'action="/shifts/{shift_id}/signup"', "cancel": f'action="/shifts/{shift_id}/cancel"'}
    return {action for action, form in actions.items() if form in page}


# --- what the services accept ------------------------------------------------------------------


def tried(action: str, shift_id: int, volunteer_id: int) -> tuple[str | None, str | None]:
    """What the service answers (tried, then undone): the new status, or the code of its refusal."""
    shift, volunteer = db.session.get(Shift, shift_id), db.session.get(User, volunteer_id)
    try:
        if action == "sign_up":
            return sign_up(shift=shift, volunteer=volunteer).status, None
        signup = db.session.scalar(sa.select(Signup).where(Signup.shift_id == shift_id, Signup.user_id == volunteer_id))
        if signup is None:
            return None, "no_signup"
        cancel_signup(signup=signup)
        return signup.status, None
    except DomainError as error:
        return None, error.code
    finally:
        db.session.rollback()


@pytest.mark.parametrize("world", list(STATES), indirect=True)
def test_the_pages_offer_signing_up_exactly_when_the_service_takes_it(client, login, world, request):
    state = request.node.callspec.params["world"]
    shift_id, volunteer_id = world
    login(user=db.session.get(User, volunteer_id))
    page = client.get(f"/shifts/{shift_id}")
    on_page = set() if page.status_code == 404 else offered_in(page.get_data(as_text=True), shift_id)
    in_list = offered_in_list(client, shift_id)
    answers = {action: tried(action, shift_id, volunteer_id) for action in ("sign_up", "cancel")}
    takes = {action for action, (status, _code) in answers.items() if status is not None}

    assert answers["sign_up"][0] == STATES[state][1]
    assert ("sign_up" in on_page) == ("sign_up" in takes), f"{state}: the shift page"
    if in_list is not None:
        assert ("sign_up" in in_list) == ("sign_up" in takes), f"{state}: the open-shift list"
    if page.status_code == 404:
        assert state == "not a member" and answers["sign_up"][1] == "not_member"
        return
    shift = db.session.get(Shift, shift_id)
    if shift.is_cancelled:
        # A cancelled shift keeps its sign-ups so that volunteers see the cancellation (and their
        # calendars learn it): its page says so and offers nothing, not even a withdrawal.
        assert not on_page and "Abgesagt" in page.get_data(as_text=True)
        return
    assert ("cancel" in on_page) == ("cancel" in takes), f"{state}: the shift page"
    if in_list is not None:
        assert ("cancel" in in_list) == ("cancel" in takes), f"{state}: the open-shift list"
    if not on_page:  # nothing offered: the page says why, with the service's own reason
        refused = answers["cancel"] if answers["cancel"][1] != "no_signup" else answers["sign_up"]
        assert f'data-code="{refused[1]}"' in page.get_data(as_text=True), f"{state}: the reason"

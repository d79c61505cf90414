"""The rules of signing up, called as services against the real database."""

from datetime import timedelta

import pytest

from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.errors import SignupError
from volunteers.shifts.models import CONFIRMED, NO_SHOW, PENDING, SIGNUP_CANCELLED, WAITLISTED
from volunteers.shifts.signups import cancel_signup, confirm_pending, record_attendance, sign_up


@pytest.fixture
def shift(make_shift):
    return make_shift(capacity_max=2)


def volunteers_of(make_user, centre, n):
    return [make_user("volunteer", centre) for _ in range(n)]


def test_full_shift_waitlists_and_a_cancellation_promotes_the_first(shift, make_user):
    first, second, third, fourth = volunteers_of(make_user, shift.centre, 4)
    statuses = [sign_up(shift=shift, volunteer=v).status for v in (first, second, third, fourth)]
    db.session.commit()
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert shift.confirmed_count == 2
    promoted = cancel_signup(signup=shift.signups[0])
    db.session.commit()
    assert [s.user_id for s in promoted] == [third.id]
    assert shift.confirmed_count == 2
    assert {s.user_id: s.status for s in shift.signups}[fourth.id] == WAITLISTED


def test_signing_up_twice_is_refused(shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    sign_up(shift=shift, volunteer=volunteer)
    with pytest.raises(SignupError) as error:
        sign_up(shift=shift, volunteer=volunteer)
    assert error.value.code == "already_signed_up"


def test_overlapping_shifts_cannot_both_be_taken(make_shift, make_user, make_meeting_point):
    first = make_shift()
    other_place = make_meeting_point(first.centre)
    overlapping = make_shift(other_place, starts=first.starts_at + timedelta(hours=1))
    volunteer = make_user("volunteer", first.centre)
    sign_up(shift=first, volunteer=volunteer)
    with pytest.raises(SignupError) as error:
        sign_up(shift=overlapping, volunteer=volunteer)
    assert error.value.code == "overlap"
    back_to_back = make_shift(other_place, starts=first.ends_at)
    assert sign_up(shift=back_to_back, volunteer=volunteer).status == CONFIRMED


def test_police_certificate_is_required_where_the_shift_says_so(make_shift, make_user, today):
    shift = make_shift(requires_police_certificate=True, activity="kinderbetreuung")
    volunteer = make_user("volunteer", shift.centre)
    with pytest.raises(SignupError) as error:
        sign_up(shift=shift, volunteer=volunteer)
    assert error.value.code == "certificate_required"
    assert "Führungszeugnis" in error.value.message
    volunteer.membership_in(shift.centre).certificate_verified_on = today - timedelta(days=30)
    assert sign_up(shift=shift, volunteer=volunteer).status == CONFIRMED


def test_volunteers_of_other_centres_cannot_sign_up(shift, make_user):
    stranger = make_user("volunteer")
    with pytest.raises(SignupError) as error:
        sign_up(shift=shift, volunteer=stranger)
    assert error.value.code == "not_member"


def test_drafts_and_started_shifts_take_no_sign_ups(make_shift, make_user):
    draft = make_shift(publish=False)
    volunteer = make_user("volunteer", draft.centre)
    with pytest.raises(SignupError, match="nicht \\(mehr\\) ausgeschrieben"):
        sign_up(shift=draft, volunteer=volunteer)
    started = make_shift(draft.meeting_point, starts=time.now() - timedelta(minutes=5))
    with pytest.raises(SignupError) as error:
        sign_up(shift=started, volunteer=volunteer)
    assert error.value.code == "started"


def test_late_cancellation_is_recorded(shift, make_user):
    volunteer = make_user("volunteer", shift.centre)
    signup = sign_up(shift=shift, volunteer=volunteer)
    with time.freeze(shift.starts_at - timedelta(hours=13)):
        cancel_signup(signup=signup)
    assert signup.status == SIGNUP_CANCELLED and not signup.is_late_cancellation
    sign_up(shift=shift, volunteer=volunteer)
    with time.freeze(shift.starts_at - timedelta(hours=2)):
        cancel_signup(signup=signup)
    assert signup.is_late_cancellation


def test_no_show_limit_makes_sign_ups_wait_for_a_coordinator(make_shift, make_user):
    first = make_shift()
    centre = first.centre
    centre.no_show_limit = 1
    volunteer = make_user("volunteer", centre)
    coordinator = make_user("coordinator", centre)
    signup = sign_up(shift=first, volunteer=volunteer)
    with time.freeze(first.ends_at + timedelta(minutes=1)):
        record_attendance(shift=first, marks={signup.id: NO_SHOW}, participants_count=12)
    later = make_shift(first.meeting_point, starts=first.starts_at + timedelta(days=7))
    pending = sign_up(shift=later, volunteer=volunteer)
    assert pending.status == PENDING
    assert later.confirmed_count == 0
    assert confirm_pending(signup=pending, by=coordinator).status == CONFIRMED
    assert later.confirmed_count == 1


def test_attendance_only_after_the_start(shift, make_user):
    signup = sign_up(shift=shift, volunteer=make_user("volunteer", shift.centre))
    with pytest.raises(SignupError) as error:
        record_attendance(shift=shift, marks={signup.id: "attended"}, participants_count=3)
    assert error.value.code == "not_started"

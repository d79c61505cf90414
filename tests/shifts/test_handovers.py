"""Handing a confirmed shift to a colleague: who may take it, the seat moving without a gap or an
overbooking, the coordination's approval, the lapse at the cut-off, and the pages around it."""

import re
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.helpers import login as log_in
from tests.helpers import post_form
from volunteers.audit.models import AuditEvent
from volunteers.availability.models import Absence
from volunteers.core import time
from volunteers.extensions import db
from volunteers.privacy.services import delete_account, export_personal_data
from volunteers.push.models import Notification
from volunteers.shifts import handover_queries, handovers
from volunteers.shifts.handovers import HandoverError
from volunteers.shifts.models import Handover, Shift, Signup
from volunteers.shifts.policy import cancellation_cutoff
from volunteers.shifts.signups import sign_up


@pytest.fixture
def world(make_centre, make_meeting_point, make_shift, make_user):
    home, other = make_centre(), make_centre()
    place = make_meeting_point(home)
    shift = make_shift(place, capacity_max=2, capacity_min=1)
    giver, taker = make_user("volunteer", home, name="Gabi Geber"), make_user("volunteer", home, name="Tom Taker")
    signup = sign_up(shift=shift, volunteer=giver)
    db.session.commit()
    return SimpleNamespace(
        home=home,
        other=other,
        place=place,
        shift=shift,
        giver=giver,
        taker=taker,
        signup=signup,
        coordinator=make_user("coordinator", home),
        outsider=make_user("volunteer", other),
    )


def offer(world) -> Handover:
    result = handovers.offer_handover(signup=world.signup, by=world.giver)
    db.session.commit()
    return result


def notifications(user, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id, Notification.kind == kind))
    )


def lapse_pass() -> int:
    db.session.rollback()  # the worker's pass begins its own transactions
    return handovers.lapse_handovers()


def after_cutoff(world):
    return time.travel(cancellation_cutoff(world.shift) + timedelta(minutes=1))


def refused_code(action) -> str:
    with pytest.raises(HandoverError) as refused:
        action()
    db.session.rollback()
    return refused.value.code


def test_taking_moves_the_seat_without_changing_the_count(world):
    handover = offer(world)
    assert db.session.get(Shift, world.shift.id).confirmed_count == 1
    assert notifications(world.giver, "reminder")

    taken = handovers.accept_handover(offer=handover, taker=world.taker)
    db.session.commit()

    db.session.expire_all()
    shift = db.session.get(Shift, world.shift.id)
    giver_signup, taker_signup = db.session.get(Signup, world.signup.id), db.session.get(Signup, taken.id)
    assert shift.confirmed_count == 1 == sum(s.is_confirmed for s in shift.signups)
    assert (giver_signup.status, giver_signup.is_late_cancellation) == ("cancelled", False)
    assert (taker_signup.status, taker_signup.user_id) == ("confirmed", world.taker.id)
    assert db.session.get(Handover, handover.id).status == "taken"
    assert {n.status for n in notifications(world.giver, "reminder")} == {"cancelled"}
    assert {n.status for n in notifications(world.taker, "reminder")} == {"pending"}
    assert notifications(world.giver, "handover_taken")
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "handover")).all()
    assert sorted(actions) == ["offered", "taken"]


def test_the_offer_reaches_only_colleagues_who_may_take_it(world, make_user, make_shift):
    busy = make_user("volunteer", world.home)
    sign_up(shift=make_shift(world.place, starts=world.shift.starts_at + timedelta(hours=1)), volunteer=busy)
    away = make_user("volunteer", world.home)
    day = time.to_berlin(world.shift.starts_at).date()
    db.session.add(Absence(user_id=away.id, first_day=day, last_day=day))
    db.session.commit()

    offer(world)

    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "handover_offered")))
    assert told == {world.taker.id}
    assert notifications(world.taker, "handover_offered")[0].url == "/handovers"
    offers_for = handover_queries.offers_for
    assert [o.id for o in offers_for(world.taker)] == [db.session.scalars(sa.select(Handover.id)).one()]
    assert offers_for(busy) == offers_for(away) == offers_for(world.outsider) == []


def test_the_shift_languages_and_certificate_are_required(world):
    handover = offer(world)
    world.shift.languages = ["ar"]
    db.session.commit()
    assert refused_code(lambda: handovers.accept_handover(offer=handover, taker=world.taker)) == "language_missing"

    world.taker.languages = ["uk", "ar"]
    world.shift.requires_police_certificate = True
    db.session.commit()
    assert refused_code(lambda: handovers.accept_handover(offer=handover, taker=world.taker)) == "certificate_required"

    world.taker.membership_in(world.home).certificate_verified_on = time.to_berlin(time.now()).date()
    db.session.commit()
    assert handovers.accept_handover(offer=handover, taker=world.taker).is_confirmed


def test_refusals_carry_their_codes(world, make_user, make_shift):
    handover = offer(world)
    accept = handovers.accept_handover
    assert refused_code(lambda: accept(offer=handover, taker=world.giver)) == "own_offer"
    assert refused_code(lambda: accept(offer=handover, taker=world.outsider)) == "not_member"
    busy = make_user("volunteer", world.home)
    sign_up(shift=make_shift(world.place, starts=world.shift.starts_at - timedelta(hours=1)), volunteer=busy)
    db.session.commit()
    assert refused_code(lambda: accept(offer=handover, taker=busy)) == "overlap"

    accept(offer=handover, taker=world.taker)
    db.session.commit()
    late = make_user("volunteer", world.home)
    assert refused_code(lambda: accept(offer=handover, taker=late)) == "taken"
    assert db.session.get(Shift, world.shift.id).confirmed_count == 1


def test_a_withdrawn_or_lapsed_offer_cannot_be_taken(world):
    handover = offer(world)
    handovers.withdraw_handover(offer=handover, by=world.giver)
    db.session.commit()
    assert refused_code(lambda: handovers.accept_handover(offer=handover, taker=world.taker)) == "withdrawn"

    handover = offer(world)  # offered again: the same row, open again
    with time.travel(cancellation_cutoff(world.shift) + timedelta(minutes=1)):
        assert refused_code(lambda: handovers.accept_handover(offer=handover, taker=world.taker)) == "lapsed"


def test_who_waits_on_the_shift_may_take_the_seat(world, make_user):
    waiting = make_user("volunteer", world.home)
    filler = make_user("volunteer", world.home)
    sign_up(shift=world.shift, volunteer=filler)
    waitlisted = sign_up(shift=world.shift, volunteer=waiting)
    db.session.commit()
    assert waitlisted.is_waitlisted

    taken = handovers.accept_handover(offer=offer(world), taker=waiting)
    db.session.commit()
    assert taken.id == waitlisted.id and taken.is_confirmed
    assert db.session.get(Shift, world.shift.id).confirmed_count == 2


@pytest.mark.parametrize(
    "signup_state, code",
    [("waitlisted", "not_confirmed"), ("after_cutoff", "past_cutoff"), ("offered", "already_offered")],
)
def test_what_cannot_be_offered(world, make_user, signup_state, code):
    signup = world.signup
    if signup_state == "waitlisted":
        sign_up(shift=world.shift, volunteer=make_user("volunteer", world.home))
        signup = sign_up(shift=world.shift, volunteer=world.taker)
        db.session.commit()
    if signup_state == "offered":
        offer(world)
    instant = cancellation_cutoff(world.shift) if signup_state == "after_cutoff" else time.now()
    with time.travel(instant):
        assert refused_code(lambda: handovers.offer_handover(signup=signup, by=signup.user)) == code


def test_with_approval_the_seat_moves_only_when_the_coordination_says_so(world, make_user):
    world.home.handover_needs_approval = True
    db.session.commit()
    handover = offer(world)

    waiting = handovers.accept_handover(offer=handover, taker=world.taker)
    db.session.commit()
    assert waiting.status == "awaiting_approval"
    assert db.session.get(Signup, world.signup.id).is_confirmed
    other = make_user("volunteer", world.home)
    assert refused_code(lambda: handovers.accept_handover(offer=handover, taker=other)) == "taken"

    handovers.decline_handover(offer=handover, by=world.coordinator)
    db.session.commit()
    assert db.session.get(Handover, handover.id).status == "open"
    assert notifications(world.taker, "handover_declined")

    handovers.accept_handover(offer=handover, taker=other)
    taken = handovers.approve_handover(offer=handover, by=world.coordinator)
    db.session.commit()
    assert (taken.user_id, taken.status) == (other.id, "confirmed")
    assert db.session.get(Signup, world.signup.id).is_cancelled
    assert db.session.get(Shift, world.shift.id).confirmed_count == 1


def test_an_open_offer_cannot_be_approved(world):
    handover = offer(world)
    approving = lambda: handovers.approve_handover(offer=handover, by=world.coordinator)  # noqa: E731
    assert refused_code(approving) == "not_awaiting_approval"


def test_at_the_cutoff_an_untaken_offer_becomes_a_cancellation(world, make_user):
    filler = make_user("volunteer", world.home)
    sign_up(shift=world.shift, volunteer=filler)
    waiting = sign_up(shift=world.shift, volunteer=world.taker)
    db.session.commit()
    handover = offer(world)

    assert lapse_pass() == 0  # before the cut-off nothing happens
    with after_cutoff(world):
        assert lapse_pass() == 1
        assert lapse_pass() == 0

    db.session.expire_all()
    giver_signup = db.session.get(Signup, world.signup.id)
    assert (giver_signup.status, giver_signup.is_late_cancellation) == ("cancelled", False)
    assert db.session.get(Signup, waiting.id).is_confirmed  # the waitlist moved up
    assert db.session.get(Handover, handover.id).status == "lapsed"
    assert notifications(world.giver, "handover_lapsed")


def test_a_lapse_that_leaves_the_shift_understaffed_calls_for_help(world, make_user):
    colleague = make_user("volunteer", world.home)
    offer(world)
    with after_cutoff(world):
        lapse_pass()
    assert db.session.get(Shift, world.shift.id).confirmed_count == 0
    assert notifications(colleague, "staffing_call")


def test_the_worker_pass_lapses_offers(world):
    from volunteers.push.worker import send_due

    offer(world)
    with after_cutoff(world):
        db.session.rollback()
        counts = send_due(limit=0)
    assert counts["handovers_lapsed"] == 1


# --- DSGVO ---------------------------------------------------------------------------------


def test_export_and_erasure_cover_handovers(world):
    handover = offer(world)
    handovers.accept_handover(offer=handover, taker=world.taker)
    db.session.commit()
    assert export_personal_data(world.giver)["handovers"][0]["role"] == "offered"
    assert export_personal_data(world.taker)["handovers"][0]["role"] == "taker"

    delete_account(user=world.taker)
    db.session.commit()
    assert db.session.get(Handover, handover.id).taker_id is None
    delete_account(user=world.giver)
    db.session.commit()
    assert db.session.get(Handover, handover.id) is None


# --- pages ---------------------------------------------------------------------------------


def test_two_taps_on_the_pages_hand_the_shift_over(client, world, app):
    log_in(client, world.giver)
    page = client.get("/my/shifts").get_data(as_text=True)
    assert "Übergeben" in page and "/handovers" in page
    response = post_form(client, f"/shifts/{world.shift.id}/handover", {"next": "/my/shifts"})
    assert response.status_code == 302 and response.location.endswith("/my/shifts")
    assert "Angebot zurückziehen" in client.get("/my/shifts").get_data(as_text=True)
    client.post("/logout", data={})

    taker = app.test_client()
    log_in(taker, world.taker)
    listing = taker.get("/handovers").get_data(as_text=True)
    handover_id = db.session.scalars(sa.select(Handover.id)).one()
    assert f"/handovers/{handover_id}/accept" in listing and "Gabi" not in listing
    response = post_form(taker, f"/handovers/{handover_id}/accept")
    assert response.status_code == 302 and response.location.endswith(f"/shifts/{world.shift.id}")
    db.session.expire_all()
    assert db.session.get(Signup, world.signup.id).is_cancelled
    assert db.session.get(Shift, world.shift.id).confirmed_count == 1


def test_a_refused_tap_explains_and_changes_nothing(client, world):
    handover = offer(world)
    log_in(client, world.giver)
    response = post_form(client, f"/handovers/{handover.id}/accept", follow_redirects=True)
    assert "Das ist Ihr eigenes Angebot." in response.get_data(as_text=True)
    assert db.session.get(Handover, handover.id).status == "open"


def test_the_coordination_approves_on_the_shift_page(client, world, make_user):
    world.home.handover_needs_approval = True
    db.session.commit()
    handover = offer(world)
    handovers.accept_handover(offer=handover, taker=world.taker)
    db.session.commit()

    log_in(client, world.coordinator)
    page = client.get(f"/centres/{world.home.slug}/shifts/{world.shift.id}").get_data(as_text=True)
    assert "Übernahme bestätigen" in page and "Tom Taker" in page
    assert post_form(client, f"/handovers/{handover.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Handover, handover.id).status == "taken"


def test_another_centre_cannot_see_or_approve_an_offer(client, world, make_user):
    world.home.handover_needs_approval = True
    db.session.commit()
    handover = offer(world)
    handovers.accept_handover(offer=handover, taker=world.taker)
    db.session.commit()
    log_in(client, make_user("coordinator", world.other))
    assert post_form(client, f"/handovers/{handover.id}/approve").status_code == 404
    assert post_form(client, f"/handovers/{handover.id}/accept").status_code == 404
    assert db.session.get(Handover, handover.id).status == "awaiting_approval"


def test_a_volunteer_cannot_approve(client, world):
    world.home.handover_needs_approval = True
    db.session.commit()
    handover = offer(world)
    handovers.accept_handover(offer=handover, taker=world.taker)
    db.session.commit()
    log_in(client, world.taker)
    assert post_form(client, f"/handovers/{handover.id}/approve").status_code == 404


def test_the_centre_setting_switches_approval_on(client, world):
    log_in(client, world.coordinator)
    url = f"/centres/{world.home.slug}/settings"
    # The settings form as the page fills it (other settings stand beside this one), plus the box.
    page = client.get(url).get_data(as_text=True)
    current = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*type="number"[^>]*value="([^"]*)"', page))
    current |= dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"[^>]*type="number"', page))
    assert 'name="handover_needs_approval"' in page and current["cancel_cutoff_hours"] == "12"
    response = post_form(client, url, {**current, "handover_needs_approval": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(world.home), world.home.id).handover_needs_approval is True


def test_no_show_record_needs_approval_too(world, monkeypatch):
    monkeypatch.setattr(handovers, "needs_confirmation", lambda person, centre: person.id == world.taker.id)
    result = handovers.accept_handover(offer=offer(world), taker=world.taker)
    assert result.status == "awaiting_approval"


def test_days_of_absence_count_by_berlin_date(world):
    day = time.to_berlin(world.shift.starts_at).date()
    db.session.add(Absence(user_id=world.taker.id, first_day=day, last_day=day))
    db.session.commit()
    assert refused_code(lambda: handovers.accept_handover(offer=offer(world), taker=world.taker)) == "absent"


def test_a_night_shift_that_runs_into_an_absence_is_not_offered_to_the_absent(world, make_shift, make_user, today):
    """The rule of the candidate list (availability.absent_during): every day the shift touches."""
    tomorrow_night = datetime.combine(today + timedelta(days=1), datetime.min.time()).replace(hour=22)
    night = make_shift(world.place, starts=time.berlin_local(tomorrow_night), hours=4)
    world.signup = sign_up(shift=night, volunteer=world.giver)
    away_from = today + timedelta(days=2)
    db.session.add(Absence(user_id=world.taker.id, first_day=away_from, last_day=away_from + timedelta(days=3)))
    db.session.commit()
    assert refused_code(lambda: handovers.accept_handover(offer=offer(world), taker=world.taker)) == "absent"

"""A handover waiting for the coordination's approval: the centre's coordinators and leads are told
once (push or mail, as each chose; until the offer lapses), and their first screen lists it with
the count and the oldest, linking to the shift where they approve. Nothing of it reaches another
centre. Through HTTP."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.helpers import login as log_in
from tests.helpers import post_form
from tests.mail.mailbox import mails_written
from volunteers.core import time
from volunteers.core.templating import format_datetime
from volunteers.extensions import db
from volunteers.push.models import Notification
from volunteers.push.worker import send_due
from volunteers.shifts import handover_messages, handovers
from volunteers.shifts.models import Handover
from volunteers.shifts.policy import cancellation_cutoff
from volunteers.shifts.signups import sign_up

KIND = "handover_awaiting_approval"


@pytest.fixture
def world(make_centre, make_meeting_point, make_shift, make_user):
    home, other = make_centre("heimat"), make_centre("nachbar")
    home.handover_needs_approval = other.handover_needs_approval = True
    shift = make_shift(make_meeting_point(home, name="Treffpunkt Altstadt"), capacity_max=3)
    people = SimpleNamespace(
        home=home,
        other=other,
        shift=shift,
        giver=make_user("volunteer", home),
        takers=[make_user("volunteer", home) for _ in range(2)],
        coordinator=make_user("coordinator", home),
        lead=make_user("lead", home),
        neighbour=make_user("coordinator", other),
        make_user=make_user,
    )
    sign_up(shift=shift, volunteer=people.giver)
    db.session.commit()
    return people


def as_person(app, person):
    client = app.test_client()
    log_in(client, person)
    return client


def offered(app, world) -> Handover:
    assert post_form(as_person(app, world.giver), f"/shifts/{world.shift.id}/handover").status_code == 302
    return db.session.scalars(sa.select(Handover)).one()


def alerts(person=None) -> list[Notification]:
    query = sa.select(Notification).where(Notification.kind == KIND).order_by(Notification.id)
    if person is not None:
        query = query.where(Notification.user_id == person.id)
    return list(db.session.scalars(query))


def handover_items(client) -> list[str]:
    page = html.unescape(client.get("/").get_data(as_text=True))
    return re.findall(r'<li data-attention="handover">(.*?)</li>', page, flags=re.S)


def test_the_coordination_is_told_once_with_a_link_to_where_it_approves(app, world):
    offer = offered(app, world)
    assert alerts() == []  # an offer alone needs nobody's approval
    taker = as_person(app, world.takers[0])
    assert post_form(taker, f"/handovers/{offer.id}/accept").status_code == 302
    assert db.session.get(Handover, offer.id, populate_existing=True).is_awaiting_approval

    assert sorted(n.user_id for n in alerts()) == sorted([world.coordinator.id, world.lead.id])
    url = f"/centres/heimat/shifts/{world.shift.id}#handovers-heading"
    for alert in alerts():
        assert (alert.title, alert.url, alert.centre_id) == ("Übergabe wartet auf Freigabe", url, world.home.id)
        assert alert.expires_at == cancellation_cutoff(world.shift)
        assert "Bitte bestätigen oder ablehnen" in alert.body
    assert alerts(world.neighbour) == [] and alerts(world.giver) == []

    # Once: the same request again (a retried job, a second tap) adds nothing.
    handover_messages.awaiting_approval(offer, handovers.approvers(offer))
    db.session.commit()
    assert len(alerts()) == 2

    coordinator = as_person(app, world.coordinator)
    page = coordinator.get(url.split("#")[0]).get_data(as_text=True)
    assert "wartet auf Ihre Bestätigung" in page and "Übernahme bestätigen" in page


def test_a_new_taker_after_a_refusal_is_a_new_request(app, world):
    offer = offered(app, world)
    first, second = (as_person(app, person) for person in world.takers)
    post_form(first, f"/handovers/{offer.id}/accept")
    post_form(as_person(app, world.coordinator), f"/handovers/{offer.id}/decline")
    post_form(second, f"/handovers/{offer.id}/accept")
    assert len(alerts(world.coordinator)) == 2 and len(alerts(world.lead)) == 2


def test_without_approval_nobody_is_told(app, world):
    world.home.handover_needs_approval = False
    db.session.commit()
    offer = offered(app, world)
    post_form(as_person(app, world.takers[0]), f"/handovers/{offer.id}/accept")
    assert db.session.get(Handover, offer.id, populate_existing=True).status == "taken"
    assert alerts() == []


def test_it_goes_by_mail_to_whoever_chose_mail(app, world):
    world.lead.notify_channel = "email"
    db.session.commit()
    offer = offered(app, world)
    post_form(as_person(app, world.takers[0]), f"/handovers/{offer.id}/accept")
    send_due(limit=20)
    db.session.rollback()
    [mail] = mails_written(app)
    assert mail["To"] == world.lead.email and mail["Subject"] == "Treffpunkt: Übergabe wartet auf Freigabe"
    assert f"http://localhost/centres/heimat/shifts/{world.shift.id}#handovers-heading" in mail.get_content()


def test_the_first_screen_lists_them_with_count_and_oldest_until_approved(app, world, make_shift):
    later = make_shift(world.shift.meeting_point, starts=world.shift.starts_at + timedelta(days=1))
    sign_up(shift=later, volunteer=world.giver)
    db.session.commit()
    first = offered(app, world)
    giver = as_person(app, world.giver)
    assert post_form(giver, f"/shifts/{later.id}/handover").status_code == 302
    second = db.session.scalar(sa.select(Handover).where(Handover.shift_id == later.id))
    db.session.get(Handover, second.id).created_at = first.created_at - timedelta(hours=5)  # offered earlier
    db.session.commit()
    for offer in (first, second):
        post_form(as_person(app, world.takers[0]), f"/handovers/{offer.id}/accept")

    coordinator = as_person(app, world.coordinator)
    items = handover_items(coordinator)
    assert len(items) == 2
    assert f'href="/centres/heimat/shifts/{world.shift.id}#handovers-heading"' in items[0]  # soonest first
    assert f'href="/centres/heimat/shifts/{later.id}#handovers-heading"' in items[1]
    page = html.unescape(coordinator.get("/").get_data(as_text=True))
    assert "2 Übergaben warten auf Freigabe" in page
    with app.test_request_context():
        oldest = format_datetime(first.created_at - timedelta(hours=5), "short")
    assert f"Die älteste wurde am {oldest} angeboten." in page

    neighbour = as_person(app, world.neighbour)
    assert handover_items(neighbour) == []
    assert "Im Moment braucht nichts Ihre Aufmerksamkeit." in neighbour.get("/").get_data(as_text=True)

    for offer in (first, second):
        assert post_form(coordinator, f"/handovers/{offer.id}/approve").status_code == 302
    assert handover_items(coordinator) == []


def test_a_shift_that_has_begun_is_no_item(app, world):
    offer = offered(app, world)
    post_form(as_person(app, world.takers[0]), f"/handovers/{offer.id}/accept")
    coordinator = as_person(app, world.coordinator)
    assert len(handover_items(coordinator)) == 1
    assert "Im Moment braucht nichts" not in coordinator.get("/").get_data(as_text=True)
    with time.travel(world.shift.starts_at + timedelta(minutes=1)):
        assert handover_items(coordinator) == []

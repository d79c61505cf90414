"""A message to everyone on a shift: from the coordinator's shift page to each confirmed person
(and the waitlist, if asked), through the outbox by each person's push or email setting, audited,
at most five per shift and hour; bounded text, and nothing for another centre."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.audit.models import AuditEvent
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push.email import email_for
from volunteers.push.models import Notification
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))
STARTS = time.berlin_local(datetime(2026, 11, 4, 16, 0))

frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def world(client, login, make_centre, make_meeting_point, make_shift, make_user):
    centre = make_centre("hsk")
    shift = make_shift(make_meeting_point(centre), starts=STARTS, capacity_max=2)
    confirmed = [make_user("volunteer", centre) for _ in range(2)]
    waiting = make_user("volunteer", centre)
    confirmed[1].notify_channel = "email"
    for person in [*confirmed, waiting]:
        sign_up(shift=shift, volunteer=person)
    db.session.commit()
    login("coordinator", centre)
    return {"shift": shift, "confirmed": confirmed, "waiting": waiting}


def send(client, shift, text="Wir sind heute in Raum 2.04", slug="hsk", **extra):
    return post_form(client, f"/centres/{slug}/shifts/{shift.id}/message", {"text": text, **extra})


def messages() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(Notification.kind == "shift_message")))


def test_reaches_the_confirmed_by_their_settings_with_a_count(client, world):
    shift = world["shift"]
    assert f'action="/centres/hsk/shifts/{shift.id}/message"' in client.get(f"/centres/hsk/shifts/{shift.id}").text
    response = send(client, shift)
    assert response.status_code == 302
    assert "Nachricht an 2 Personen verschickt." in client.get(response.headers["Location"]).text
    sent = messages()
    assert {n.user_id for n in sent} == {p.id for p in world["confirmed"]}
    assert all(n.body == "Wir sind heute in Raum 2.04" and n.url == f"/shifts/{shift.id}" for n in sent)
    by_email = next(n for n in sent if n.user_id == world["confirmed"][1].id)
    assert email_for(by_email, has_devices=False).to == world["confirmed"][1].email
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "message_sent"))
    assert audit.entity_id == shift.id and audit.after["recipients"] == 2


def test_the_waitlist_too_when_asked(client, world):
    send(client, world["shift"], include_waitlist="y")
    assert world["waiting"].id in {n.user_id for n in messages()} and len(messages()) == 3


def test_five_per_shift_and_hour(client, world):
    for n in range(5):
        assert send(client, world["shift"], text=f"Nachricht {n}").status_code == 302
    refused = send(client, world["shift"], text="Noch eine")
    assert refused.status_code == 422 and "Höchstens 5 Nachrichten pro Stunde" in refused.text
    assert 'data-code="rate_limited"' in client.get(f"/centres/hsk/shifts/{world['shift'].id}").text
    assert len(messages()) == 10
    with time.freeze(NOW + timedelta(minutes=61)):
        assert send(client, world["shift"], text="Später wieder").status_code == 302
    assert len(messages()) == 12


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_bad_text_is_a_form_error_and_sends_nothing(client, world, text):
    response = send(client, world["shift"], text=text)
    assert response.status_code == 422 and messages() == []


def test_not_after_the_shift_has_ended(client, world):
    with time.freeze(STARTS + timedelta(hours=3)):
        assert "/message" not in client.get(f"/centres/hsk/shifts/{world['shift'].id}").text
        assert send(client, world["shift"]).status_code == 422
    assert messages() == []


def test_the_other_centres_coordinator_gets_404(client, login, world, make_centre):
    login("coordinator", make_centre("siegen"))
    assert send(client, world["shift"], slug="siegen").status_code == 404
    assert send(client, world["shift"], slug="hsk").status_code == 404
    assert messages() == []

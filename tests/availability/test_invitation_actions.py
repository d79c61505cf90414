"""One tap in the notification: the invitation's push carries "Übernehmen" / "Ablehnen", each with a
token that allows that one answer; the mail carries links to a page with one confirming button.
Through the worker, the local push service (real encryption) and HTTP."""

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from tests import helpers
from tests.helpers import csrf_token, post_form
from tests.push.push_service import PushService
from volunteers.audit.models import AuditEvent
from volunteers.availability.invitations import invite
from volunteers.availability.models import Invitation
from volunteers.core import time
from volunteers.extensions import db
from volunteers.push import services as push
from volunteers.push.worker import send_due
from volunteers.shifts.models import Signup
from volunteers.shifts.planning import ShiftValues, update_shift
from volunteers.shifts.signups import sign_up


@pytest.fixture
def push_service(app):
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    centre = make_centre("duesseldorf")
    shift = make_shift(make_meeting_point(centre))  # tomorrow, 16:00
    amal = make_user("volunteer", centre, name="Amal Haddad")
    coordinator = make_user("coordinator", centre)
    return {"centre": centre, "shift": shift, "amal": amal, "coordinator": coordinator, "make_user": make_user}


def invited(world, person=None):
    invitation = invite(shift=world["shift"], volunteer=person or world["amal"], by=world["coordinator"])
    db.session.commit()
    return invitation


def pushed_payload(world, push_service, person=None) -> dict:
    """Invite `person` (Amal) with a subscribed phone and run the worker: the decrypted payload."""
    person = person or world["amal"]
    phone = push_service.browser(f"phone-{person.id}")
    push.subscribe_device(user=person, endpoint=phone.endpoint, p256dh=phone.p256dh, auth=phone.auth)
    invited(world, person)
    send_due(limit=10)
    db.session.expire_all()
    [received] = push_service.received_by(phone.name)
    assert push_service.errors == []
    return received.payload


def answer(app, path: str, token, **headers):
    """A POST as the service worker makes it: no cookie, the token in the body."""
    return app.test_client().post(path, json={"token": token}, headers=headers)


def nothing_changed(invitation_id: int) -> bool:
    accepted = sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(("accepted", "declined")))
    return (
        db.session.get(Invitation, invitation_id, populate_existing=True).status == "open"
        and db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 0
        and db.session.scalar(accepted) == 0
    )


def test_the_push_carries_both_buttons_and_the_accept_token_works_once(app, world, push_service):
    payload = pushed_payload(world, push_service)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert payload["url"] == f"/invitations/{invitation.id}"
    assert [(a["action"], a["title"], a["url"]) for a in payload["actions"]] == [
        ("accept", "Übernehmen", f"/api/v1/invitations/{invitation.id}/accept"),
        ("decline", "Ablehnen", f"/api/v1/invitations/{invitation.id}/decline"),
    ]
    assert all("link" not in a and a["failed"] for a in payload["actions"])  # the mail's links stay home
    accept = payload["actions"][0]

    first = answer(app, accept["url"], accept["token"])
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["message"] == "Danke! Sie sind eingetragen."
    assert first.get_json()["signup"]["status"] == "confirmed"
    again = answer(app, accept["url"], accept["token"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_decided"
    declined = answer(app, payload["actions"][1]["url"], payload["actions"][1]["token"])
    assert declined.status_code == 409
    statuses = db.session.scalars(sa.select(Signup.status).where(Signup.user_id == world["amal"].id)).all()
    assert statuses == ["confirmed"]
    assert db.session.get(Invitation, invitation.id, populate_existing=True).status == "accepted"


def test_the_decline_token_declines(app, world, push_service):
    payload = pushed_payload(world, push_service)
    decline = payload["actions"][1]
    response = answer(app, decline["url"], decline["token"])
    assert response.status_code == 200
    assert response.get_json()["status"] == "declined" and "abgesagt" in response.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 0


def test_a_full_shift_puts_the_tap_on_the_waitlist(app, world, push_service):
    payload = pushed_payload(world, push_service)
    shift = world["shift"]
    for _ in range(shift.capacity_max):
        sign_up(shift=shift, volunteer=world["make_user"]("volunteer", world["centre"]))
    db.session.commit()
    accept = payload["actions"][0]
    response = answer(app, accept["url"], accept["token"])
    assert response.status_code == 200 and response.get_json()["signup"]["status"] == "waitlisted"
    assert "Warteliste" in response.get_json()["message"]


def forged(token: str) -> str:
    return URLSafeSerializer("not-our-secret", salt="invitation-answer").dumps(
        URLSafeSerializer("x").loads_unsafe(token)[1]
    )


@pytest.mark.parametrize(
    "case, code",
    [
        ("forged", "token_invalid"),
        ("tampered", "token_invalid"),
        ("not_a_string", "token_invalid"),
        ("other_answer", "token_invalid"),
        ("other_invitation", "token_invalid"),
        ("other_person_signed_in", "token_invalid"),
        ("password_changed", "token_invalid"),
        ("expired", "token_expired"),
    ],
)
def test_a_token_allows_only_its_own_answer(app, world, push_service, case, code):
    payload = pushed_payload(world, push_service)
    amal_invitation = db.session.scalars(sa.select(Invitation)).one()
    accept, decline = payload["actions"]
    path, token, headers = accept["url"], accept["token"], {}
    if case == "forged":
        token = forged(token)
    elif case == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "not_a_string":
        token = {"token": token}
    elif case == "other_answer":
        token = decline["token"]
    elif case == "other_invitation":
        other = world["make_user"]("volunteer", world["centre"])
        path = f"/api/v1/invitations/{invited(world, other).id}/accept"
    elif case == "password_changed":
        world["amal"].session_version += 1
        db.session.commit()
    elif case == "expired":
        time_at_start = world["shift"].starts_at + timedelta(minutes=1)
        with time.travel(time_at_start):
            response = answer(app, path, token)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == code
        assert nothing_changed(amal_invitation.id)
        return
    client = app.test_client()
    if case == "other_person_signed_in":
        helpers.login(client, world["make_user"]("volunteer", world["centre"]))
        headers = {"X-CSRFToken": csrf_token(client)}
    response = client.post(path, json={"token": token}, headers=headers)
    assert response.status_code == 403, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert nothing_changed(amal_invitation.id)
    assert set(db.session.scalars(sa.select(Invitation.status))) == {"open"}


def test_without_a_token_the_api_still_wants_the_person_signed_in(app, world):
    invitation = invited(world)
    response = app.test_client().post(f"/api/v1/invitations/{invitation.id}/accept", json={})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert nothing_changed(invitation.id)


def mail_links(app) -> dict[str, str]:
    [path] = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_content()
    found = dict(re.findall(r"^(Übernehmen|Ablehnen): (http\S+)$", text, flags=re.MULTILINE))
    assert set(found) == {"Übernehmen", "Ablehnen"}, text
    return {title: urlsplit(url).path + "?" + urlsplit(url).query for title, url in found.items()}


@pytest.fixture
def mailed(app, world):
    """Amal chose e-mail: the invitation's mail, as the worker sends it."""
    world["amal"].notify_channel = "email"
    db.session.commit()
    invitation = invited(world)
    send_due(limit=10)
    db.session.expire_all()
    return invitation, mail_links(app)


def test_the_mail_links_show_the_shift_and_only_the_button_changes_anything(app, world, mailed):
    invitation, links = mailed
    client = app.test_client()  # not signed in on this device
    for _ in range(2):  # a mail scanner following the link changes nothing
        page = client.get(links["Übernehmen"])
        assert page.status_code == 200
        assert "Ja, ich übernehme die Schicht" in page.get_data(as_text=True)
    assert nothing_changed(invitation.id)
    token = parse_qs(urlsplit(links["Übernehmen"]).query)["token"][0]
    path = urlsplit(links["Übernehmen"]).path
    done = post_form(client, path, {"token": token})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Danke! Sie sind eingetragen." in page and "Ja, ich übernehme" not in page
    assert db.session.scalars(sa.select(Signup.status)).all() == ["confirmed"]
    again = post_form(client, path, {"token": token})  # once only
    assert again.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(Signup)) == 1


def test_a_mail_link_without_a_valid_token_leads_to_the_login_and_works_after_it(app, world, mailed):
    invitation, links = mailed
    path = urlsplit(links["Ablehnen"]).path
    client = app.test_client()
    refused = client.get(path + "?token=forged")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert post_form(client, path, {"token": "forged"}).status_code == 302
    assert nothing_changed(invitation.id)
    helpers.login(client, world["amal"])
    page = client.get(path).get_data(as_text=True)
    assert "Ja, ich lehne ab" in page
    assert post_form(client, path).status_code == 302
    assert db.session.get(Invitation, invitation.id, populate_existing=True).status == "declined"


def test_a_mail_link_is_no_key_to_another_person_s_invitation(app, world, mailed):
    invitation, links = mailed
    client = app.test_client()
    helpers.login(client, world["make_user"]("volunteer", world["centre"]))
    assert client.get(links["Übernehmen"]).status_code == 404
    token = parse_qs(urlsplit(links["Übernehmen"]).query)["token"][0]
    assert post_form(client, urlsplit(links["Übernehmen"]).path, {"token": token}).status_code == 404
    assert nothing_changed(invitation.id)


def test_a_shift_moved_later_keeps_the_buttons_working_until_its_new_start(app, world, push_service):
    payload = pushed_payload(world, push_service)
    invitation = db.session.scalars(sa.select(Invitation)).one()
    accept = payload["actions"][0]
    shift = world["shift"]
    old_start = shift.starts_at
    update_shift(
        shift=shift,
        values=ShiftValues(meeting_point=shift.meeting_point, activity=shift.activity),
        starts_at=old_start + timedelta(hours=2),
        ends_at=shift.ends_at + timedelta(hours=2),
    )
    db.session.commit()
    with time.travel(old_start + timedelta(minutes=30)):  # past the old start, before the new one
        response = answer(app, accept["url"], accept["token"])
    assert response.status_code == 200, response.get_json()
    assert db.session.get(Invitation, invitation.id, populate_existing=True).status == "accepted"

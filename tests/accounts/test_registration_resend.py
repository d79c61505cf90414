""" "Link erneut senden": a fresh confirmation link for a registration still waiting (the old one
stops working), the same answer for every address, a limit per address that holds for every
address alike, and the mail through the outbox."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, csrf_token, post_form
from tests.mail.mailbox import deliver_mails, link_path
from volunteers.accounts.models import User
from volunteers.core import time
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail

CSRF_TOKENS = re.compile(r'(name="csrf_token"[^>]*value|name="csrf-token" content)="[^"]+"')
LINK_GONE = "Dieser Bestätigungslink ist abgelaufen oder wurde schon benutzt."
RESENT = "Wenn für diese Adresse eine Registrierung auf Bestätigung wartet"
TOO_MANY = "Bitte warten Sie ein paar Minuten."


def register(client, centre, email="amal@example.org"):
    data = {"name": "Amal Haddad", "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    return post_form(client, "/register", {**data, "centre": centre.slug, "consent": "y"})


def resend(client, email="amal@example.org"):
    return client.post("/register/resend", data={"csrf_token": csrf_token(client), "resend_email": email})


def queued_to(address: str) -> list[str]:
    return list(db.session.scalars(sa.select(OutgoingMail.subject).where(OutgoingMail.recipient == address)))


def test_after_registering_the_page_offers_to_send_the_link_again(client, make_centre):
    response = register(client, make_centre())
    assert response.status_code == 302 and response.location == "/register/sent"
    page = client.get("/register/sent").get_data(as_text=True)
    assert "Wir haben Ihnen eine E-Mail geschickt." in page
    assert "Link erneut senden" in page and 'name="resend_email"' in page


def test_an_expired_or_used_link_leads_to_the_form(client):
    response = client.get("/register/confirm/unbekannt", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert LINK_GONE in page and 'action="/register/resend"' in page


def test_a_fresh_link_replaces_the_old_one(app, client, make_centre):
    register(client, make_centre())
    [first] = deliver_mails(app)
    old_path = link_path(first, "/register/confirm/")
    with time.freeze(time.now() + timedelta(minutes=5)):
        response = resend(client)
        assert response.status_code == 302 and response.location == "/register/sent"
        assert RESENT in client.get("/register/sent").get_data(as_text=True)
        [second] = deliver_mails(app)
        new_path = link_path(second, "/register/confirm/")
        assert (
            second["Subject"] == "Treffpunkt: Registrierung bestätigen" and "Hallo Amal Haddad" in second.get_content()
        )
        assert new_path != old_path
        assert LINK_GONE in post_form(client, old_path, follow_redirects=True).get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        assert post_form(client, new_path).location == "/"
    assert db.session.scalar(sa.select(User.email)) == "amal@example.org"


def test_the_fresh_link_is_valid_for_a_day_from_resending(app, client, make_centre):
    register(client, make_centre())
    deliver_mails(app)
    with time.freeze(time.now() + timedelta(hours=23)):
        resend(client)
        [mail] = deliver_mails(app)
    with time.freeze(time.now() + timedelta(hours=30)):
        assert post_form(client, link_path(mail, "/register/confirm/")).location == "/"


def answer_of(app, email: str):
    client = app.test_client()
    response = resend(client, email)
    page = client.get(response.location).get_data(as_text=True)
    return response.status_code, response.location, CSRF_TOKENS.sub("", page)


def test_the_same_answer_whether_or_not_a_registration_waits(app, client, make_centre, make_user):
    register(client, make_centre(), email="wartet@example.org")
    make_user(email="konto@example.org")
    db.session.execute(sa.delete(OutgoingMail))
    answers = [answer_of(app, email) for email in ("wartet@example.org", "konto@example.org", "niemand@example.org")]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 302 and RESENT in answers[0][2]
    # The mail tells: a link, the note that an account exists, nothing. None is sent in the request.
    assert queued_to("wartet@example.org") == ["Treffpunkt: Registrierung bestätigen"]
    assert queued_to("konto@example.org") == ["Treffpunkt: Sie haben schon ein Konto"]
    assert queued_to("niemand@example.org") == []


@pytest.mark.parametrize("email", ["amal@example.org", "niemand@example.org"])
def test_once_a_minute_and_three_times_an_hour_for_every_address_alike(app, client, make_centre, email, clock):
    register(client, make_centre())
    db.session.execute(sa.delete(OutgoingMail))
    db.session.commit()
    with time.freeze(clock):
        assert resend(client, email).status_code == 302
        refused = resend(client, email.upper())  # the same address, however written
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    for minutes in (2, 4):
        with time.freeze(clock + timedelta(minutes=minutes)):
            assert resend(client, email).status_code == 302
    with time.freeze(clock + timedelta(minutes=50)):
        assert resend(client, email).status_code == 429  # a fourth within the hour
        assert resend(client, "jemand-anders@example.org").status_code == 302  # per address
    with time.freeze(clock + timedelta(minutes=61)):
        assert resend(client, email).status_code == 302
    expected = 4 if email == "amal@example.org" else 0
    assert len(queued_to(email)) == expected


def test_bad_input_is_a_form_error(client):
    for value in ("", "keine-adresse", "a" * 300 + "@example.org"):
        response = resend(client, value)
        assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingMail)) == 0

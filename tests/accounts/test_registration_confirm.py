"""Registration with double opt-in: the answer to POST /register tells nobody whether an address
has an account (same page, same status, same work: one password hash, as many statements, one
mail queued and none sent in the request), and the account exists only once the mailed link was
followed and its button pressed. Used, replaced, expired and unknown links answer with a German
message, never a 500."""

import re
import socket
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, csrf_token, login, post_form
from tests.mail.mailbox import deliver_mails, link_path, mails_written
from volunteers.accounts import services
from volunteers.accounts.models import User
from volunteers.accounts.registrations import PendingRegistration
from volunteers.core import time
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail

SENT = "Wir haben Ihnen eine E-Mail geschickt."
# Each session's CSRF token, in the page's forms and its meta tag: the one part that must differ.
CSRF_TOKENS = re.compile(r'(name="csrf_token"[^>]*value|name="csrf-token" content)="[^"]+"')
LINK_GONE = "Dieser Bestätigungslink ist abgelaufen oder wurde schon benutzt."


def form(centre, **changes) -> dict:
    values = {"name": "Amal Haddad", "email": "amal@example.org", "password": PASSWORD, "consent": "y"}
    return {**values, "password_confirm": changes.get("password", PASSWORD), "centre": centre.slug, **changes}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def register(client, centre, **changes):
    return post_form(client, "/register", form(centre, **changes))


def confirmation_link(app) -> str:
    [mail] = deliver_mails(app)
    return link_path(mail, "/register/confirm/")


@contextmanager
def work_counted(monkeypatch):
    """Counts the statements sent to the database and the password hashes made, while inside."""
    work = {"statements": 0, "hashes": 0}
    real_hash = services.generate_password_hash

    def hashing(*args, **kwargs):
        work["hashes"] += 1
        return real_hash(*args, **kwargs)

    def statement(*_):
        work["statements"] += 1

    monkeypatch.setattr(services, "generate_password_hash", hashing)
    sa.event.listen(db.engine, "before_cursor_execute", statement)
    try:
        yield work
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statement)
        monkeypatch.setattr(services, "generate_password_hash", real_hash)


def answer_of(client, centre, monkeypatch, email: str):
    token = csrf_token(client)  # before counting: the page that hands out the token is not the work
    with work_counted(monkeypatch) as work:
        response = client.post("/register", data={"csrf_token": token, **form(centre, email=email)})
    page = client.get(response.location).get_data(as_text=True)
    return response.status_code, response.location, CSRF_TOKENS.sub("", page), work


def test_known_and_new_addresses_get_the_same_answer_after_the_same_work(app, make_centre, make_user, monkeypatch):
    centre = make_centre()
    make_user(email="bekannt@example.org")
    new = answer_of(app.test_client(), centre, monkeypatch, "neu@example.org")
    known = answer_of(app.test_client(), centre, monkeypatch, "Bekannt@Example.org")

    assert new[:3] == known[:3]
    assert new[0] == 302 and SENT in new[2]
    assert new[3] == known[3] and new[3]["hashes"] == 1
    # One mail queued for each, none sent in the request: the mail server's time is in neither answer.
    assert not mails_written(app)
    assert sorted(db.session.scalars(sa.select(OutgoingMail.recipient))) == ["bekannt@example.org", "neu@example.org"]


def test_no_mail_server_is_contacted_in_the_request(app, client, make_centre, make_user):
    centre = make_centre()
    make_user(email="bekannt@example.org")
    with socket.create_server(("127.0.0.1", 0)) as mail_server:
        mail_server.setblocking(False)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.getsockname()[1], MAIL_USE_TLS=False)
        for email in ("neu@example.org", "bekannt@example.org"):
            assert register(client, centre, email=email).status_code == 302
        with pytest.raises(BlockingIOError):
            mail_server.accept()  # nobody connected
    assert count(OutgoingMail) == 2


def test_the_account_exists_only_after_the_link_and_its_button(app, client, make_centre):
    centre = make_centre()
    register(client, centre)
    pending = db.session.scalar(sa.select(PendingRegistration))
    assert pending.email == "amal@example.org" and pending.centre_id == centre.id
    assert PASSWORD not in pending.password_hash
    path = confirmation_link(app)

    # A mail scanner follows the link: it sees a button, and nothing happens.
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200
    assert "Registrierung abschließen" in page.get_data(as_text=True)
    assert count(User) == 0

    assert post_form(browser, path).location == "/"
    assert "Hallo Amal Haddad" in browser.get("/").get_data(as_text=True)
    assert count(PendingRegistration) == 0
    login(app.test_client(), "amal@example.org")


def test_a_used_link_answers_with_a_message(app, client, make_centre):
    register(client, make_centre())
    path = confirmation_link(app)
    post_form(client, path)
    for response in (client.get(path, follow_redirects=True), post_form(client, path, follow_redirects=True)):
        assert response.status_code == 200 and LINK_GONE in response.get_data(as_text=True)
    assert count(User) == 1


@pytest.mark.parametrize("token", ["unbekannt", "x" * 5000, "%ED%A0%80"])
def test_an_unknown_link_answers_with_a_message(client, token):
    path = "/register/confirm/" + token
    response = client.get(path)
    assert response.status_code == 302 and response.location == "/register"
    assert LINK_GONE in client.get("/register").get_data(as_text=True)
    assert post_form(client, path).status_code == 302


@pytest.mark.parametrize("token", ["a%00b", "%0D%0A"])
def test_a_link_with_control_characters_answers_4xx_or_the_message(client, token):
    for response in (client.get("/register/confirm/" + token), post_form(client, "/register/confirm/" + token)):
        assert response.status_code in (302, 404)


def test_a_link_expires_after_a_day(app, client, make_centre):
    register(client, make_centre())
    path = confirmation_link(app)
    with time.freeze(time.now() + timedelta(hours=24, seconds=1)):
        response = post_form(client, path, follow_redirects=True)
        assert LINK_GONE in response.get_data(as_text=True)
        assert count(User) == 0
        # The next registration clears what expired.
        register(app.test_client(), make_centre("anderswo"), email="jemand@example.org")
    assert db.session.scalars(sa.select(PendingRegistration.email)).all() == ["jemand@example.org"]


def test_a_new_request_for_the_address_replaces_the_old(app, client, make_centre):
    first, second = make_centre("erstes"), make_centre("zweites")
    register(client, first, name="Erster Versuch")
    old_path = confirmation_link(app)
    with time.freeze(time.now() + timedelta(minutes=2)):  # a second request within a minute waits
        register(client, second, name="Zweiter Versuch", password="ein-anderes-passwort")
        new_path = confirmation_link(app)

    assert LINK_GONE in post_form(client, old_path, follow_redirects=True).get_data(as_text=True)
    post_form(client, new_path)
    user = db.session.scalar(sa.select(User))
    assert (user.name, user.role_in(second), user.role_in(first)) == ("Zweiter Versuch", "volunteer", None)
    assert user.check_password("ein-anderes-passwort")


def test_an_account_made_meanwhile_is_not_made_twice(app, client, make_centre, make_user):
    register(client, make_centre())
    path = confirmation_link(app)
    make_user(email="amal@example.org")  # e.g. a coordinator added the same person in the meantime
    response = post_form(client, path, follow_redirects=True)
    assert response.status_code == 200
    assert "bereits registriert" in response.get_data(as_text=True)
    assert count(User) == 1


def test_the_confirmation_needs_the_forms_csrf_token(app, client, make_centre):
    register(client, make_centre())
    path = confirmation_link(app)
    assert client.post(path).status_code == 400
    assert count(User) == 0 and count(PendingRegistration) == 1


def test_the_known_address_mail_leads_to_a_new_password(app, client, make_centre, make_user):
    user = make_user(email="bekannt@example.org")
    register(client, make_centre(), email=user.email)
    [mail] = deliver_mails(app)
    assert "schon ein Konto" in mail.get_content()
    assert client.get(link_path(mail, "/password/forgot")).status_code == 200
    assert count(PendingRegistration) == 0

"""Every account mail goes through the outbox: the request queues it in its transaction and no
request talks to a mail server, so "forgot password" answers alike, and as fast, for a known and
an unknown address; the worker's pass then delivers the mail, and its link works."""

import re
import socket

import pytest
import sqlalchemy as sa

from tests.helpers import csrf_token, login, post_form
from tests.mail.mailbox import deliver_mails, link_path, mails_written
from volunteers.accounts import services
from volunteers.accounts.models import User
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail

CSRF_TOKENS = re.compile(r'(name="csrf_token"[^>]*value|name="csrf-token" content)="[^"]+"')
NEW_PASSWORD = "ganz-neues-passwort"


def queued_to() -> list[str]:
    return sorted(db.session.scalars(sa.select(OutgoingMail.recipient)))


@pytest.fixture
def mail_server(app):
    """A port that accepts connections but never answers: the worker's business, never a request's."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.getsockname()[1], MAIL_USE_TLS=False)
        yield server


def forgot(app, monkeypatch, email: str):
    """The answer to "forgot password" for `email`, and how many password hashes it made."""
    client = app.test_client()
    token = csrf_token(client)
    hashes = []
    real_hash = services.generate_password_hash
    monkeypatch.setattr(services, "generate_password_hash", lambda *a, **k: hashes.append(1) or real_hash(*a, **k))
    response = client.post("/password/forgot", data={"csrf_token": token, "email": email})
    monkeypatch.setattr(services, "generate_password_hash", real_hash)
    page = client.get(response.location).get_data(as_text=True)
    return (response.status_code, response.location, CSRF_TOKENS.sub("", page)), len(hashes)


def test_forgot_password_answers_alike_and_sends_nothing_in_the_request(app, make_user, mail_server, monkeypatch):
    make_user(email="bekannt@example.org")
    known, known_hashes = forgot(app, monkeypatch, "bekannt@example.org")
    unknown, unknown_hashes = forgot(app, monkeypatch, "niemand@example.org")
    assert known == unknown
    assert known[0] == 302 and "Wenn die Adresse bei uns registriert ist" in known[2]
    assert known_hashes == unknown_hashes == 0
    with pytest.raises(BlockingIOError):
        mail_server.accept()  # no request connected to the mail server
    assert queued_to() == ["bekannt@example.org"]


def test_the_worker_delivers_the_reset_mail_and_its_link_works(app, client, make_user):
    user = make_user()
    post_form(client, "/password/forgot", {"email": user.email})
    post_form(client, "/password/forgot", {"email": "niemand@example.org"})
    assert mails_written(app) == []
    [mail] = deliver_mails(app)
    assert mail["To"] == user.email and mail["Subject"] == "Treffpunkt: Passwort zurücksetzen"
    path = link_path(mail, "/password/reset/")
    response = post_form(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(app.test_client(), user, password=NEW_PASSWORD)
    assert queued_to() == []


def test_an_invitation_is_queued_with_the_new_account(app, client, make_centre, login):
    centre = make_centre()
    login("lead", centre)
    form = {"name": "Neue Kollegin", "email": "neu@ki.example", "role": "coordinator"}
    assert post_form(client, f"/centres/{centre.slug}/staff", form).status_code == 302
    assert mails_written(app) == [] and queued_to() == ["neu@ki.example"]
    [mail] = deliver_mails(app)
    assert mail["Subject"] == "Einladung zu Treffpunkt"
    assert client.get(link_path(mail, "/password/reset/")).status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "neu@ki.example")) is not None

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

from tests.helpers import PASSWORD, login, post_form
from volunteers.core import time

LINK = re.compile(r"https?://[^\s]+/password/reset/[^\s]+")


def reset_link(app) -> str:
    mails = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert mails, "no mail was written"
    message = email.message_from_bytes(mails[-1].read_bytes(), policy=email.policy.default)
    return LINK.search(message.get_content()).group(0).split("localhost", 1)[1]


def test_password_reset_by_mailed_link(app, client, make_user):
    user = make_user()
    response = post_form(client, "/password/forgot", {"email": user.email})
    assert response.status_code == 302
    path = reset_link(app)
    assert client.get(path).status_code == 200
    response = post_form(client, path, {"password": "ganz-neues-passwort", "password_confirm": "ganz-neues-passwort"})
    assert response.status_code == 302
    login(client, user, password="ganz-neues-passwort")
    # The link works once only.
    assert client.get(path).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client):
    response = post_form(client, "/password/forgot", {"email": "niemand@example.org"}, follow_redirects=True)
    assert "Wenn die Adresse bei uns registriert ist" in response.get_data(as_text=True)
    assert not list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))


def test_expired_link_is_refused(app, client, make_user):
    user = make_user()
    post_form(client, "/password/forgot", {"email": user.email})
    path = reset_link(app)
    with time.freeze(time.now() + timedelta(minutes=61)):
        response = client.get(path, follow_redirects=True)
    assert "Der Link ist abgelaufen" in response.get_data(as_text=True)
    login(client, user, password=PASSWORD)


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    post_form(laptop, "/password/forgot", {"email": user.email})
    path = reset_link(app)
    post_form(laptop, path, {"password": "ganz-neues-passwort", "password_confirm": "ganz-neues-passwort"})
    assert phone.get("/settings").status_code == 302

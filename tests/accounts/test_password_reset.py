"""Password reset by a mailed link: it works once and for an hour, and setting the new password
ends everything the old one opened: other browsers, remember-me cookies, API tokens."""

from datetime import timedelta

from tests.api.test_api_basics import token_for
from tests.helpers import PASSWORD, login, post_form
from tests.mail.mailbox import deliver_mails, link_path
from volunteers.core import time

NEW_PASSWORD = "ganz-neues-passwort"


def reset_path(app, client, user) -> str:
    """Ask for a reset link for `user`, let the worker send it, and return the link's path."""
    assert post_form(client, "/password/forgot", {"email": user.email}).status_code == 302
    mails = deliver_mails(app)
    assert mails, "no mail was written"
    return link_path(mails[-1], "/password/reset/")


def reset(client, path: str):
    return post_form(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})


def test_password_reset_by_mailed_link(app, client, make_user):
    user = make_user()
    path = reset_path(app, client, user)
    assert client.get(path).status_code == 200
    assert reset(client, path).status_code == 302
    login(client, user, password=NEW_PASSWORD)
    # The link works once only.
    assert client.get(path).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client):
    response = post_form(client, "/password/forgot", {"email": "niemand@example.org"}, follow_redirects=True)
    assert "Wenn die Adresse bei uns registriert ist" in response.get_data(as_text=True)
    assert deliver_mails(app) == []


def test_expired_link_is_refused(app, client, make_user):
    user = make_user()
    path = reset_path(app, client, user)
    with time.freeze(time.now() + timedelta(minutes=61)):
        response = client.get(path, follow_redirects=True)
    assert "Der Link ist abgelaufen" in response.get_data(as_text=True)
    login(client, user, password=PASSWORD)


def test_reset_ends_other_sessions_remember_cookies_and_api_tokens(app, make_user):
    user = make_user()
    phone, laptop, remembered, program = app.test_client(), app.test_client(), app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    post_form(remembered, "/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    remember_cookie = remembered.get_cookie("remember_token").value
    bearer = {"Authorization": f"Bearer {token_for(program, user)}"}
    assert phone.get("/settings").status_code == 200
    assert program.get("/api/v1/me", headers=bearer).status_code == 200

    assert reset(laptop, reset_path(app, laptop, user)).status_code == 302

    assert phone.get("/settings").status_code == 302
    cookie_only = app.test_client()
    cookie_only.set_cookie("remember_token", remember_cookie)
    assert cookie_only.get("/settings").status_code == 302
    refused = program.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"

"""Login sessions live on the server: logging out ends every copy of the cookies (the session
cookie and the one-year remember-me cookie), "Auf allen Geräten abmelden" ends the other browsers
and apps too, and the session and its CSRF token start afresh at login (no session fixation)."""

from datetime import timedelta

import sqlalchemy as sa

from tests.api.test_api_basics import token_for
from tests.helpers import PASSWORD, csrf_token, login, post_form
from volunteers.accounts.models import LoginSession
from volunteers.core import time
from volunteers.core.tokens import hash_token
from volunteers.extensions import db


def replayed(app, name: str, value: str):
    """A fresh browser holding only this copy of a cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def remembered_login(client, user):
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return client.get_cookie("remember_token").value


def test_a_session_cookie_copied_before_logout_opens_nothing_after(app, client, make_user):
    login(client, make_user())
    copy = client.get_cookie("session").value
    assert replayed(app, "session", copy).get("/settings").status_code == 200
    assert post_form(client, "/logout").status_code == 302
    assert replayed(app, "session", copy).get("/settings").status_code == 302


def test_a_remember_cookie_copied_before_logout_opens_nothing_after(app, client, make_user):
    copy = remembered_login(client, make_user())
    assert replayed(app, "remember_token", copy).get("/settings").status_code == 200
    assert post_form(client, "/logout").status_code == 302
    assert replayed(app, "remember_token", copy).get("/settings").status_code == 302


def test_sign_out_everywhere_ends_other_browsers_remember_cookies_and_apps(app, make_user):
    user = make_user()
    phone, laptop, program = app.test_client(), app.test_client(), app.test_client()
    remember_copy = remembered_login(phone, user)
    login(laptop, user)
    bearer = {"Authorization": f"Bearer {token_for(program, user)}"}
    settings = laptop.get("/settings").get_data(as_text=True)
    assert "Sie sind zurzeit in 3 Browsern oder Apps angemeldet." in settings

    response = post_form(laptop, "/settings/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    assert laptop.get("/settings").status_code == 302
    assert phone.get("/settings").status_code == 302
    assert replayed(app, "remember_token", remember_copy).get("/settings").status_code == 302
    assert program.get("/api/v1/me", headers=bearer).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0
    login(laptop, user)
    assert "Sie sind zurzeit in 1 Browser oder App angemeldet." in laptop.get("/settings").get_data(as_text=True)


def test_sign_out_everywhere_needs_post_with_csrf(client, login):
    login()
    assert client.get("/settings/sign-out-everywhere").status_code == 405
    assert client.post("/settings/sign-out-everywhere").status_code == 400
    assert client.get("/settings").status_code == 200


def test_login_starts_a_new_session_and_csrf_token(client, make_user):
    user = make_user()
    planted = csrf_token(client)  # what someone could have set up in the browser before the login
    session_before = client.get_cookie("session").value
    assert (
        client.post("/login", data={"csrf_token": planted, "email": user.email, "password": PASSWORD}).status_code
        == 302
    )
    assert client.get_cookie("session").value != session_before
    refused = client.post("/logout", data={"csrf_token": planted})
    assert refused.status_code == 400
    assert client.get("/settings").status_code == 200  # still signed in: the old token did nothing
    assert csrf_token(client) != planted
    assert post_form(client, "/logout").status_code == 302


def test_the_cookie_names_the_login_session_whose_hash_alone_is_stored(app, client, make_user):
    user = make_user()
    login(client, user)
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    stored = db.session.scalar(sa.select(LoginSession))
    assert cookie["_user_id"] not in (str(user.id), stored.token_hash)
    assert stored.token_hash == hash_token(cookie["_user_id"]) and stored.user_id == user.id


def test_a_login_session_unused_for_a_year_is_over(app, client, make_user):
    copy = remembered_login(client, make_user())
    with time.travel(time.now() + timedelta(days=366)):
        assert replayed(app, "remember_token", copy).get("/settings").status_code == 302


def test_last_use_is_written_by_writing_requests_at_most_every_few_minutes(client, make_user):
    login(client, make_user())

    def last_seen():
        return db.session.scalar(sa.select(LoginSession.last_seen_at))

    signed_in_at = last_seen()
    with time.travel(time.now() + timedelta(minutes=10)):
        assert client.get("/settings").status_code == 200
        assert last_seen() == signed_in_at  # reads never write
        assert post_form(client, "/language/en").status_code == 302
        written = last_seen()
        assert written > signed_in_at
        assert post_form(client, "/language/de").status_code == 302
        assert last_seen() == written

import sqlalchemy as sa

from tests.helpers import PASSWORD, post_form
from volunteers.accounts.models import LoginFailure
from volunteers.extensions import db


def test_login_and_logout(client, login, make_user):
    login(user=make_user(name="Olena Kovalenko"))
    assert "Hallo Olena Kovalenko" in client.get("/").get_data(as_text=True)
    response = post_form(client, "/logout")
    assert response.status_code == 302
    assert "Hallo" not in client.get("/").get_data(as_text=True)


def test_logout_needs_post_with_csrf(client, login):
    login()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/settings").status_code == 200


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user()
    wrong_password = post_form(client, "/login", {"email": user.email, "password": "falsch-falsch"})
    unknown_email = post_form(client, "/login", {"email": "niemand@example.org", "password": PASSWORD})
    assert wrong_password.status_code == unknown_email.status_code == 401

    def strip(response) -> str:
        return response.get_data(as_text=True).replace(user.email, "").replace("niemand@example.org", "")

    assert strip(wrong_password).count("E-Mail-Adresse oder Passwort ist falsch.") == 1
    assert _without_csrf(strip(wrong_password)) == _without_csrf(strip(unknown_email))


def _without_csrf(page: str) -> str:
    """Without form values and the CSRF token in the page's meta tag: a token names the second it
    was made, so two requests a second apart differ there."""
    import re

    return re.sub(r'(value|content)="[^"]*"', "", page)


def test_login_is_locked_after_repeated_failures(client, make_user):
    user = make_user()
    for _ in range(5):
        assert post_form(client, "/login", {"email": user.email, "password": "falsch-falsch"}).status_code == 401
    locked = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in locked.get_data(as_text=True)
    # The throttle table stores hashes, never the address itself.
    assert all(user.email not in f.key_hash for f in db.session.scalars(sa.select(LoginFailure)))


def test_login_redirects_only_to_local_paths(client, make_user):
    user = make_user()
    response = post_form(client, "/login?next=https://evil.example/", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    post_form(client, "/logout")
    response = post_form(client, "/login?next=/settings", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/settings"


def test_protected_page_sends_anonymous_to_login(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")

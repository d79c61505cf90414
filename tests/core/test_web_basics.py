"""Health check, security headers, and no inline script anywhere (the CSP forbids it)."""

import re

import pytest


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_secure_outside_development(monkeypatch, tmp_path):
    from volunteers import create_app

    monkeypatch.delenv("TREFFPUNKT_DEV", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\"", re.I)


@pytest.mark.parametrize("role", [None, "volunteer", "coordinator", "lead", "admin", "state"])
def test_pages_carry_no_inline_script(app, client, login, make_centre, make_meeting_point, role):
    centre = make_centre()
    meeting_point = make_meeting_point(centre)
    if role:
        login(role, centre if role in ("volunteer", "coordinator", "lead") else None)
    paths = [str(rule) for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments]
    paths += [f"/centres/{centre.slug}/", f"/centres/{centre.slug}/meeting-points/{meeting_point.id}/edit"]
    for path in paths:
        response = client.get(path)
        if response.mimetype == "text/html":
            assert not INLINE_SCRIPT.search(response.get_data(as_text=True)), path

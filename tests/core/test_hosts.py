"""Links point to the configured public address whatever Host a request names, and requests for
hosts we do not serve are refused with 400 (Flask's TRUSTED_HOSTS), not a 500: a forged Host
cannot put its own address into a password-reset mail (account takeover)."""

import pytest

from tests.conftest import config_for_tests, database_url
from tests.helpers import post_form
from tests.mail.mailbox import deliver_mails, mails_written
from volunteers import create_app
from volunteers.core.links import external_url
from volunteers.core.security import default_trusted_hosts

PUBLIC = "https://treffpunkt.example.nrw"
EVIL = "evil.example"


@pytest.fixture
def public_address(app):
    """A public address other than the test client's own, so that a link built from the request
    (http://localhost) cannot pass for one built from the configuration."""
    app.config["PUBLIC_BASE_URL"] = PUBLIC + "/"


def test_reset_link_is_on_the_public_address_whatever_the_request_says(app, client, make_user, public_address):
    user = make_user()
    # Without BEHIND_PROXY a forwarded host is only a header: it must reach no link.
    response = post_form(client, "/password/forgot", {"email": user.email}, headers={"X-Forwarded-Host": EVIL})
    assert response.status_code == 302
    (mail,) = deliver_mails(app)
    assert f"{PUBLIC}/password/reset/" in mail.get_content()
    assert EVIL not in mail.get_content() and "localhost" not in mail.get_content()


def test_api_and_feed_links_are_on_the_public_address(client, make_centre, make_meeting_point, public_address):
    make_meeting_point(make_centre())
    (item,) = client.get("/api/v1/meeting-points", headers={"X-Forwarded-Host": EVIL}).get_json()["items"]
    assert item["calendar_url"] == f"{PUBLIC}/calendar/p/{item['slug']}.ics"


def test_external_url_works_outside_a_request_and_below_a_path(app):
    app.config["PUBLIC_BASE_URL"] = "https://example.org/treffpunkt/"
    assert external_url("accounts.reset_password", token="abc") == "https://example.org/treffpunkt/password/reset/abc"
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    assert external_url("feeds.public_feed", slug="a b") == f"{PUBLIC}/calendar/p/a%20b.ics"


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/login"), ("POST", "/password/forgot")])
def test_an_unknown_host_gets_a_plain_400_page(app, client, make_user, method, path):
    user = make_user()
    response = client.open(path, method=method, data={"email": user.email}, headers={"Host": EVIL})
    assert response.status_code == 400
    assert response.mimetype == "text/plain" and "gehört nicht zu Treffpunkt" in response.get_data(as_text=True)
    assert deliver_mails(app) == []


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/api/v1/meeting-points", {}),
        ("/push/vapid-public-key", {}),
        ("/privacy", {"Accept": "application/json"}),
    ],
)
def test_an_unknown_host_gets_the_error_format_where_json_is_expected(client, path, headers):
    response = client.get(path, headers={"Host": f"{EVIL}:443", **headers})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "untrusted_host"


def test_the_test_hosts_are_trusted(client):
    for host in ("localhost", "127.0.0.1:8000"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.database("sqlite")
def test_behind_a_proxy_the_forwarded_host_is_checked_too(app, tmp_path):
    proxied = create_app(
        config_for_tests(database_url("sqlite", tmp_path), tmp_path) | {"BEHIND_PROXY": True, "PUBLIC_BASE_URL": PUBLIC}
    )
    client = proxied.test_client()
    assert client.get("/healthz", headers={"X-Forwarded-Host": EVIL}).status_code == 400
    assert (
        client.get(
            "/healthz", headers={"Host": "10.0.0.5:8200", "X-Forwarded-Host": "treffpunkt.example.nrw"}
        ).status_code
        == 200
    )
    assert mails_written(proxied) == []


@pytest.mark.parametrize(
    "public, trusted",
    [
        ("https://treffpunkt.example.nrw", ["treffpunkt.example.nrw"]),
        ("https://treffpunkt.example.nrw:8443/app", ["treffpunkt.example.nrw"]),
        ("http://127.0.0.1:5000", ["127.0.0.1", "localhost"]),
        ("http://localhost", ["127.0.0.1", "localhost"]),
    ],
)
def test_the_trusted_hosts_default_to_the_public_address(public, trusted):
    assert default_trusted_hosts(public) == trusted


@pytest.mark.database("sqlite")
def test_trusted_hosts_come_from_the_environment(app, tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "treffpunkt.example.nrw, .kreis.example")
    config = config_for_tests(database_url("sqlite", tmp_path), tmp_path)
    del config["TRUSTED_HOSTS"]
    configured = create_app(config)
    assert configured.config["TRUSTED_HOSTS"] == ["treffpunkt.example.nrw", ".kreis.example"]
    client = configured.test_client()
    assert client.get("/healthz", headers={"Host": "siegen.kreis.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400

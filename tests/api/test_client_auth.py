"""Every endpoint a program calls takes a bearer token, not only /api/v1 (the report downloads,
the push endpoints); HTML pages do not (a token is not a browser login). A program's request
without valid credentials gets 401 in the error format, never the login page."""

import pytest

from tests.api.test_api_basics import token_for
from tests.helpers import csrf_token

DOWNLOADS = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@pytest.fixture
def coordinator(make_centre, make_user):
    return make_user("coordinator", make_centre("kreis-siegen"))


def bearer(client, user) -> dict:
    return {"Authorization": f"Bearer {token_for(client, user)}"}


@pytest.mark.parametrize("output", DOWNLOADS)
def test_report_downloads_take_a_bearer_token(client, coordinator, make_user, output):
    centre = client.get(f"/reports/centre/kreis-siegen?format={output}", headers=bearer(client, coordinator))
    assert centre.status_code == 200 and centre.mimetype == DOWNLOADS[output]
    state = client.get(f"/reports/state?format={output}", headers=bearer(client, make_user("state")))
    assert state.status_code == 200 and state.mimetype == DOWNLOADS[output]


def test_report_json_is_the_token_owners(client, coordinator):
    figures = client.get("/reports/centre/kreis-siegen?format=json", headers=bearer(client, coordinator)).get_json()
    assert "volunteer_minutes" in figures


@pytest.mark.parametrize(
    "path", ["/reports/centre/kreis-siegen", "/reports/centre/kreis-siegen?format=html", "/settings", "/"]
)
def test_html_pages_ignore_bearer_tokens(client, coordinator, path):
    response = client.get(path, headers=bearer(client, coordinator))
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
    else:
        assert coordinator.name not in response.get_data(as_text=True)


def test_bearer_token_works_on_the_push_endpoints(client, coordinator):
    auth = bearer(client, coordinator)
    # Signed in and past CSRF: the service answers that no device has push switched on.
    assert client.post("/push/test", headers=auth).get_json()["error"]["code"] == "no_device"
    gone = client.delete("/push/subscriptions", json={"endpoint": "https://fcm.googleapis.com/x"}, headers=auth)
    assert gone.status_code == 404 and gone.get_json()["error"]["code"] == "not_found"


def test_push_writes_with_the_cookie_need_csrf_also_beside_a_bogus_token(client, login):
    login()
    for headers in ({}, {"Authorization": "Bearer x"}):
        refused = client.post("/push/test", headers=headers)
        assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.post("/push/test", headers={"X-CSRFToken": csrf_token(client)})
    assert accepted.get_json()["error"]["code"] == "no_device"


@pytest.mark.parametrize(
    "method, path, headers",
    [
        ("GET", "/api/v1/me", {}),
        ("GET", "/api/v1/me", {"Authorization": "Bearer x"}),
        ("POST", "/push/test", {}),
        ("POST", "/push/subscriptions", {"Authorization": "Bearer x"}),
        ("GET", "/reports/centre/kreis-siegen?format=json", {}),
        ("GET", "/reports/centre/kreis-siegen?format=csv", {"Authorization": "Bearer x"}),
        ("GET", "/reports/state?format=xlsx", {}),
        ("GET", "/reports/state?format=pdf", {}),
        ("GET", "/settings", {"Accept": "application/json"}),
        ("GET", "/reports/centre/kreis-siegen", {"Accept": "application/json"}),
    ],
)
def test_a_program_without_credentials_gets_401_in_the_error_format(client, coordinator, method, path, headers):
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert "Location" not in response.headers


def test_a_browser_without_credentials_still_goes_to_the_login_page(client, coordinator):
    response = client.get("/reports/centre/kreis-siegen", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")

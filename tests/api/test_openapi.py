"""GET /api/v1/openapi.json describes every route a program calls: each route under /api/v1 and the
report downloads, no more and no fewer, with the bearer scheme wherever a login is needed."""

import re

import pytest

# Routes outside /api/v1 that programs call and the document therefore describes.
PROGRAM_ROUTES = {"/reports/centre/<slug>", "/reports/state"}
PUBLIC = {("/api/v1/auth/token", "post"), ("/api/v1/meeting-points", "get")}
PUBLIC |= {("/api/v1/activities", "get"), ("/api/v1/openapi.json", "get")}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def described(document: dict) -> dict[tuple[str, str], dict]:
    """Each operation by its full path as the app routes it (the servers' URL before the path)."""
    base = document["servers"][0]["url"]
    operations = {}
    for path, item in document["paths"].items():
        root = item.get("servers", [{"url": base}])[0]["url"].rstrip("/")
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                operations[(root + path, method)] = operation
    return operations


def routed(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.rule in PROGRAM_ROUTES:
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            found |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_describes_exactly_the_routes_programs_call(app, document):
    operations = set(described(document))
    assert routed(app) - operations == set(), "routes missing from openapi.json"
    assert operations - routed(app) == set(), "openapi.json describes routes the app does not have"
    for expected in [
        ("/api/v1/me/calendar-feed", "post"),
        ("/api/v1/me/calendar-feed", "delete"),
        ("/reports/centre/{slug}", "get"),
        ("/reports/state", "get"),
    ]:
        assert expected in operations


def test_every_operation_but_the_public_ones_needs_the_bearer_token(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    assert {"bearer": []} in document["security"]
    for key, operation in described(document).items():
        security = operation.get("security", document["security"])
        if key in PUBLIC:
            assert security == [], key
        else:
            assert {"bearer": []} in security, key
            assert "401" in operation["responses"], key


def test_reports_document_their_parameters_and_answers(document):
    operations = described(document)
    for path, figures in (("/reports/centre/{slug}", "CentreReport"), ("/reports/state", "StateReport")):
        operation = operations[(path, "get")]
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert {"from", "to", "format"} <= set(parameters)
        assert parameters["format"]["schema"]["enum"] == ["html", "json", "csv", "xlsx", "pdf"]
        content = operation["responses"]["200"]["content"]
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{figures}"}
        assert {"text/csv", "application/pdf", "text/html"} <= set(content)
    centre = document["components"]["schemas"]["CentreReport"]
    for field in ("volunteer_minutes", "staff_minutes", "volunteer_share", "in_kind_value_eur"):
        assert field in centre["required"] and field in centre["properties"]
    for field in ("active_volunteers", "pending_minutes"):
        assert field in centre["required"]
    assert document["components"]["schemas"]["CalendarFeed"]["required"] == ["url"]

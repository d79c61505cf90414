"""GET /api/v1/me/certificate (PDF) and GET /api/v1/me/engagement, with a bearer token."""

from datetime import timedelta

import pytest

from tests.engagement.conftest import world  # noqa: F401 - the shared fixture
from tests.engagement.test_progress import pdf_text
from tests.helpers import PASSWORD
from volunteers.core import time
from volunteers.engagement.models import EngagementCertificate
from volunteers.extensions import db


@pytest.fixture
def bearer(world, client):  # noqa: F811
    token = client.post("/api/v1/auth/token", json={"email": "olena@example.org", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def count_certificates() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(EngagementCertificate))


def test_the_certificate_comes_as_a_pdf_whose_code_the_verify_page_confirms(world, client, bearer):  # noqa: F811
    world.hours(world.volunteer, 3, 150)
    response = client.get("/api/v1/me/certificate", headers=bearer)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    code = response.headers["X-Verification-Code"]
    assert code in pdf_text(response.data) and "2:30 Std." in pdf_text(response.data)
    assert count_certificates() == 1  # stored although it was a GET
    verified = client.application.test_client().get(f"/verify/{code}")
    assert verified.status_code == 200 and "2:30 h" in verified.get_data(as_text=True)
    again = client.get("/api/v1/me/certificate", headers=bearer)
    assert again.headers["X-Verification-Code"] == code and count_certificates() == 1


def test_the_period_is_taken_from_from_and_to(world, client, bearer, today):  # noqa: F811
    world.hours(world.volunteer, 3, 150)
    world.hours(world.volunteer, 30, 60)
    period = {"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}
    response = client.get("/api/v1/me/certificate", headers=bearer, query_string=period)
    assert response.status_code == 200
    assert db.session.scalars(db.select(EngagementCertificate)).one().total_minutes == 150


# Days relative to the test's day (negative: ahead); strings as sent.
@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"from": "2026-13-01"}, "invalid", "from"),
        ({"to": "morgen"}, "invalid", "to"),
        ({"from": 8, "to": 17}, "invalid_period", "from"),
        ({"to": -1}, "future_period", "to"),
        ({"to": -45}, "future_period", "to"),
        ({"from": 1, "to": 1}, "no_hours", "from"),
        ({"from": 366 * 10 + 1, "to": 1}, "invalid_period", "from"),
        ({"from": "1990-01-01"}, "invalid", "from"),
        ({"centre": "nirgendwo"}, "invalid", "centre"),
    ],
)
def test_bad_periods_answer_422_in_the_error_format_and_store_nothing(world, client, bearer, today, query, code, field):  # noqa: F811
    world.hours(world.volunteer, 3, 150)
    query = {k: (today - timedelta(days=v)).isoformat() if isinstance(v, int) else v for k, v in query.items()}
    response = client.get("/api/v1/me/certificate", headers=bearer, query_string=query)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code and response.get_json()["error"]["field"] == field
    assert count_certificates() == 0


def test_a_centre_of_someone_else_is_refused(world, client, bearer, make_centre):  # noqa: F811
    world.hours(world.volunteer, 3, 150)
    other = make_centre("woanders")
    response = client.get("/api/v1/me/certificate", headers=bearer, query_string={"centre": other.slug})
    assert response.status_code == 422 and count_certificates() == 0


def test_without_credentials_both_answer_401(app, client):
    for path in ("/api/v1/me/certificate", "/api/v1/me/engagement"):
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["error"]["code"]


def test_engagement_tells_hours_weekly_average_years_and_whether_the_criteria_are_met(world, client, bearer, today):  # noqa: F811
    world.hours(world.volunteer, 800, 60)
    world.spread(world.volunteer, 210 * 60)
    [item] = client.get("/api/v1/me/engagement", headers=bearer).get_json()["items"]
    assert item["centre"] == world.centre.slug
    assert item["minutes_last_12_months"] == 210 * 60 and item["hours_last_12_months"] == 210
    days = (today - time.years_before(today, 1)).days  # 366 when the 12 months hold a 29 February
    assert item["weekly_average_minutes"] == round(210 * 60 / (days / 7))
    assert item["engaged_since"] == (today - timedelta(days=800)).isoformat()
    assert item["years_engaged"] == 2.1
    assert item["criteria"] == {"hours_per_year": 200, "hours_per_week": 4, "min_years": 2}
    assert item["criteria_met"] is True and item["missing_minutes"] == 0


def test_engagement_follows_the_centres_own_criteria(world, client, bearer):  # noqa: F811
    world.hours(world.volunteer, 800, 60)
    world.spread(world.volunteer, 210 * 60)
    world.centre.ehrenamtskarte_hours_per_year, world.centre.ehrenamtskarte_hours_per_week = 250, 5
    db.session.commit()
    [item] = client.get("/api/v1/me/engagement", headers=bearer).get_json()["items"]
    assert item["criteria_met"] is False and item["missing_minutes"] == 40 * 60

"""The certificate of engagement: issued from "Mein Engagement" as a PDF with a code, confirmed by
the public /verify/<code> with the snapshot of issue time and nothing else about the person."""

import re
from datetime import timedelta

import pytest
from babel.dates import format_date

from tests.engagement.test_progress import pdf_text
from tests.helpers import login, post_form
from volunteers.audit.models import AuditEvent
from volunteers.audit.words import describe_event
from volunteers.engagement.models import EngagementCertificate, new_code
from volunteers.engagement.services import certificate_by_code, normalised_code
from volunteers.extensions import db

CODE = re.compile(r"Prüfcode: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


def issue(client, world, start=None, end=None):
    start = start or world.today - timedelta(days=364)
    end = end or world.today
    return post_form(client, "/engagement/certificates", {"start": start.isoformat(), "end": end.isoformat()})


def german_date(day) -> str:
    """As the pages write a day: "18. November 2026"."""
    return format_date(day, format="long", locale="de")


def only_certificate() -> EngagementCertificate:
    return db.session.scalars(db.select(EngagementCertificate)).one()


@pytest.fixture
def issued(world, client):
    world.hours(world.volunteer, 3, 120, activity="sprachcafe")
    world.hours(world.volunteer, 4, 90, activity="behoerdenbegleitung")
    world.hours(world.volunteer, 6, 600, decide="reject")
    login(client, world.volunteer)
    response = issue(client, world)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_the_certificate_lists_activities_hours_places_centre_and_lead_with_a_code(world, issued):
    assert issued.mimetype == "application/pdf"
    assert "attachment" in issued.headers["Content-Disposition"]
    text = pdf_text(issued.data)
    assert "Nachweis über ehrenamtliches Engagement" in text
    assert "Олена Коваленко" in text and "KI Kreis Siegen-Wittgenstein" in text and "Lena Leitung" in text
    assert "Sprachcafé" in text and "2:00 Std." in text and "1:30 Std." in text and "3:30 Std." in text
    assert "Treffpunkt Kreishaus" in text
    code = CODE.search(text).group(1)
    assert code == only_certificate().readable_code
    assert f"http://localhost/verify/{code}" in text or f"/verify/{code}" in text


def test_the_verify_page_shows_only_centre_name_period_hours_and_issue_date(world, issued, client):
    certificate = only_certificate()
    client.get("/logout")
    anonymous = client.application.test_client()
    response = anonymous.get(f"/verify/{certificate.readable_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Das Zentrum hat diesen Nachweis ausgestellt." in page
    assert "Олена Коваленко" in page and "KI Kreis Siegen-Wittgenstein" in page and "3:30 h" in page
    assert german_date(world.today) in page  # issued today
    for private in ("olena@example.org", "Sprachcafé", "Treffpunkt Kreishaus", "Behördenbegleitung", "Lena Leitung"):
        assert private not in page
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_the_code_is_found_however_it_is_typed(world, issued):
    code = only_certificate().code
    typed = f" {code[:4].lower()} - {code[4:8]}-{code[8:]} "
    assert certificate_by_code(typed).code == code
    assert normalised_code("O0O0-1111-IIII-LLLL") is None  # letters the codes never use


def test_codes_are_random_and_do_not_repeat():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(code) == 16 for code in codes)


def test_an_unknown_code_is_a_plain_404_and_tells_nothing(app, client):
    for code in ("ABCD-EFGH-JKMN-PQRS", "x", "../../etc/passwd", "A" * 500):
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404
        assert "Nachweis nicht gefunden" in response.get_data(as_text=True)
        assert "noindex" in response.headers["X-Robots-Tag"]


def test_searching_for_codes_is_stopped(app, client):
    statuses = [client.get(f"/verify/ABCD-EFGH-JKMN-{n:04d}").status_code for n in range(22)]
    assert statuses[:20] == [404] * 20 and statuses[20:] == [429, 429]


def test_the_snapshot_stays_when_hours_and_names_change_later(world, issued, client):
    certificate = only_certificate()
    world.hours(world.volunteer, 5, 240)  # more approved hours inside the certified period
    world.volunteer.name = "Olena K."
    db.session.commit()
    page = client.get(f"/verify/{certificate.readable_code}").get_data(as_text=True)
    assert "3:30 h" in page and "Олена Коваленко" in page and "7:30 h" not in page
    text = pdf_text(client.get(f"/engagement/certificates/{certificate.id}.pdf").data)
    assert "3:30 Std." in text and certificate.readable_code in text


def test_the_same_period_with_the_same_hours_gives_the_same_code(world, issued, client):
    again = issue(client, world)
    assert again.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(EngagementCertificate)) == 1
    world.hours(world.volunteer, 8, 30)
    issue(client, world)
    assert db.session.scalar(db.select(db.func.count()).select_from(EngagementCertificate)) == 2


def test_a_revoked_certificate_says_so_on_the_verify_page(world, issued, client):
    certificate = only_certificate()
    response = post_form(client, f"/engagement/certificates/{certificate.id}/revoke")
    assert response.status_code == 302
    page = client.get(f"/verify/{certificate.readable_code}").get_data(as_text=True)
    assert "widerrufen" in page and "Das Zentrum hat diesen Nachweis ausgestellt." not in page
    assert "widerrufen" in client.get("/engagement").get_data(as_text=True)


def test_issuing_and_revoking_are_in_the_audit_trail_in_words(world, issued, client):
    certificate = only_certificate()
    post_form(client, f"/engagement/certificates/{certificate.id}/revoke")
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity == "engagement_certificate").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["issued", "revoked"]
    assert all(e.centre_id == world.centre.id for e in events)
    period = f"{german_date(world.today - timedelta(days=364))} bis {german_date(world.today)}"
    assert describe_event(events[0], "de") == f"Ehrenamtsnachweis für Олена Коваленко ausgestellt ({period})"
    assert describe_event(events[1], "de").startswith("Ehrenamtsnachweis für Олена Коваленко widerrufen")


def test_the_page_lists_issued_certificates(world, issued, client):
    page = client.get("/engagement").get_data(as_text=True)
    assert "Ausgestellte Nachweise" in page and only_certificate().readable_code in page


def test_someone_else_cannot_download_or_revoke_a_certificate(world, issued, client, make_user):
    certificate = only_certificate()
    other = make_user("volunteer", world.centre)
    login(client, other)
    assert client.get(f"/engagement/certificates/{certificate.id}.pdf").status_code == 404
    assert post_form(client, f"/engagement/certificates/{certificate.id}/revoke").status_code == 404
    db.session.refresh(certificate)
    assert certificate.revoked_at is None


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-10, -20, "Der Zeitraum beginnt nach seinem Ende."),
        (-10, 1, "Der Zeitraum darf nicht in der Zukunft enden."),
        (-4000, 0, "Ein Nachweis umfasst höchstens 10 Jahre."),
        (-2, 0, "In diesem Zeitraum gibt es keine freigegebenen Stunden."),
    ],
)
def test_a_period_that_cannot_be_certified_is_a_form_error_and_issues_nothing(world, client, start, end, message):
    world.hours(world.volunteer, 10, 60)
    login(client, world.volunteer)
    response = issue(client, world, world.today + timedelta(days=start), world.today + timedelta(days=end))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(EngagementCertificate)) == 0


def test_a_broken_date_is_a_form_error(world, client):
    login(client, world.volunteer)
    response = post_form(client, "/engagement/certificates", {"start": "2026-02-31", "end": "gestern"})
    assert response.status_code == 422


def test_the_export_holds_the_certificates_and_deletion_removes_them(world, issued, client):
    from tests.helpers import PASSWORD

    exported = client.get("/api/v1/me/export").get_json()
    [certificate] = exported["engagement_certificates"]
    assert certificate["holder_name"] == "Олена Коваленко" and certificate["total_minutes"] == 210
    code = certificate["code"]
    token = client.post("/api/v1/auth/token", json={"email": "olena@example.org", "password": PASSWORD}).get_json()
    deleted = client.delete(
        "/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"}, json={"password": PASSWORD}
    )
    assert deleted.status_code == 204
    assert db.session.scalar(db.select(db.func.count()).select_from(EngagementCertificate)) == 0
    assert client.application.test_client().get(f"/verify/{code}").status_code == 404

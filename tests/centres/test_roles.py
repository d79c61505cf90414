"""What each role may do with a centre, as the specification's table says."""

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import post_form
from tests.mail.mailbox import deliver_mails
from volunteers.accounts.models import User
from volunteers.centres.models import Centre, MeetingPoint
from volunteers.extensions import db

MEETING_POINT = {
    "name": "Sprachcafé Kreuztal",
    "municipality": "Kreuztal",
    "street": "Siegener Straße 5",
    "postcode": "57223",
    "city": "Kreuztal",
    "languages": ["de", "ar"],
    "default_baustein": "B",
}


@pytest.mark.parametrize("role, status", [("volunteer", 404), ("coordinator", 200), ("lead", 200)])
def test_centre_overview_is_for_staff(client, make_centre, login, role, status):
    centre = make_centre()
    login(role, centre)
    assert client.get(f"/centres/{centre.slug}/").status_code == status


@pytest.mark.parametrize("role", ["state", "admin"])
def test_state_viewer_and_admin_see_no_centre_pages(client, make_centre, login, role):
    centre = make_centre()
    login(role)
    assert client.get(f"/centres/{centre.slug}/").status_code == 404


def test_coordinator_creates_and_edits_a_meeting_point(client, make_centre, login):
    centre = make_centre()
    login("coordinator", centre)
    response = post_form(client, f"/centres/{centre.slug}/meeting-points/new", MEETING_POINT)
    assert response.status_code == 302
    meeting_point = db.session.scalar(sa.select(MeetingPoint))
    assert meeting_point.centre_id == centre.id
    assert meeting_point.languages == ["de", "ar"]
    assert meeting_point.slug == f"{centre.slug}-sprachcafe-kreuztal"
    response = post_form(
        client,
        f"/centres/{centre.slug}/meeting-points/{meeting_point.id}/edit",
        {**MEETING_POINT, "name": "Sprachcafé Kreuztal-Mitte", "latitude": "50.962", "longitude": "7.9886"},
    )
    assert response.status_code == 302
    db.session.refresh(meeting_point)
    assert (meeting_point.name, meeting_point.latitude) == ("Sprachcafé Kreuztal-Mitte", 50.962)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"postcode": "5722"}, "Bitte eine fünfstellige Postleitzahl angeben."),
        ({"name": ""}, "Bitte füllen Sie dieses Feld aus."),
        ({"latitude": "51.0"}, "Bitte geben Sie Breiten- und Längengrad zusammen an."),
        ({"latitude": "48.1", "longitude": "11.5"}, "Der Ort muss in Nordrhein-Westfalen liegen."),
        ({"languages": ["xx"]}, "Bitte wählen Sie nur Einträge aus der Liste."),
        ({"latitude": "nördlich", "longitude": "7.9"}, "Bitte eine Zahl wie 51.2131 angeben."),
        ({"default_baustein": "E"}, "Keine gültige Auswahl"),
    ],
)
def test_bad_meeting_point_input_is_refused(client, make_centre, login, changes, message):
    centre = make_centre()
    login("coordinator", centre)
    response = post_form(client, f"/centres/{centre.slug}/meeting-points/new", {**MEETING_POINT, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingPoint)) == 0


def test_only_the_lead_manages_staff(app, client, make_centre, make_user, login):
    centre = make_centre()
    login("coordinator", centre)
    assert client.get(f"/centres/{centre.slug}/staff").status_code == 404

    lead_client = app.test_client()
    helpers.login(lead_client, make_user("lead", centre))
    response = post_form(
        lead_client,
        f"/centres/{centre.slug}/staff",
        {"name": "Neue Kollegin", "email": "neu@ki.example", "role": "coordinator"},
    )
    assert response.status_code == 302
    newcomer = db.session.scalar(sa.select(User).where(User.email == "neu@ki.example"))
    assert newcomer.role_in(centre) == "coordinator"
    # The invitation carries a link to choose a password.
    [mail] = deliver_mails(app)  # the worker's pass sends what the request queued
    assert "/password/reset/" in mail.get_content()

    response = post_form(lead_client, f"/centres/{centre.slug}/staff/{newcomer.id}/remove")
    assert response.status_code == 302
    db.session.refresh(newcomer)
    assert newcomer.role_in(centre) is None


def test_admin_creates_a_centre_and_names_its_lead(client, login):
    login("admin")
    response = post_form(
        client,
        "/admin/centres",
        {
            "name": "Kommunales Integrationszentrum Kreis Olpe",
            "district": "Kreis Olpe",
            "regierungsbezirk": "Arnsberg",
            "street": "Westfälische Straße 75",
            "postcode": "57462",
            "city": "Olpe",
        },
    )
    assert response.status_code == 302
    centre = db.session.scalar(sa.select(Centre).where(Centre.slug == "kreis-olpe"))
    assert centre.regierungsbezirk == "Arnsberg"
    response = post_form(
        client, "/admin/centres/kreis-olpe/lead", {"name": "Petra Lenz", "email": "leitung@olpe.example"}
    )
    assert response.status_code == 302
    lead = db.session.scalar(sa.select(User).where(User.email == "leitung@olpe.example"))
    assert lead.is_lead_of(centre)


@pytest.mark.parametrize("role", ["volunteer", "coordinator", "lead", "state"])
def test_admin_pages_are_for_the_admin_only(client, login, role):
    login(role)
    assert client.get("/admin/centres").status_code == 404

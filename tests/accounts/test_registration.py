import pytest
import sqlalchemy as sa

from tests.helpers import post_form
from tests.mail.mailbox import deliver_mails, link_path
from volunteers.accounts.models import User
from volunteers.accounts.registrations import PendingRegistration
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail

VALID = {
    "name": "Amal Haddad",
    "email": "Amal.Haddad@Example.org",
    "password": "lange-genug-1",
    "password_confirm": "lange-genug-1",
    "consent": "y",
}


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_registration_creates_volunteer_with_recorded_consent(app, client, make_centre):
    centre = make_centre("siegen-wittgenstein")
    response = post_form(client, "/register", {**VALID, "centre": centre.slug})
    assert response.status_code == 302
    assert user_count() == 0, "no account before the address is confirmed"
    [mail] = deliver_mails(app)
    assert mail["To"] == "amal.haddad@example.org"
    path = link_path(mail, "/register/confirm/")
    assert post_form(client, path).status_code == 302
    user = db.session.scalar(sa.select(User))
    assert user.email == "amal.haddad@example.org"
    assert user.role_in(centre) == "volunteer"
    assert user.consent_version == client.application.config["PRIVACY_NOTICE_VERSION"]
    assert user.consent_at is not None and user.consent_at.tzinfo is not None
    assert user.check_password(VALID["password"]) and user.password_hash != VALID["password"]
    # Signed in straight away.
    assert "Hallo Amal Haddad" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
        ({"name": "x" * 121}, "Der Name darf höchstens 120 Zeichen lang sein."),
        ({"email": ""}, "Bitte geben Sie Ihre E-Mail-Adresse ein."),
        ({"email": "keine-adresse"}, "Bitte geben Sie eine gültige E-Mail-Adresse ein."),
        ({"email": "a" * 250 + "@example.org"}, "Die E-Mail-Adresse ist zu lang."),
        ({"password": "kurz", "password_confirm": "kurz"}, "Das Passwort muss zwischen 10 und 200 Zeichen lang sein."),
        ({"password_confirm": "etwas-anderes-1"}, "Die Passwörter stimmen nicht überein."),
        ({"consent": ""}, "Ohne Ihre Einwilligung können wir Sie nicht registrieren."),
        ({"centre": ""}, "Bitte wählen Sie ein Zentrum."),
        ({"centre": "gibt-es-nicht"}, "Not a valid choice"),
    ],
)
def test_bad_registration_shows_german_error_and_stores_nothing(client, make_centre, changes, message):
    centre = make_centre()
    response = post_form(client, "/register", {**VALID, "centre": centre.slug, **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    if message == "Not a valid choice":
        message = "Keine gültige Auswahl"  # WTForms' own German catalogue
    assert message in page
    assert 'aria-invalid="true"' in page
    assert user_count() == 0
    assert not db.session.scalar(sa.select(sa.exists().where(OutgoingMail.id.is_not(None))))
    assert not db.session.scalar(sa.select(sa.exists().where(PendingRegistration.id.is_not(None))))


def test_a_registered_address_gets_the_same_answer_and_a_mail_instead(app, client, make_centre, make_user):
    centre = make_centre()
    make_user(email="amal.haddad@example.org")
    response = post_form(client, "/register", {**VALID, "centre": centre.slug}, follow_redirects=True)
    assert response.status_code == 200
    assert "Wir haben Ihnen eine E-Mail geschickt" in response.get_data(as_text=True)
    assert "bereits registriert" not in response.get_data(as_text=True)
    assert user_count() == 1
    [mail] = deliver_mails(app)
    assert mail["To"] == "amal.haddad@example.org"
    assert "schon ein Konto" in mail.get_content()
    assert link_path(mail, "/password/forgot")


def test_registration_without_csrf_token_is_rejected(client, make_centre):
    centre = make_centre()
    response = client.post("/register", data={**VALID, "centre": centre.slug})
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)
    assert user_count() == 0

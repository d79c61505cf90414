"""Forms of the account pages; every message German first and translatable."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from ..centres.forms import CheckboxListField
from ..centres.languages import language_choices
from ..core.forms import Form as FlaskForm
from ..core.i18n import LOCALES
from .models import EMAIL, NAME, PHONE
from .services import MIN_PASSWORD_LENGTH

EMAIL_VALIDATORS = [
    DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
    EMAIL.length(),
    Email(message=_l("Bitte geben Sie eine gültige E-Mail-Adresse ein."), check_deliverability=False),
]
NAME_VALIDATORS = [DataRequired(_l("Bitte geben Sie Ihren Namen ein.")), NAME.length()]
NEW_PASSWORD = [
    DataRequired(_l("Bitte wählen Sie ein Passwort.")),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=200,
        message=_l(
            "Das Passwort muss zwischen %(min)d und %(max)d Zeichen lang sein.", min=MIN_PASSWORD_LENGTH, max=200
        ),
    ),
]


def _password_confirmation():
    return PasswordField(
        _l("Passwort wiederholen"),
        validators=[
            DataRequired(_l("Bitte wiederholen Sie das Passwort.")),
            EqualTo("password", message=_l("Die Passwörter stimmen nicht überein.")),
        ],
    )


class RegistrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=NAME_VALIDATORS)
    email = EmailField(_l("E-Mail-Adresse"), validators=EMAIL_VALIDATORS)
    password = PasswordField(_l("Passwort"), validators=NEW_PASSWORD)
    password_confirm = _password_confirmation()
    centre = SelectField(
        _l("Kommunales Integrationszentrum"),
        coerce=str,
        validators=[InputRequired(_l("Bitte wählen Sie ein Zentrum."))],
    )
    consent = BooleanField(
        _l("Ich habe die Datenschutzhinweise gelesen und willige in die Verarbeitung meiner Daten ein."),
        validators=[DataRequired(_l("Ohne Ihre Einwilligung können wir Sie nicht registrieren."))],
    )


class ResendConfirmationForm(FlaskForm):
    """The address for "Link erneut senden" (its own field name: the registration form beside it
    has an `email` too)."""

    resend_email = EmailField(_l("Adresse für den neuen Link"), validators=EMAIL_VALIDATORS)


class ConfirmRegistrationForm(FlaskForm):
    """Only the button (and its CSRF token) under the link mailed for a registration."""


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=EMAIL_VALIDATORS)
    password = PasswordField(
        _l("Passwort"), validators=[DataRequired(_l("Bitte geben Sie Ihr Passwort ein.")), Length(max=200)]
    )
    remember = BooleanField(_l("Angemeldet bleiben"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=EMAIL_VALIDATORS)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Neues Passwort"), validators=NEW_PASSWORD)
    password_confirm = _password_confirmation()


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=NAME_VALIDATORS)
    phone = StringField(
        _l("Telefon (freiwillig)"),
        validators=[Optional(), PHONE.length()],
    )
    shares_phone = BooleanField(_l("Die Koordination darf meine Telefonnummer sehen"))
    languages = CheckboxListField(_l("Sprachen, die ich spreche"), validators=[Optional()])
    locale = SelectField(_l("Sprache der Oberfläche"), choices=[(code, code) for code in LOCALES])
    shows_first_name = BooleanField(_l("Anderen Ehrenamtlichen meiner Schichten meinen Vornamen zeigen"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()


class JoinCentreForm(FlaskForm):
    centre = SelectField(
        _l("Weiterem Zentrum beitreten"), coerce=str, validators=[InputRequired(_l("Bitte wählen Sie ein Zentrum."))]
    )


HOURS_OF_DAY = [(hour, f"{hour:02d}:00") for hour in range(24)]


class ReminderSettingsForm(FlaskForm):
    """Everything about being reminded, in one form: reminders/settings.py checks and applies it."""

    reminder_minutes = CheckboxListField(
        _l("Erinnerung vor einer Schicht"),
        coerce=int,
        choices=[
            (2880, _l("2 Tage vorher")),
            (1440, _l("1 Tag vorher")),
            (240, _l("4 Stunden vorher")),
            (120, _l("2 Stunden vorher")),
            (60, _l("1 Stunde vorher")),
        ],
        validators=[Optional()],
    )
    quiet_start_hour = SelectField(_l("Nachtruhe von"), coerce=int, choices=HOURS_OF_DAY)
    quiet_end_hour = SelectField(_l("Nachtruhe bis"), coerce=int, choices=HOURS_OF_DAY)
    notify_channel = SelectField(
        _l("Benachrichtigen per"),
        choices=[("push", _l("Push-Nachricht auf meinen Geräten")), ("email", _l("E-Mail")), ("both", _l("beides"))],
    )
    calendar_alarm_minutes = SelectField(
        _l("Erinnerung im Kalender-Abo"),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        choices=[
            ("", _l("keine")),
            (30, _l("30 Minuten vorher")),
            (60, _l("1 Stunde vorher")),
            (120, _l("2 Stunden vorher")),
            (1440, _l("1 Tag vorher")),
        ],
    )

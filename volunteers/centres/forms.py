"""Forms for meeting points, staff and (for the admin) centres."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import EMAIL, NAME
from ..activities.models import ACTIVITY_NAME
from ..core.forms import Form
from ..core.limits import TextLimit
from .languages import language_choices
from .models import BAUSTEINE, LONG_NAME, OPENING_NOTES, PLACE, REGIERUNGSBEZIRKE, STREET

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")


def _text(label, limit: TextLimit, required=True):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, validators=[*validators, limit.length()])


def _email():
    return EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            DataRequired(REQUIRED),
            EMAIL.length(),
            Email(message=_l("Bitte geben Sie eine gültige E-Mail-Adresse ein."), check_deliverability=False),
        ],
    )


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {value for value, _label in self.choices}
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(_l("Bitte wählen Sie nur Einträge aus der Liste."))


class CoordinateField(FloatField):
    """A decimal degree; accepts the German decimal comma as well."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = float(valuelist[0].strip().replace(",", "."))
            except ValueError:
                self.data = None
                raise ValueError(_l("Bitte eine Zahl wie 51.2131 angeben.")) from None
        else:
            self.data = None


class MeetingPointForm(Form):
    name = _text(_l("Name"), LONG_NAME)
    municipality = _text(_l("Stadt oder Gemeinde"), PLACE)
    street = _text(_l("Straße und Hausnummer"), STREET)
    postcode = StringField(
        _l("Postleitzahl"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{5}$", message=_l("Bitte eine fünfstellige Postleitzahl angeben.")),
        ],
    )
    city = _text(_l("Ort"), PLACE)
    latitude = CoordinateField(
        _l("Breitengrad (optional)"),
        validators=[
            Optional(),
            NumberRange(min=50.3, max=52.6, message=_l("Der Ort muss in Nordrhein-Westfalen liegen.")),
        ],
    )
    longitude = CoordinateField(
        _l("Längengrad (optional)"),
        validators=[
            Optional(),
            NumberRange(min=5.8, max=9.5, message=_l("Der Ort muss in Nordrhein-Westfalen liegen.")),
        ],
    )
    opening_notes = TextAreaField(
        _l("Öffnungszeiten und Hinweise"),
        validators=[Optional(), OPENING_NOTES.length()],
    )
    languages = CheckboxListField(_l("Angebotene Sprachen"), validators=[Optional()])
    default_baustein = SelectField(_l("KommAn-Baustein (Voreinstellung)"), choices=[(b, b) for b in BAUSTEINE])
    is_closed = BooleanField(_l("Geschlossen (keine neuen Schichten)"))
    booked_hours_per_week = FloatField(
        _l("Gebuchte Raumstunden pro Woche (für den Raumnutzungsplan)"),
        validators=[Optional(), NumberRange(min=0, max=168, message=_l("Bitte eine Zahl von 0 bis 168 angeben."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()

    def values(self) -> dict:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class StaffForm(Form):
    name = _text(_l("Name"), NAME)
    email = _email()
    role = SelectField(_l("Rolle"), choices=[("coordinator", _l("Koordination")), ("lead", _l("KI-Leitung"))])


class CentreForm(Form):
    name = _text(_l("Name des Zentrums"), LONG_NAME)
    district = _text(_l("Kreis oder kreisfreie Stadt"), PLACE)
    is_district_free_city = BooleanField(_l("Kreisfreie Stadt"))
    regierungsbezirk = SelectField(_l("Regierungsbezirk"), choices=[(r, r) for r in REGIERUNGSBEZIRKE])
    slug = StringField(
        _l("Kurzname in Adressen (optional)"),
        validators=[
            Optional(),
            Regexp(r"^[a-z0-9-]{2,60}$", message=_l("Nur Kleinbuchstaben, Ziffern und Bindestriche.")),
        ],
    )
    street = _text(_l("Straße und Hausnummer"), STREET, required=False)
    postcode = StringField(
        _l("Postleitzahl"),
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("Bitte eine fünfstellige Postleitzahl angeben."))],
    )
    city = _text(_l("Ort"), PLACE, required=False)


class LeadForm(Form):
    name = _text(_l("Name"), NAME)
    email = _email()


class CentreSettingsForm(Form):
    cancel_cutoff_hours = IntegerField(
        _l("Austragen ohne Vermerk bis … Stunden vor Beginn"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=168, message=_l("Bitte eine Zahl von 0 bis 168 angeben.")),
        ],
    )
    no_show_limit = IntegerField(
        _l("Nach so vielen Ausfällen (12 Monate) braucht eine Anmeldung Bestätigung"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=20, message=_l("Bitte eine Zahl von 0 bis 20 angeben.")),
        ],
    )
    handover_needs_approval = BooleanField(_l("Übergaben von Schichten brauchen die Bestätigung der Koordination"))
    # Ehrenamtskarte NRW: the limits are engagement.policy.CRITERIA_LIMITS, whose check the service runs.
    ehrenamtskarte_hours_per_year = IntegerField(
        _l("Ehrenamtskarte: Stunden im Jahr"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=8760, message=_l("Bitte eine Zahl von 1 bis 8760 angeben.")),
        ],
    )
    ehrenamtskarte_hours_per_week = IntegerField(
        _l("Ehrenamtskarte: oder Stunden pro Woche im Schnitt"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=168, message=_l("Bitte eine Zahl von 1 bis 168 angeben.")),
        ],
    )
    ehrenamtskarte_min_years = IntegerField(
        _l("Ehrenamtskarte: mindestens so viele Jahre dabei"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=10, message=_l("Bitte eine Zahl von 0 bis 10 angeben.")),
        ],
    )

    def ehrenamtskarte_criteria(self) -> dict:
        return {
            "hours_per_year": self.ehrenamtskarte_hours_per_year.data,
            "hours_per_week": self.ehrenamtskarte_hours_per_week.data,
            "min_years": self.ehrenamtskarte_min_years.data,
        }


class ActivityForm(Form):
    name = _text(_l("Neue Tätigkeit"), ACTIVITY_NAME)
    baustein = SelectField(
        _l("KommAn-Baustein"), choices=[("", _l("wie der Treffpunkt"))] + [(b, b) for b in BAUSTEINE]
    )


class CertificateForm(Form):
    verified_on = DateField(_l("Erweitertes Führungszeugnis eingesehen am"), validators=[Optional()])

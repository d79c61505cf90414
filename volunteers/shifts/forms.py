"""Forms for planning shifts and series. Times are entered as Berlin wall-clock times."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..centres.forms import CheckboxListField
from ..centres.languages import language_choices
from ..core.forms import Form
from .messages import SHIFT_MESSAGE
from .models import CANCEL_REASON, NOTES, RRULE, STAFFING_CALL_MESSAGE
from .planning import ShiftValues

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
WEEKDAYS = [
    ("MO", _l("Montag")),
    ("TU", _l("Dienstag")),
    ("WE", _l("Mittwoch")),
    ("TH", _l("Donnerstag")),
    ("FR", _l("Freitag")),
    ("SA", _l("Samstag")),
    ("SU", _l("Sonntag")),
]


def _count(label, default):
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=200, message=_l("Bitte eine Zahl von 0 bis 200 angeben.")),
        ],
    )


class ShiftFieldsForm(Form):
    """What a single shift and a series have in common."""

    domain_fields = {"starts_at": "start_time", "ends_at": "end_time"}

    meeting_point = SelectField(_l("Ankommenstreffpunkt"), validators=[DataRequired(REQUIRED)])
    activity = SelectField(_l("Tätigkeit"), validators=[DataRequired(REQUIRED)])
    start_time = TimeField(_l("Beginn"), validators=[InputRequired(_l("Bitte eine Uhrzeit angeben."))])
    end_time = TimeField(_l("Ende"), validators=[InputRequired(_l("Bitte eine Uhrzeit angeben."))])
    ends_next_day = BooleanField(_l("Endet am nächsten Tag"))
    capacity_min = _count(_l("Mindestens benötigt"), 1)
    capacity_max = _count(_l("Höchstens Plätze"), 2)
    languages = CheckboxListField(_l("Gebrauchte Sprachen"), validators=[Optional()])
    requires_police_certificate = BooleanField(_l("Erweitertes Führungszeugnis nötig (z. B. Arbeit mit Kindern)"))
    baustein = SelectField(
        _l("KommAn-Baustein"),
        choices=[("", _l("automatisch")), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
        validators=[Optional()],
    )
    notes = TextAreaField(
        _l("Hinweise für Ehrenamtliche"),
        validators=[Optional(), NOTES.length()],
    )
    publish = BooleanField(_l("Sofort veröffentlichen"))

    def set_choices(self, meeting_points, activities):
        self.meeting_point.choices = [(mp.slug, mp.name) for mp in meeting_points if not mp.is_closed]
        self.activity.choices = [(a.slug, a.name) for a in activities]
        self.languages.choices = language_choices()


class ShiftForm(ShiftFieldsForm):
    day = DateField(_l("Datum"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])
    scope = RadioField(
        _l("Änderung gilt für"),
        default="this",
        choices=[("this", _l("nur diesen Termin")), ("following", _l("diesen und alle folgenden"))],
    )
    # Shown once the start lies in the past (planning.past_start_blockers asks for it).
    confirm_past = BooleanField(_l("Ja, die Schicht liegt in der Vergangenheit"))


class SeriesForm(ShiftFieldsForm):
    first_day = DateField(_l("Erster Termin"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])
    frequency = SelectField(
        _l("Wiederholung"),
        default="weekly",
        choices=[
            ("weekly", _l("jede Woche")),
            ("biweekly", _l("jede zweite Woche")),
            ("monthly", _l("jeden Monat (gleicher Wochentag, z. B. 1. Dienstag)")),
            ("daily", _l("jeden Tag")),
        ],
    )
    weekdays = CheckboxListField(_l("Wochentage"), choices=WEEKDAYS, validators=[Optional()])
    until = DateField(_l("Bis einschließlich"), validators=[Optional()])
    count = IntegerField(
        _l("oder: Anzahl der Termine"),
        validators=[Optional(), NumberRange(min=1, max=366, message=_l("Bitte eine Zahl von 1 bis 366 angeben."))],
    )
    rrule = StringField(
        _l("Eigene Regel (RRULE, für Fortgeschrittene)"),
        validators=[Optional(), RRULE.length()],
    )
    skip_public_holidays = BooleanField(_l("An gesetzlichen Feiertagen (NRW) keine Schicht"), default=True)


class CancelForm(Form):
    reason = StringField(
        _l("Grund der Absage"),
        validators=[
            DataRequired(_l("Bitte geben Sie einen Grund für die Absage an.")),
            CANCEL_REASON.length(),
        ],
    )


class StaffingCallForm(Form):
    message = StringField(_l("Kurze Nachricht (optional)"), validators=[Optional(), STAFFING_CALL_MESSAGE.length()])


class ShiftMessageForm(Form):
    text = TextAreaField(
        _l("Nachricht an alle Eingetragenen"),
        validators=[DataRequired(_l("Bitte schreiben Sie eine Nachricht.")), SHIFT_MESSAGE.length()],
    )
    include_waitlist = BooleanField(_l("Auch an die Warteliste"))


class WalkInForm(Form):
    volunteer = SelectField(
        _l("Ehrenamtliche Person"),
        coerce=int,
        validators=[InputRequired(_l("Bitte wählen Sie eine Person."))],
    )


class CopyWeekForm(Form):
    target = DateField(_l("In die Woche vom"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])


class AssignForm(Form):
    volunteer = SelectField(
        _l("Ehrenamtliche Person eintragen"),
        coerce=int,
        validators=[InputRequired(_l("Bitte wählen Sie eine Person."))],
    )


class ExceptionForm(Form):
    day = DateField(_l("Termin ausfallen lassen am"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])


# --- turning submitted forms into service arguments --------------------------------------


def wall_clock_span(form: ShiftFieldsForm, day) -> tuple[datetime, datetime]:
    """Naive Berlin start and end of a shift on `day`."""
    start = datetime.combine(day, form.start_time.data)
    end = datetime.combine(day + timedelta(days=1) if form.ends_next_day.data else day, form.end_time.data)
    return start, end


def shift_values(form: ShiftFieldsForm, meeting_point) -> ShiftValues:
    return ShiftValues(
        meeting_point=meeting_point,
        activity=form.activity.data,
        capacity_min=form.capacity_min.data,
        capacity_max=form.capacity_max.data,
        languages=form.languages.data or [],
        notes=(form.notes.data or "").strip(),
        requires_police_certificate=form.requires_police_certificate.data,
        baustein=form.baustein.data or None,
    )


def series_rule(form: SeriesForm) -> str:
    """The RRULE the simple fields describe, or the one typed in."""
    if form.rrule.data:
        return form.rrule.data.strip().upper()
    first = form.first_day.data
    weekday = WEEKDAYS[first.weekday()][0]
    days = ",".join(form.weekdays.data or [weekday])
    parts = {
        "weekly": f"FREQ=WEEKLY;BYDAY={days}",
        "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={days}",
        "monthly": f"FREQ=MONTHLY;BYDAY={(first.day - 1) // 7 + 1}{weekday}",
        "daily": "FREQ=DAILY",
    }[form.frequency.data]
    if form.until.data:
        parts += f";UNTIL={form.until.data:%Y%m%d}"
    elif form.count.data:
        parts += f";COUNT={form.count.data}"
    return parts

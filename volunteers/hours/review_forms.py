"""Forms for reviewing, editing and correcting hours, staff hours and report periods. Durations are
typed as hours:minutes ("1:30"), whole hours ("2") or decimal hours ("1,5")."""

import re
import uuid
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ..centres.models import MeetingPoint
from ..core.forms import Form
from ..core.web import parse_iso_month
from .history import format_minutes
from .models import HOURS_STATUS_NAMES
from .queries import QueueFilter
from .services import NOTE_MAX, HoursInput

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
DURATION = re.compile(r"^([+\-−]?)\s*(\d{1,3})(?::(\d{2})|[,.](\d{1,2}))?\s*h?$", re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """Minutes from "1:30", "-0:30", "2" or "1,5"; None if the text is no duration."""
    match = DURATION.match(text.strip())
    if match is None or (match[3] and int(match[3]) >= 60):
        return None
    sign, hours, minutes, fraction = match.groups()
    total = int(hours) * 60 + (int(minutes) if minutes else round(float(f"0.{fraction}") * 60) if fraction else 0)
    return -total if sign in ("-", "−") else total


class DurationField(StringField):
    """Minutes, typed and shown as hours:minutes."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = parse_duration(valuelist[0])
            if self.data is None:
                raise ValueError(_l("Bitte die Dauer als Stunden:Minuten angeben, z. B. 1:30."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_minutes(self.data) if self.data is not None else ""


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _reason(label):
    # Required by the services, which say so next to the field; `required` tells assistive technology.
    return StringField(
        label,
        render_kw={"required": True},
        validators=[Optional(), Length(max=500, message=_l("Höchstens %(max)d Zeichen.", max=500))],
    )


class HoursFieldsForm(Form):
    """The fields of one entry, for staff hours and for a coordinator's edit."""

    # A date that does not fit the entry's shift is shown at the date.
    domain_fields = {"shift_id": "work_date"}

    work_date = DateField(_l("Datum"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])
    minutes = DurationField(
        _l("Dauer (Stunden:Minuten)"),
        validators=[InputRequired(_l("Bitte eine Dauer angeben."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": "1:30"},
    )
    activity = SelectField(_l("Tätigkeit"), validators=[DataRequired(REQUIRED)])
    meeting_point = SelectField(_l("Ankommenstreffpunkt"), coerce=_optional_int)
    note = TextAreaField(_l("Notiz"), render_kw={"maxlength": NOTE_MAX})  # the service checks the length

    def set_choices(self, meeting_points: list[MeetingPoint], activities) -> None:
        self._meeting_points = {mp.id: mp for mp in meeting_points}
        self.meeting_point.choices = [("", _l("ohne Treffpunkt"))] + [(mp.id, mp.name) for mp in meeting_points]
        self.activity.choices = [(a.slug, a.name) for a in activities]

    def hours_input(self, shift=None, client_id: str | None = None) -> HoursInput:
        return HoursInput(
            work_date=self.work_date.data,
            minutes=self.minutes.data,
            activity=self.activity.data,
            meeting_point=self._meeting_points.get(self.meeting_point.data),
            shift=shift,
            note=(self.note.data or "").strip(),
            client_id=client_id,
        )


def entry_form_data(entry) -> dict:
    return {
        "work_date": entry.work_date,
        "minutes": entry.minutes,
        "activity": entry.activity,
        "meeting_point": entry.meeting_point_id,
        "note": entry.note,
    }


class EditHoursForm(HoursFieldsForm):
    reason = _reason(_l("Grund der Änderung"))


class StaffHoursForm(HoursFieldsForm):
    # A second click or a reloaded page sends the same id: the entry is stored once.
    client_id = HiddenField(
        default=lambda: str(uuid.uuid4()),
        validators=[Regexp(r"^[0-9a-f-]{36}$", message=_l("Bitte laden Sie die Seite neu."))],
    )


class RejectForm(Form):
    reason = _reason(_l("Grund der Ablehnung"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reject", **kwargs)


class CorrectionForm(Form):
    minutes = DurationField(
        _l("Korrektur (Stunden:Minuten, minus zieht ab, z. B. -0:30)"),
        validators=[InputRequired(_l("Bitte eine Dauer angeben."))],
        render_kw={"autocomplete": "off", "placeholder": "-0:30"},
    )
    reason = _reason(_l("Grund der Korrektur"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="correct", **kwargs)


class PeriodForm(Form):
    label = StringField(
        _l("Bezeichnung"),
        validators=[DataRequired(REQUIRED), Length(max=100, message=_l("Höchstens %(max)d Zeichen.", max=100))],
    )
    starts_on = DateField(_l("Erster Tag"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])
    ends_on = DateField(_l("Letzter Tag"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])


def period_presets(today: date, existing) -> list[dict]:
    """Last month, last quarter and last year, ready to be created with one click, unless they
    overlap a period the centre already has."""
    month_end = today.replace(day=1) - timedelta(days=1)
    quarter = (today.month - 1) // 3  # the current quarter, counted from 0
    quarter_end = date(today.year, quarter * 3 + 1, 1) - timedelta(days=1)
    quarter_start = quarter_end.replace(day=1, month=quarter_end.month - 2)
    presets = [
        {"label": format_date(month_end, "MMMM yyyy"), "starts_on": month_end.replace(day=1), "ends_on": month_end},
        {
            "label": str(
                _l("%(quarter)d. Quartal %(year)d", quarter=(quarter_end.month + 2) // 3, year=quarter_end.year)
            ),
            "starts_on": quarter_start,
            "ends_on": quarter_end,
        },
        {
            "label": str(today.year - 1),
            "starts_on": date(today.year - 1, 1, 1),
            "ends_on": date(today.year - 1, 12, 31),
        },
    ]
    return [
        p for p in presets if not any(e.starts_on <= p["ends_on"] and e.ends_on >= p["starts_on"] for e in existing)
    ]


class QueueFilterForm(Form):
    """The queue's GET filters; a value that is not offered is ignored with a note at the field."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="submitted", choices=[*HOURS_STATUS_NAMES.items(), ("all", _l("alle"))])
    meeting_point = SelectField(_l("Treffpunkt"), default="")
    activity = SelectField(_l("Tätigkeit"), default="")
    volunteer = SelectField(_l("Person"), default="")
    month = StringField(
        _l("Monat"),
        render_kw={"placeholder": _l("JJJJ-MM")},
        validators=[Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Bitte den Monat als JJJJ-MM angeben."))],
    )

    def set_choices(self, meeting_points: list[MeetingPoint], activities, people) -> None:
        self._meeting_points = {mp.slug: mp for mp in meeting_points}
        self.meeting_point.choices = [("", _l("alle Treffpunkte"))] + [(mp.slug, mp.name) for mp in meeting_points]
        self.activity.choices = [("", _l("alle Tätigkeiten"))] + [(a.slug, a.name) for a in activities]
        self.volunteer.choices = [("", _l("alle Personen"))] + [(str(p.id), p.name) for p in people]

    def queue_filter(self) -> QueueFilter:
        def valid(field):
            return field.data if field.data and not field.errors else None

        status = valid(self.status) or "submitted"
        return QueueFilter(
            status=None if status == "all" else status,
            meeting_point=self._meeting_points.get(valid(self.meeting_point)),
            activity=valid(self.activity),
            volunteer_id=_optional_int(valid(self.volunteer)),
            month=parse_iso_month(valid(self.month), None),
        )

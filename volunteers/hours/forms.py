"""Forms of the volunteer's hours pages."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..core.forms import Form
from .services import NOTE_MAX, HoursInput


class DurationMixin:
    hours = IntegerField(
        _l("Stunden"),
        default=0,
        validators=[
            InputRequired(_l("Bitte eine Zahl angeben.")),
            NumberRange(min=0, max=24, message=_l("Bitte eine Zahl von 0 bis 24 angeben.")),
        ],
    )
    minutes = IntegerField(
        _l("Minuten"),
        default=0,
        validators=[
            InputRequired(_l("Bitte eine Zahl angeben.")),
            NumberRange(min=0, max=59, message=_l("Bitte eine Zahl von 0 bis 59 angeben.")),
        ],
    )

    @property
    def total_minutes(self) -> int:
        return (self.hours.data or 0) * 60 + (self.minutes.data or 0)


class ManualHoursForm(DurationMixin, Form):
    # The service's field names, mapped to this form's, for error messages next to the right field.
    domain_fields = {"minutes": "hours"}

    client_id = HiddenField()
    work_date = DateField(_l("Datum"), validators=[InputRequired(_l("Bitte ein Datum angeben."))])
    activity = SelectField(_l("Tätigkeit"), validators=[InputRequired(_l("Bitte wählen Sie eine Tätigkeit."))])
    meeting_point = SelectField(_l("Treffpunkt (falls zutreffend)"), validators=[Optional()])
    centre = SelectField(_l("Zentrum"), validators=[InputRequired(_l("Bitte wählen Sie ein Zentrum."))])
    # Its length is checked by the service, whose message the API gives too.
    note = StringField(_l("Kurze Notiz"), render_kw={"maxlength": NOTE_MAX})

    def values(self, meeting_point) -> HoursInput:
        return HoursInput(
            work_date=self.work_date.data,
            minutes=self.total_minutes,
            activity=self.activity.data,
            meeting_point=meeting_point,
            note=self.note.data or "",
            client_id=self.client_id.data or None,
        )


class ConfirmProposalForm(DurationMixin, Form):
    domain_fields = {"minutes": "hours"}

    # Stored as the entry's note: the service checks its length.
    reason = StringField(_l("Grund für die Abweichung"), render_kw={"maxlength": NOTE_MAX})

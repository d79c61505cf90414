from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired

from ..core.forms import Form

DATE_REQUIRED = _l("Bitte ein Datum angeben.")


class CertificatePeriodForm(Form):
    start = DateField(_l("Von"), validators=[InputRequired(DATE_REQUIRED)])
    end = DateField(_l("Bis"), validators=[InputRequired(DATE_REQUIRED)])
    # Shown only to someone who volunteers in more than one centre; the view checks the choice.
    centre = SelectField(_l("Zentrum"), validate_choice=False)

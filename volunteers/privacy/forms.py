from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from ..core.forms import Form as FlaskForm


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Ihr Passwort zur Bestätigung"), validators=[DataRequired(_l("Bitte geben Sie Ihr Passwort ein."))]
    )
    confirm = BooleanField(
        _l("Ja, ich möchte mein Konto endgültig löschen."),
        validators=[DataRequired(_l("Bitte bestätigen Sie das Löschen."))],
    )

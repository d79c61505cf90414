"""Names of the invitation states as volunteers and coordinators read them."""

from flask_babel import lazy_gettext as _l

from .models import ACCEPTED, DECLINED, EXPIRED, OPEN

INVITATION_STATUS_NAMES = {
    OPEN: _l("offen"),
    ACCEPTED: _l("zugesagt"),
    DECLINED: _l("abgesagt"),
    EXPIRED: _l("abgelaufen"),
}

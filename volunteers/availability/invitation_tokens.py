"""Single-purpose answer tokens: "Übernehmen" / "Ablehnen" in the push and in the mail.

A service worker reacting to a tap on a notification's button knows no CSRF token, and a mail may
be opened on a device where nobody is signed in. So each button carries a token signed with the
app's secret that allows exactly one thing: this answer (accept or decline) to this invitation by
this person, until the shift starts (as it is now: a shift moved later keeps its buttons working),
while the person's password is unchanged (session_version).
It is sent in the body of a POST without cookies, so it is no ambient credential that another
site could make the browser send: there is nothing for CSRF to protect. It works once in effect:
an answered invitation refuses every further answer (invitations.decide_blockers)."""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ..accounts.models import User
from ..core import time
from ..core.errors import Forbidden
from ..extensions import db
from .models import Invitation

ACCEPT, DECLINE = "accept", "decline"
ANSWERS = (ACCEPT, DECLINE)
MAX_TOKEN_LENGTH = 500


class AnswerTokenError(Forbidden):
    """A token that does not allow this answer (403): forged, expired, for another invitation,
    person or answer. Codes "token_invalid", "token_expired"."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="invitation-answer")


def answer_token(invitation: Invitation, answer: str) -> str:
    """The token for one answer to `invitation`, valid until its shift starts."""
    person = invitation.volunteer
    return _serializer().dumps({"i": invitation.id, "u": person.id, "a": answer, "v": person.session_version})


def invitation_for_token(token, *, invitation_id: int, answer: str, signed_in: User | None) -> Invitation:
    """The invitation that `token` allows `answer` to, or AnswerTokenError. Someone signed in
    as another person cannot use it either."""
    data = _data(token)
    if data.get("i") != invitation_id or data.get("a") != answer:
        raise _invalid()
    invitation = db.session.get(Invitation, invitation_id)
    person = invitation.volunteer if invitation is not None else None
    if person is None or person.id != data.get("u") or person.is_deleted or person.session_version != data.get("v"):
        raise _invalid()
    if invitation.shift.starts_at <= time.now():  # the shift as it is now, not when the token was made
        raise AnswerTokenError(
            _("Dieser Link gilt nicht mehr: Die Schicht hat begonnen. Bitte öffnen Sie die Anfrage."),
            code="token_expired",
        )
    if signed_in is not None and signed_in.is_authenticated and signed_in.id != person.id:
        raise AnswerTokenError(_("Dieser Link ist für eine andere Person."), code="token_invalid")
    return invitation


def _data(token) -> dict:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise _invalid()
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise _invalid() from None
    if not isinstance(data, dict):
        raise _invalid()
    return data


def _invalid() -> AnswerTokenError:
    return AnswerTokenError(_("Dieser Link ist ungültig. Bitte öffnen Sie die Anfrage."), code="token_invalid")

"""Invitation mail for accounts created by someone else: the link sets the first password."""

from flask import render_template
from flask_babel import gettext as _

from ..core.links import external_url
from ..mail.services import queue_mail
from .models import User
from .services import password_reset_token


def send_invitation(*, user: User, centre_name: str) -> None:
    """Queue the invitation in the outbox, in the transaction that creates the account: it goes out
    only if that commits."""
    link = external_url("accounts.reset_password", token=password_reset_token(user))
    queue_mail(
        to=user.email,
        subject=_("Einladung zu Treffpunkt"),
        body=render_template("accounts/mail/invitation.txt", user=user, link=link, centre_name=centre_name),
    )

"""Invitation mail for accounts created by someone else: the link sets the first password."""

from flask import render_template, url_for
from flask_babel import gettext as _

from ..core.mail import send_mail
from .models import User
from .services import password_reset_token


def send_invitation(*, user: User, centre_name: str) -> None:
    """Call after the commit, so no mail goes out for an account that was rolled back."""
    link = url_for("accounts.reset_password", token=password_reset_token(user), _external=True)
    send_mail(
        to=user.email,
        subject=_("Einladung zu Treffpunkt"),
        body=render_template("accounts/mail/invitation.txt", user=user, link=link, centre_name=centre_name),
    )

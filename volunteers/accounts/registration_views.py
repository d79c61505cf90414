"""Registration and password recovery: the pages a person reaches before signing in, and from
the links in mails."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import DomainError
from ..core.i18n import LOCALE_COOKIE
from ..core.links import external_url
from ..core.web import attempt
from ..mail.services import queue_mail
from . import registrations, services
from .auth import sign_in_after_commit
from .forms import (
    ConfirmRegistrationForm,
    ForgotPasswordForm,
    RegistrationForm,
    ResendConfirmationForm,
    ResetPasswordForm,
)
from .models import LOCALES
from .views import _centre_choices, _centre_from_choice, bp


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegistrationForm()
    form.centre.choices = [("", _("Bitte wählen …"))] + _centre_choices()
    if form.validate_on_submit():
        ok, _nothing = attempt(
            lambda: registrations.request_registration(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                centre=_centre_from_choice(form.centre.data),
                consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
                locale=request.cookies.get(LOCALE_COOKIE) if request.cookies.get(LOCALE_COOKIE) in LOCALES else None,
            ),
            form,
        )
        if ok:
            # The same answer whether or not the address has an account: the mail tells which.
            flash(
                _(
                    "Wir haben Ihnen eine E-Mail geschickt. Bitte bestätigen Sie Ihre Registrierung "
                    "mit dem Link darin; er ist 24 Stunden gültig."
                ),
                "info",
            )
            return redirect(url_for("accounts.registration_sent"))
    status = 429 if form.form_errors else 422 if form.errors else 200  # form_errors: only the limit
    return render_template("accounts/register.html", form=form, resend_form=ResendConfirmationForm()), status


@bp.get("/register/sent")
def registration_sent():
    return render_template("accounts/registration_sent.html", resend_form=ResendConfirmationForm())


@bp.route("/register/resend", methods=["GET", "POST"])
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        ok, _nothing = attempt(lambda: registrations.resend_confirmation(email=form.resend_email.data), form)
        if ok:
            # The same answer whether or not a registration waits for this address: the mail tells.
            flash(
                _(
                    "Wenn für diese Adresse eine Registrierung auf Bestätigung wartet, haben wir Ihnen einen "
                    "neuen Link geschickt; der alte gilt nicht mehr. Er ist 24 Stunden gültig."
                ),
                "info",
            )
            return redirect(url_for("accounts.registration_sent"))
    status = 429 if form.form_errors else 422 if form.errors else 200  # form_errors: only the limit
    return render_template("accounts/registration_sent.html", resend_form=form), status


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_registration(token: str):
    # GET only shows a button: mail scanners follow links, and must not create accounts.
    try:
        pending = registrations.pending_registration(token=token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.register"))
    form = ConfirmRegistrationForm()
    if form.validate_on_submit():
        ok, user = attempt(lambda: registrations.confirm_registration(token=token))
        if not ok:
            return redirect(url_for("accounts.login"))
        sign_in_after_commit(user)  # never signed in to an account that was rolled back
        flash(_("Willkommen bei Treffpunkt! Ihr Konto ist angelegt."), "success")
        return redirect(url_for("pages.home"))
    return render_template(
        "accounts/confirm_registration.html", form=form, pending=pending
    ), 422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ok, _nothing = attempt(lambda: _mail_reset_link(form.email.data), form)
        if not ok:
            return render_template("accounts/forgot_password.html", form=form), 429
        # The same answer whether or not the address is known, as fast: the worker sends the mail.
        flash(
            _(
                "Wenn die Adresse bei uns registriert ist, haben wir Ihnen einen Link geschickt. "
                "Er ist eine Stunde gültig."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


def _mail_reset_link(email: str) -> None:
    """Queue the reset mail if `email` has an account; counted for every address alike."""
    registrations.count_reset_request(email)
    user = services.find_user_by_email(email)
    if user is not None:
        link = external_url("accounts.reset_password", token=services.password_reset_token(user))
        queue_mail(
            to=user.email,
            subject=_("Treffpunkt: Passwort zurücksetzen"),
            body=render_template("accounts/mail/reset_password.txt", user=user, link=link),
        )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.change_password(user=user, password=form.password.data)
        flash(_("Ihr Passwort ist geändert. Bitte melden Sie sich an."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200

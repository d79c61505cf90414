"""Login, logout, the language switch and the volunteer's own settings (registration and
recovery: registration_views.py)."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..centres.models import Centre
from ..core.errors import DomainError
from ..core.i18n import LOCALE_COOKIE, LOCALE_NAMES
from ..core.transactions import after_commit, commit_despite_error
from ..core.web import attempt, safe_next_url
from ..extensions import db
from ..push.services import push_device_digests
from ..reminders.settings import ReminderSettings, change_reminder_settings
from . import services
from .auth import current_login_token, sign_in_after_commit
from .forms import (
    JoinCentreForm,
    LoginForm,
    ProfileForm,
    ReminderSettingsForm,
)
from .models import LOCALES

bp = Blueprint("accounts", __name__)


def _centre_choices(exclude=()) -> list[tuple[str, str]]:
    centres = db.session.scalars(sa.select(Centre).order_by(Centre.name))
    return [(c.slug, c.name) for c in centres if c.id not in exclude]


def _centre_from_choice(slug: str) -> Centre:
    centre = db.session.scalar(sa.select(Centre).where(Centre.slug == slug))
    if centre is None:
        abort(400)
    return centre


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                email=form.email.data, password=form.password.data, client_address=request.remote_addr
            )
        except DomainError as error:
            services.prune_login_failures()
            commit_despite_error()  # the failure is counted even though the login failed
            flash(error.message, "error")
            status = error.status if error.status == 429 else 401
        else:
            sign_in_after_commit(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("pages.home"))
    elif form.errors:
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    token = current_login_token()
    if token is not None:
        services.end_login_session(token)  # on the server: a copy of the cookies opens nothing
    after_commit(logout_user)
    flash(_("Sie haben sich abgemeldet."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/settings/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    services.sign_out_everywhere(user=current_user)
    after_commit(logout_user)
    flash(_("Sie sind auf allen Geräten abgemeldet. Bitte melden Sie sich wieder an."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = ProfileForm(obj=current_user)
    form.locale.choices = list(LOCALE_NAMES.items())
    if form.validate_on_submit() and attempt(lambda: _save_profile(form), form)[0]:
        flash(_("Ihre Einstellungen sind gespeichert."), "success")
        return redirect(url_for("accounts.settings"))
    # formdata=None: a profile sent back with errors must not blank the reminders form beside it.
    return _settings_page(form, ReminderSettingsForm(prefix="notify", formdata=None, obj=current_user))


def _settings_page(form: ProfileForm, reminder_form: ReminderSettingsForm):
    join_form = JoinCentreForm(prefix="join")
    join_form.centre.choices = _centre_choices(exclude={c.id for c in current_user.centres})
    return render_template(
        "accounts/settings.html",
        form=form,
        join_form=join_form,
        notify_form=reminder_form,
        sign_ins=services.count_sign_ins(user=current_user),
        push_devices=push_device_digests(user=current_user),
    ), 422 if form.errors or reminder_form.errors else 200


def _save_profile(form: ProfileForm) -> None:
    services.update_profile(
        user=current_user,
        name=form.name.data,
        phone=form.phone.data,
        shares_phone=form.shares_phone.data,
        languages=form.languages.data or [],
        locale=form.locale.data,
        shows_first_name=form.shows_first_name.data,
    )


@bp.route("/settings/notifications", methods=["POST"])
@login_required
def notification_settings():
    form = ReminderSettingsForm(prefix="notify")
    if form.validate_on_submit() and attempt(lambda: _save_reminder_settings(form), form)[0]:
        flash(
            _(
                "Ihre Erinnerungen sind eingestellt. "
                "Sie gelten auch für die Schichten, für die Sie schon eingetragen sind."
            ),
            "success",
        )
        return redirect(url_for("accounts.settings") + "#notifications")
    profile_form = ProfileForm(formdata=None, obj=current_user)
    profile_form.locale.choices = list(LOCALE_NAMES.items())
    return _settings_page(profile_form, form)


def _save_reminder_settings(form: ReminderSettingsForm) -> None:
    change_reminder_settings(
        user=current_user,
        settings=ReminderSettings(
            reminder_minutes=form.reminder_minutes.data or [],
            quiet_start_hour=form.quiet_start_hour.data,
            quiet_end_hour=form.quiet_end_hour.data,
            notify_channel=form.notify_channel.data,
            calendar_alarm_minutes=form.calendar_alarm_minutes.data,
        ),
    )


@bp.route("/settings/centres", methods=["POST"])
@login_required
def join_centre():
    join_form = JoinCentreForm(prefix="join")
    join_form.centre.choices = _centre_choices(exclude={c.id for c in current_user.centres})
    if join_form.validate_on_submit():
        services.join_centre(user=current_user, centre=_centre_from_choice(join_form.centre.data))
        flash(_("Sie sind dem Zentrum beigetreten."), "success")
    else:
        flash(_("Bitte wählen Sie ein Zentrum."), "error")
    return redirect(url_for("accounts.settings"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    if code not in LOCALES:
        abort(404)
    if current_user.is_authenticated:
        current_user.locale = code
    response = make_response(redirect(safe_next_url(request.form.get("next")) or url_for("pages.home")))
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response

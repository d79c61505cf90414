"""Web push endpoints for the PWA's JavaScript (JSON, under /push/) and the coordinators'
delivery log page.

The JSON endpoints follow the API's rule for CSRF: a valid bearer token needs none, the session
cookie needs the token in X-CSRFToken (the script sends it). Their failures are answered in the API's error format by
the app's own handlers (create_app registers it for /push/ as for /api/), which also answer an
unreachable database with 503 without touching it."""

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.auth import protect_cookie_session
from ..api.errors import api_error
from ..api.helpers import json_body, require_login
from ..core.tenancy import staff_centre_or_404
from ..extensions import csrf
from . import services
from .labels import KIND_NAMES, OUTCOME_NAMES, STATUS_NAMES
from .trial import EMAIL_QUEUED, EXPIRED, REFUSED, TrialOutcome, send_trial_message
from .vapid import public_key_b64url, vapid_key

bp = Blueprint("push", __name__)
devices = Blueprint("devices", __name__, url_prefix="/push")
csrf.exempt(devices)  # the API's rule instead: a valid bearer token, or the CSRF header with the cookie
devices.before_request(protect_cookie_session)


@devices.get("/vapid-public-key")
def vapid_public_key():
    return jsonify(publicKey=public_key_b64url(vapid_key()))


@devices.post("/subscriptions")
def subscribe():
    require_login()
    body = json_body()
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    services.subscribe_device(
        user=current_user,
        endpoint=body.get("endpoint"),
        p256dh=keys.get("p256dh"),
        auth=keys.get("auth"),
        user_agent=request.user_agent.string,
    )
    # The page says "on, on 2 devices in all" from these without asking again (see push_device_digests).
    digests = services.push_device_digests(user=current_user)
    return jsonify(status="subscribed", devices=len(digests), device_digests=digests), 201


@devices.delete("/subscriptions")
def unsubscribe():
    require_login()
    endpoint = json_body().get("endpoint")
    if not isinstance(endpoint, str) or not services.unsubscribe_device(user=current_user, endpoint=endpoint):
        return api_error(404, "not_found", _("Dieses Gerät ist nicht angemeldet."))
    return "", 204


@devices.post("/test")
def send_test():
    """What came of the test message, as a code the settings page's script turns into a sentence
    (`message` says the same for other clients). Refusals come in the API's error format:
    no_device, mail_not_configured (409), too_many_requests (429)."""
    require_login()
    outcome = send_trial_message(user=current_user)
    return jsonify(
        code=outcome.code,
        delivered=outcome.delivered,
        removed=outcome.removed,
        failed=outcome.failed,
        emailed=outcome.emailed,
        message=_trial_message(outcome),
        device_digests=services.push_device_digests(user=current_user),
    )


def _trial_message(outcome: TrialOutcome) -> str:
    if outcome.code == EMAIL_QUEUED:
        return _("Sie haben E-Mail gewählt: Eine Test-E-Mail ist unterwegs an Ihre Adresse.")
    if outcome.code == EXPIRED:
        return ngettext(
            "Der Push-Dienst kennt %(num)d Gerät nicht mehr; wir haben es entfernt. "
            "Bitte schalten Sie Benachrichtigungen neu ein.",
            "Der Push-Dienst kennt %(num)d Geräte nicht mehr; wir haben sie entfernt. "
            "Bitte schalten Sie Benachrichtigungen neu ein.",
            outcome.removed,
        )
    if outcome.code == REFUSED:
        return _("Der Push-Dienst hat die Testnachricht nicht angenommen. Bitte versuchen Sie es später noch einmal.")
    return ngettext(
        "Testnachricht an %(num)d Gerät geschickt. Sie sollte gleich erscheinen.",
        "Testnachricht an %(num)d Geräte geschickt. Sie sollte gleich erscheinen.",
        outcome.delivered,
    )


bp.register_blueprint(devices)


@bp.get("/centres/<slug>/notifications")
@login_required
def delivery_log(slug: str):
    centre = staff_centre_or_404(slug)
    return render_template(
        "push/delivery_log.html",
        centre=centre,
        notifications=services.recent_notifications(centre=centre),
        kind_names=KIND_NAMES,
        status_names=STATUS_NAMES,
        outcome_names=OUTCOME_NAMES,
    )

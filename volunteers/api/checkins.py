"""Check-in and check-out at the meeting point's poster, as the PWA's outbox sends them: each scan
with the time of the tap (it may arrive hours later) and a client id, so that a scan sent twice
counts once. The rules live in hours/proposals.py; here only types and shapes are checked."""

from datetime import UTC, datetime

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..core.limits import parse_datetime
from ..hours.proposals import CheckIn, check_in_or_out
from . import bp
from .helpers import invalid, json_body, require_login, string_field
from .shifts import berlin_iso


def checkin_json(result: CheckIn, client_id: str) -> dict:
    signup = result.signup
    return {
        "client_id": client_id,
        "direction": result.direction,
        "shift_id": signup.shift_id,
        "scanned_at": berlin_iso(result.scanned_at),
        "checked_in_at": berlin_iso(signup.checked_in_at) if signup.checked_in_at else None,
        "checked_out_at": berlin_iso(signup.checked_out_at) if signup.checked_out_at else None,
    }


def _scanned_at(value) -> datetime | None:
    """An ISO 8601 instant with its offset (the phone's wall clock alone is ambiguous); None: now."""
    if value is None:
        return None
    text = string_field(value, "scanned_at")
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(
            _("„scanned_at“ braucht Datum, Uhrzeit und Zeitzone, z. B. 2026-11-18T10:02:00+01:00."), "scanned_at"
        )
    return moment.astimezone(UTC)


@bp.post("/me/checkins")
def record_checkin():
    require_login()
    body = json_body()
    client_id = string_field(body.get("client_id"), "client_id")
    code = string_field(body.get("code"), "code")
    result = check_in_or_out(
        code=code, user=current_user._get_current_object(), at=_scanned_at(body.get("scanned_at")), client_id=client_id
    )
    return jsonify(checkin_json(result, client_id)), 201 if result.is_new else 200

"""Shifts and sign-ups in the JSON API: parse the request, call the shift services, answer JSON.
The rules themselves live in volunteers/shifts; here only types and shapes are checked."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..activities.services import activities_for
from ..centres.models import LANGUAGE_CODES, MeetingPoint
from ..core import time
from ..core.errors import Conflict, Forbidden, NotFound
from ..core.limits import parse_datetime, parse_day
from ..extensions import db
from ..shifts import planning, signups
from ..shifts.models import CANCEL_REASON, CANCELLED, DRAFT, PUBLISHED, Shift, Signup
from ..shifts.queries import ShiftFilter, my_signup_statuses, my_signups, visible_shift_or_none, visible_shifts
from . import bp
from .helpers import (
    InvalidInput,
    in_api_terms,
    integer_field,
    invalid,
    json_body,
    multiline_text_field,
    optional_json_body,
    require_login,
    string_field,
    text_field_or_none,
)

DEFAULT_SPAN = timedelta(weeks=8)
MAX_SPAN = timedelta(days=366)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- answers ---------------------------------------------------------------------------


def berlin_iso(instant: datetime) -> str:
    """ISO 8601 with the offset Berlin had at that instant, e.g. 2026-10-27T16:00:00+01:00."""
    return time.to_berlin(instant).isoformat(timespec="seconds")


def activity_lookup(centres) -> dict:
    """The activities of the given centres by (centre id, slug): one query per centre, not per shift."""
    unique = {centre.id: centre for centre in centres}
    return {(centre.id, a.slug): a for centre in unique.values() for a in activities_for(centre)}


def shift_json(shift: Shift, signup: Signup | None, activities: dict) -> dict:
    activity = activities.get((shift.centre_id, shift.activity))
    meeting_point = shift.meeting_point
    return {
        "id": shift.id,
        "meeting_point": meeting_point.slug,
        "meeting_point_name": meeting_point.name,
        "address": meeting_point.address,
        "centre": shift.centre.slug,
        "starts_at": berlin_iso(shift.starts_at),
        "ends_at": berlin_iso(shift.ends_at),
        "duration_minutes": shift.duration_minutes,
        "capacity": shift.capacity_max,
        "capacity_min": shift.capacity_min,
        "confirmed_count": shift.confirmed_count,
        "free_slots": shift.free_slots,
        "status": shift.status,
        "activity": shift.activity,
        "activity_name": activity.name if activity else shift.activity,
        "baustein": shift.baustein,
        "languages": list(shift.languages),
        "requires_police_certificate": shift.requires_police_certificate,
        "notes": shift.notes,
        "cancel_reason": shift.cancel_reason or None,
        "series_id": shift.series_id,
        "my_signup": signup.status if signup else None,
    }


def shifts_json(shifts: list[Shift]) -> list[dict]:
    """Shifts with the caller's sign-up, in the same few queries however many shifts there are."""
    mine = my_signup_statuses(current_user, shifts)
    activities = activity_lookup(shift.centre for shift in shifts)
    return [shift_json(shift, mine.get(shift.id), activities) for shift in shifts]


def signups_json(items: list[Signup]) -> list[dict]:
    activities = activity_lookup(signup.shift.centre for signup in items)
    return [
        {
            "signup_id": signup.id,
            "status": signup.status,
            "is_late_cancellation": signup.is_late_cancellation,
            "attendance": signup.attendance,
            "shift": shift_json(signup.shift, signup, activities),
        }
        for signup in items
    ]


# --- looking things up -----------------------------------------------------------------


def _visible_shift(shift_id: int) -> Shift:
    require_login()
    shift = visible_shift_or_none(current_user, shift_id)
    if shift is None:
        raise NotFound(_("Diese Schicht gibt es nicht."), code="not_found")
    return shift


def _managed_shift(shift_id: int) -> Shift:
    shift = _visible_shift(shift_id)
    if not current_user.is_staff_of(shift.centre):
        raise Forbidden(_("Nur die Koordination des Zentrums kann Schichten ändern."), code="forbidden")
    return shift


def _require_planner() -> None:
    require_login()
    if not current_user.staff_centres:
        raise Forbidden(_("Nur die Koordination kann Schichten planen."), code="forbidden")


# --- parsing ---------------------------------------------------------------------------


def _integer(minimum: int):
    def parse(value, name: str) -> int:
        return integer_field(value, name, minimum=minimum)

    return parse


def _boolean(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(_("„%(name)s“ muss true oder false sein.", name=name), name)
    return value


def _string_list(value, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid(_("„%(name)s“ muss eine Liste von Texten sein.", name=name), name)
    return value


def _instant(value, name: str) -> datetime:
    """An ISO 8601 date and time: with an offset as given, without one as Berlin wall-clock time."""
    text = string_field(value, name)
    try:
        parsed = None if _DATE_ONLY.fullmatch(text) else parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise invalid(
            _("„%(name)s“ braucht Datum und Uhrzeit nach ISO 8601, z. B. 2026-10-27T16:00:00+01:00.", name=name), name
        )
    return parsed.astimezone(UTC) if parsed.tzinfo else planning.local_instant(parsed, name)


def _meeting_point(value, name: str) -> MeetingPoint:
    """A meeting point of a centre the caller coordinates; any other is "not found"."""
    slug = string_field(value, name)
    meeting_point = db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.slug == slug))
    if meeting_point is None or not current_user.is_staff_of(meeting_point.centre):
        raise NotFound(_("Diesen Treffpunkt gibt es in Ihrem Zentrum nicht."), code="not_found", field=name)
    return meeting_point


SHIFT_FIELDS = {
    "meeting_point": _meeting_point,
    "starts_at": _instant,
    "ends_at": _instant,
    "capacity": _integer(1),
    "capacity_min": _integer(0),
    "activity": string_field,
    "languages": _string_list,
    "requires_police_certificate": _boolean,
    "notes": multiline_text_field,
    "baustein": text_field_or_none,
}
REQUIRED_FOR_NEW = ("meeting_point", "starts_at", "ends_at", "capacity", "activity")
API_FIELD_NAMES = {"capacity_max": "capacity"}  # the services name the column, clients the field
NEW_SHIFT = {"capacity_min": 1, "languages": [], "requires_police_certificate": False, "notes": "", "baustein": None}


def _given_fields(body: dict, required=()) -> dict:
    for name in required:
        if body.get(name) is None:
            raise invalid(_("Das Feld „%(name)s“ fehlt oder ist leer.", name=name), name)
    return {name: parse(body[name], name) for name, parse in SHIFT_FIELDS.items() if name in body}


def _fields_of(shift: Shift) -> dict:
    return {
        "meeting_point": shift.meeting_point,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "capacity": shift.capacity_max,
        "capacity_min": shift.capacity_min,
        "activity": shift.activity,
        "languages": shift.languages,
        "requires_police_certificate": shift.requires_police_certificate,
        "notes": shift.notes,
        "baustein": shift.baustein,
    }


def _shift_values(given: dict, base: dict) -> tuple[planning.ShiftValues, datetime, datetime]:
    """`given` over `base`; without its own minimum, a smaller capacity lowers the minimum with it."""
    fields = {**base, **given}
    if "capacity_min" not in given:
        fields["capacity_min"] = min(base["capacity_min"], fields["capacity"])
    values = planning.ShiftValues(
        meeting_point=fields["meeting_point"],
        activity=fields["activity"],
        capacity_min=fields["capacity_min"],
        capacity_max=fields["capacity"],
        languages=list(fields["languages"]),
        notes=fields["notes"],
        requires_police_certificate=fields["requires_police_certificate"],
        baustein=fields["baustein"],
    )
    return values, fields["starts_at"], fields["ends_at"]


def _status_for_new(body: dict) -> bool:
    status = body.get("status", DRAFT)
    if status not in (DRAFT, PUBLISHED):
        raise InvalidInput(
            _("Eine neue Schicht ist ein Entwurf („draft“) oder veröffentlicht („published“)."),
            code="invalid_status",
            field="status",
        )
    return status == PUBLISHED


def _publishes(body: dict, shift: Shift) -> bool:
    """Whether a PATCH asks to publish a draft. Cancelling goes through DELETE, with a reason."""
    status = body.get("status", shift.status)
    if status == shift.status:
        return False
    if (shift.status, status) == (DRAFT, PUBLISHED):
        return True
    if status == CANCELLED:
        raise InvalidInput(
            _("Zum Absagen bitte DELETE mit einem Grund verwenden."), code="invalid_status", field="status"
        )
    raise InvalidInput(_("Dieser Statuswechsel ist nicht möglich."), code="invalid_status", field="status")


def _cancel_reason() -> str:
    body = optional_json_body()
    reason = body.get("reason") if body is not None and "reason" in body else request.args.get("reason")
    return multiline_text_field(reason, "reason") or _("Abgesagt durch die Koordination")


def _instant_arg(name: str, *, end_of_day: bool) -> datetime | None:
    """A query argument as an instant: a date (start of that day in Berlin, or its end for `to`), or
    an ISO 8601 date and time."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        if _DATE_ONLY.fullmatch(value):
            day = parse_day(value) + timedelta(days=1 if end_of_day else 0)
            return time.berlin_local_lenient(datetime.combine(day, datetime.min.time()))
        if "T" in value:  # an unencoded "+" of the offset arrives as a space
            value = value.replace(" ", "+")
        parsed = parse_datetime(value)
        return parsed.astimezone(UTC) if parsed.tzinfo else time.berlin_local_lenient(parsed)
    except (ValueError, OverflowError):
        raise invalid(
            _("„%(name)s“ ist kein gültiges Datum (JJJJ-MM-TT oder ISO 8601 mit Uhrzeit).", name=name), name
        ) from None


def _list_filter() -> ShiftFilter:
    start = _instant_arg("from", end_of_day=False) or time.now()
    end = _instant_arg("to", end_of_day=True) or start + DEFAULT_SPAN
    if end <= start:
        raise invalid(_("„to“ muss nach „from“ liegen."), "to")
    if end - start > MAX_SPAN:
        raise invalid(_("Der Zeitraum darf höchstens 366 Tage umfassen."), "to")
    language = request.args.get("language") or None
    if language is not None and language not in LANGUAGE_CODES:
        raise InvalidInput(_("Unbekannte Sprache."), code="invalid_language", field="language")
    return ShiftFilter(start=start, end=end, meeting_point=request.args.get("meeting_point") or None, language=language)


# --- routes ----------------------------------------------------------------------------


@bp.get("/shifts")
def list_shifts():
    require_login()
    return jsonify(items=shifts_json(visible_shifts(current_user, _list_filter())))


@bp.get("/shifts/<int:shift_id>")
def get_shift(shift_id: int):
    return jsonify(shifts_json([_visible_shift(shift_id)])[0])


@bp.post("/shifts")
def create_shift():
    _require_planner()
    body = json_body()
    publish = _status_for_new(body)
    # A start in the past is refused (422, "past_start_unconfirmed") unless the client confirms it.
    past_confirmed = _boolean(body.get("confirm_past", False), "confirm_past")
    values, starts_at, ends_at = _shift_values(_given_fields(body, REQUIRED_FOR_NEW), NEW_SHIFT)
    with in_api_terms(API_FIELD_NAMES):
        shift = planning.create_shift(
            centre=values.meeting_point.centre,
            values=values,
            starts_at=starts_at,
            ends_at=ends_at,
            publish=publish,
            past_confirmed=past_confirmed,
        )
    return jsonify(shifts_json([shift])[0]), 201


@bp.patch("/shifts/<int:shift_id>")
def update_shift(shift_id: int):
    shift = _managed_shift(shift_id)
    body = json_body()
    publish = _publishes(body, shift)
    given = _given_fields(body)
    with in_api_terms(API_FIELD_NAMES):
        if given:
            values, starts_at, ends_at = _shift_values(given, _fields_of(shift))
            planning.update_shift(shift=shift, values=values, starts_at=starts_at, ends_at=ends_at)
        if publish:
            planning.publish_shift(shift=shift)
    return jsonify(shifts_json([shift])[0])


@bp.delete("/shifts/<int:shift_id>")
def cancel_shift(shift_id: int):
    shift = _managed_shift(shift_id)
    planning.cancel_shift(shift=shift, reason=_cancel_reason())
    return jsonify(shifts_json([shift])[0])


@bp.post("/shifts/<int:shift_id>/signup")
def sign_up(shift_id: int):
    shift = _visible_shift(shift_id)
    signup = signups.sign_up(shift=shift, volunteer=current_user._get_current_object())
    return jsonify(signups_json([signup])[0]), 201


@bp.delete("/shifts/<int:shift_id>/signup")
def cancel_signup(shift_id: int):
    shift = _visible_shift(shift_id)
    signup = my_signup_statuses(current_user, [shift]).get(shift.id)
    if signup is None:
        raise Conflict(_("Sie sind für diese Schicht nicht eingetragen."), code="not_signed_up")
    body = optional_json_body() or {}
    signups.cancel_signup(signup=signup, reason=multiline_text_field(body.get("reason"), "reason", CANCEL_REASON))
    return jsonify(signups_json([signup])[0])


@bp.get("/me/shifts")
def my_shifts():
    require_login()
    when = request.args.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        raise invalid(_("„when“ ist „upcoming“ oder „past“."), "when")
    return jsonify(items=signups_json(my_signups(current_user, upcoming=when == "upcoming")))

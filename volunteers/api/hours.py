"""Hours in the JSON API: volunteers log their own (also hours queued offline by the PWA, stored
once by their client id), list them with totals; coordinators approve or reject. The rules live in
volunteers/hours; here only types and shapes are checked."""

import re
from datetime import date

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..activities.services import activity_name
from ..centres.models import Centre, MeetingPoint
from ..core.errors import NotFound
from ..core.limits import MAX_INT, parse_day
from ..core.tenancy import in_centres
from ..extensions import db
from ..hours import services
from ..hours.history import Totals, my_totals
from ..hours.models import HoursEntry
from ..shifts.models import Shift
from ..shifts.queries import visible_shift_or_none
from . import bp
from .helpers import (
    id_field,
    in_api_terms,
    invalid,
    json_body,
    multiline_text_field,
    require_login,
    string_field,
    string_field_or_none,
)
from .shifts import berlin_iso

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
API_FIELD_NAMES = {"work_date": "date"}  # the services name the column, clients the field


# --- answers ---------------------------------------------------------------------------


def entry_json(entry: HoursEntry) -> dict:
    centre = db.session.get(Centre, entry.centre_id)  # from the identity map after the first entry
    return {
        "id": entry.id,
        "client_id": entry.client_id,
        "date": entry.work_date.isoformat(),
        "minutes": entry.minutes,
        "activity": entry.activity,
        "activity_name": activity_name(entry.centre_id, entry.activity),
        "baustein": entry.baustein,
        "meeting_point": entry.meeting_point.slug if entry.meeting_point else None,
        "shift_id": entry.shift_id,
        "note": entry.note,
        "status": entry.status,
        "review_reason": entry.review_reason or None,
        "centre": centre.slug,
        "kind": entry.kind,
        "is_correction": entry.is_correction,
        "created_at": berlin_iso(entry.created_at),
    }


def totals_json(totals: Totals) -> dict:
    return {
        "month_approved_minutes": totals.month_approved,
        "month_submitted_minutes": totals.month_submitted,
        "year_approved_minutes": totals.year_approved,
        "year_submitted_minutes": totals.year_submitted,
    }


# --- parsing ---------------------------------------------------------------------------


def _text(value, name: str, max_length: int = services.NOTE_MAX) -> str:
    return multiline_text_field(value, name, max_length)


def _client_id(value) -> str:
    text = string_field(value, "client_id")
    if not _UUID.fullmatch(text):
        raise invalid(_("„client_id“ muss eine UUID sein, z. B. 0d3c5a8e-4a8f-4a43-9d5e-1c1a2f7b9e10."), "client_id")
    return text.lower()


def _date(text: str, name: str) -> date:
    try:
        if _DATE.fullmatch(text):
            return parse_day(text)
    except ValueError:
        pass
    raise invalid(_("„%(name)s“ ist kein gültiges Datum (JJJJ-MM-TT).", name=name), name)


def _minutes(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INT:
        raise invalid(_("„minutes“ muss eine ganze Zahl ab 1 sein."), "minutes")
    return value


def _shift(value) -> Shift | None:
    if value is None:
        return None
    shift = visible_shift_or_none(current_user, id_field(value, "shift_id"))
    if shift is None:
        raise invalid(_("Diese Schicht gibt es nicht."), "shift_id")
    return shift


def _meeting_point(value, shift: Shift | None) -> MeetingPoint | None:
    """The meeting point named by its slug; without one, the shift's. The service refuses one of
    another centre."""
    slug = string_field_or_none(value, "meeting_point")
    if slug is None:
        return shift.meeting_point if shift else None
    meeting_point = db.session.scalar(sa.select(MeetingPoint).where(MeetingPoint.slug == slug))
    if meeting_point is None:
        raise invalid(_("Diesen Treffpunkt gibt es nicht."), "meeting_point")
    return meeting_point


def _centre(value, shift: Shift | None) -> Centre:
    """The centre named by its slug; else the shift's, else the caller's only volunteer centre.
    The service refuses a centre the caller does not belong to."""
    slug = string_field_or_none(value, "centre")
    if slug is not None:
        centre = db.session.scalar(sa.select(Centre).where(Centre.slug == slug))
        if centre is None:
            raise invalid(_("Dieses Zentrum gibt es nicht."), "centre")
        return centre
    if shift is not None:
        return shift.centre
    centres = current_user.volunteer_centres
    if len(centres) != 1:
        raise invalid(_("Bitte geben Sie an, für welches Zentrum die Stunden zählen („centre“)."), "centre")
    return centres[0]


def _hours_input(body: dict, client_id: str) -> tuple[services.HoursInput, Centre]:
    shift = _shift(body.get("shift_id"))
    values = services.HoursInput(
        work_date=_date(string_field(body.get("date"), "date"), "date"),
        minutes=_minutes(body.get("minutes")),
        activity=string_field(body.get("activity"), "activity"),
        shift=shift,
        meeting_point=_meeting_point(body.get("meeting_point"), shift),
        note=multiline_text_field(body.get("note"), "note"),  # its length is the service's rule, as on the page
        client_id=client_id,
    )
    return values, _centre(body.get("centre"), shift)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    return _date(value, name) if value else None


# --- looking things up -----------------------------------------------------------------


def _stored_entry(client_id: str) -> HoursEntry | None:
    return db.session.scalar(
        sa.select(HoursEntry).where(HoursEntry.user_id == current_user.id, HoursEntry.client_id == client_id)
    )


def _entry_to_review(entry_id: int) -> HoursEntry:
    """An entry of a centre the caller coordinates; any other is "not found", for volunteers too."""
    require_login()
    centre_ids = [centre.id for centre in current_user.staff_centres]
    entry = db.session.scalar(in_centres(HoursEntry, centre_ids).where(HoursEntry.id == entry_id))
    if entry is None:
        raise NotFound(_("Diesen Eintrag gibt es nicht."), code="not_found")
    return entry


def _my_entries(start: date | None, end: date | None) -> list[HoursEntry]:
    query = (
        sa.select(HoursEntry)
        .where(HoursEntry.user_id == current_user.id)
        .options(joinedload(HoursEntry.meeting_point))
        .order_by(HoursEntry.work_date.desc(), HoursEntry.id.desc())
    )
    if start is not None:
        query = query.where(HoursEntry.work_date >= start)
    if end is not None:
        query = query.where(HoursEntry.work_date <= end)
    return list(db.session.scalars(query))


# --- routes ----------------------------------------------------------------------------


@bp.post("/me/hours")
def log_my_hours():
    require_login()
    body = json_body()
    client_id = _client_id(body.get("client_id"))
    # A retry gets what was stored, whatever its body says now: the person may have joined a second
    # centre since, or the meeting point may have closed, and the first answer never arrived.
    if (stored := _stored_entry(client_id)) is not None:
        return jsonify(entry_json(stored))
    values, centre = _hours_input(body, client_id)
    with in_api_terms(API_FIELD_NAMES):
        entry, created = services.log_hours(centre=centre, person=current_user._get_current_object(), values=values)
    return jsonify(entry_json(entry)), 201 if created else 200


@bp.get("/me/hours")
def list_my_hours():
    require_login()
    start, end = _date_arg("from"), _date_arg("to")
    if start and end and end < start:
        raise invalid(_("„to“ darf nicht vor „from“ liegen."), "to")
    return jsonify(
        items=[entry_json(entry) for entry in _my_entries(start, end)], totals=totals_json(my_totals(current_user))
    )


@bp.post("/hours/<int:entry_id>/approve")
def approve_hours(entry_id: int):
    entry = _entry_to_review(entry_id)
    with in_api_terms(API_FIELD_NAMES):
        services.approve(entry=entry, by=current_user._get_current_object())
    return jsonify(entry_json(entry))


@bp.post("/hours/<int:entry_id>/reject")
def reject_hours(entry_id: int):
    entry = _entry_to_review(entry_id)
    reason = _text(json_body().get("reason"), "reason")
    with in_api_terms(API_FIELD_NAMES):
        services.reject(entry=entry, by=current_user._get_current_object(), reason=reason)
    return jsonify(entry_json(entry))

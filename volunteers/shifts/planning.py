"""Planning single shifts: create, change, copy, publish, cancel. Series live in series.py."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..activities.services import activity_for
from ..centres.models import BAUSTEINE, LANGUAGE_CODES, Centre, MeetingPoint
from ..core import time
from ..core.tenancy import in_centre
from ..extensions import db
from ..reminders import notify
from .errors import ShiftError
from .models import CANCEL_REASON, CANCELLED, DRAFT, NOTES, PUBLISHED, SHARED_COLUMNS, Shift
from .signups import lock_shift, promote_waitlist

MAX_SHIFT_HOURS = 24
MAX_CAPACITY = 200


@dataclass
class ShiftValues:
    """What a coordinator sets for a shift or series, validated by `check_values`."""

    meeting_point: MeetingPoint
    activity: str
    capacity_min: int = 1
    capacity_max: int = 1
    languages: list[str] = field(default_factory=list)
    requires_police_certificate: bool = False
    notes: str = ""
    baustein: str | None = None  # None: from the activity, else the meeting point

    def columns(self) -> dict:
        return {
            "meeting_point_id": self.meeting_point.id,
            "activity": self.activity,
            "capacity_min": self.capacity_min,
            "capacity_max": self.capacity_max,
            "languages": list(self.languages),
            "notes": self.notes,
            "baustein": self.baustein,
            "requires_police_certificate": self.requires_police_certificate,
        }


def check_values(centre: Centre, values: ShiftValues, current_meeting_point_id: int | None = None) -> ShiftValues:
    """Refuse what cannot be planned; fill in the Baustein. Raises ShiftError. A shift that is
    already at a closed meeting point may still be edited there (e.g. its notes)."""
    meeting_point = values.meeting_point
    if meeting_point is None or meeting_point.centre_id != centre.id:
        raise ShiftError(
            _("Diesen Treffpunkt gibt es in Ihrem Zentrum nicht."), code="invalid_meeting_point", field="meeting_point"
        )
    if meeting_point.is_closed and meeting_point.id != current_meeting_point_id:
        raise ShiftError(
            _("Der Treffpunkt ist geschlossen; dort können keine Schichten geplant werden."),
            code="meeting_point_closed",
            field="meeting_point",
        )
    _check_capacity(values.capacity_min, values.capacity_max)
    if any(code not in LANGUAGE_CODES for code in values.languages):
        raise ShiftError(_("Unbekannte Sprache."), code="invalid_language", field="languages")
    activity = activity_for(centre, values.activity)
    values.baustein = values.baustein or activity.baustein or meeting_point.default_baustein
    if values.baustein not in BAUSTEINE:
        raise ShiftError(_("Der Baustein muss A, B, C oder D sein."), code="invalid_baustein", field="baustein")
    NOTES.check(values.notes, "notes")
    return values


def _check_capacity(minimum: int, maximum: int) -> None:
    if minimum < 0 or maximum < 0:
        raise ShiftError(
            _("Die Anzahl der Plätze darf nicht negativ sein."),
            code="invalid_capacity",
            field="capacity_min" if minimum < 0 else "capacity_max",
        )
    if maximum < 1 or maximum > MAX_CAPACITY:
        raise ShiftError(
            _("Eine Schicht braucht zwischen 1 und %(max)d Plätze.", max=MAX_CAPACITY),
            code="invalid_capacity",
            field="capacity_max",
        )
    if minimum > maximum:
        raise ShiftError(
            _("Die Mindestbesetzung ist größer als die Höchstzahl."), code="invalid_capacity", field="capacity_min"
        )


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ShiftError(_("Das Ende muss nach dem Beginn liegen."), code="invalid_times", field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise ShiftError(
            _("Eine Schicht darf höchstens %(hours)d Stunden dauern.", hours=MAX_SHIFT_HOURS),
            code="invalid_times",
            field="ends_at",
        )


def local_instant(naive: datetime, field_name: str) -> datetime:
    """A wall-clock time in Berlin as an instant, or a clear error for a time the DST change skips."""
    try:
        return time.berlin_local(naive)
    except time.NonexistentLocalTime:
        raise ShiftError(
            _("Diese Uhrzeit gibt es wegen der Zeitumstellung nicht."), code="invalid_times", field=field_name
        ) from None


class PastStartError(ShiftError):
    status = 422  # the API's answer: send the request again with "confirm_past": true


def past_start_blockers(starts_at: datetime, *, past_confirmed: bool) -> list[ShiftError]:
    """Whether a shift may be created with this start: one in the past is mostly a wrong date, so
    the planner confirms it first (the form's checkbox, the API's "confirm_past")."""
    if starts_at >= time.now() or past_confirmed:
        return []
    message = _(
        "Der Beginn liegt in der Vergangenheit. Bitte bestätigen Sie, dass die Schicht so angelegt werden soll."
    )
    return [PastStartError(message, code="past_start_unconfirmed", field="confirm_past")]


def create_shift(
    *,
    centre: Centre,
    values: ShiftValues,
    starts_at: datetime,
    ends_at: datetime,
    publish: bool = False,
    past_confirmed: bool = True,
) -> Shift:
    """A single shift (instants aware, any zone). The page and the API pass whether the planner
    confirmed a start in the past; demo data and benchmarks build the past on purpose."""
    check_values(centre, values)
    check_times(starts_at, ends_at)
    if blockers := past_start_blockers(starts_at, past_confirmed=past_confirmed):
        raise blockers[0]
    shift = Shift(
        centre_id=centre.id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=PUBLISHED if publish else DRAFT,
        **values.columns(),
    )
    db.session.add(shift)
    db.session.flush()
    return shift


def update_shift(*, shift: Shift, values: ShiftValues, starts_at: datetime, ends_at: datetime) -> Shift:
    """Change one shift. Capacity may not drop below those already confirmed; more room promotes
    people from the waitlist."""
    _require_changeable(shift)
    check_values(shift.centre, values, current_meeting_point_id=shift.meeting_point_id)
    check_times(starts_at, ends_at)
    lock_shift(shift)
    if values.capacity_max < shift.confirmed_count:
        raise ShiftError(
            ngettext(
                "Es ist schon %(num)d Person bestätigt; die Höchstzahl kann nicht darunter liegen.",
                "Es sind schon %(num)d Personen bestätigt; die Höchstzahl kann nicht darunter liegen.",
                shift.confirmed_count,
            ),
            code="capacity_below_confirmed",
            field="capacity_max",
        )
    moved = (starts_at, ends_at, values.meeting_point.id) != (shift.starts_at, shift.ends_at, shift.meeting_point_id)
    if moved:
        shift.sequence += 1
    for key, value in values.columns().items():
        setattr(shift, key, value)
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.is_detached = shift.series_id is not None
    _touch(shift)
    if moved and shift.is_published:
        notify.shift_changed(shift)
    promote_waitlist(shift)
    return shift


def _require_changeable(shift: Shift) -> None:
    if shift.is_cancelled:
        raise ShiftError(_("Die Schicht ist abgesagt und kann nicht mehr geändert werden."), code="cancelled")


def _touch(shift: Shift) -> None:
    shift.updated_at = time.now()
    db.session.flush()


def publish_shift(*, shift: Shift) -> None:
    if shift.is_draft:
        shift.status = PUBLISHED
        _touch(shift)


def publish_drafts(*, centre: Centre, start: datetime, end: datetime, meeting_point: MeetingPoint | None = None) -> int:
    """Publish every draft of the centre between two instants; returns how many."""
    drafts = db.session.scalars(_between(centre, start, end, meeting_point).where(Shift.status == DRAFT))
    count = 0
    for shift in drafts:
        publish_shift(shift=shift)
        count += 1
    return count


def cancel_shift(*, shift: Shift, reason: str) -> None:
    """Cancel with a reason; sign-ups stay so that volunteers see (and their calendars learn) it."""
    _require_changeable(shift)
    reason = CANCEL_REASON.check((reason or "").strip(), "reason")
    if not reason:
        raise ShiftError(_("Bitte geben Sie einen Grund für die Absage an."), code="reason_required", field="reason")
    shift.status, shift.cancel_reason = CANCELLED, reason
    shift.sequence += 1
    shift.is_detached = shift.series_id is not None
    _touch(shift)
    notify.shift_cancelled(shift)


def copy_shift(*, shift: Shift, starts_at: datetime) -> Shift:
    """A draft copy of `shift` starting at `starts_at`, same length and settings."""
    copy = Shift(
        centre_id=shift.centre_id,
        starts_at=starts_at,
        ends_at=starts_at + (shift.ends_at - shift.starts_at),
        status=DRAFT,
        **{k: getattr(shift, k) for k in SHARED_COLUMNS},
    )
    db.session.add(copy)
    db.session.flush()
    return copy


def copy_week(
    *, centre: Centre, week_start: date, target_week_start: date, meeting_point: MeetingPoint | None = None
) -> int:
    """Copy the week's shifts (not cancelled ones) as drafts to another week, keeping local times.
    A shift already there at the same place and time is not copied twice. Returns the count."""
    start, end = week_bounds(week_start)
    shifts = db.session.scalars(_between(centre, start, end, meeting_point).where(Shift.status != CANCELLED))
    days = (target_week_start - week_start).days
    copied = 0
    for shift in shifts:
        local_start = time.to_berlin(shift.starts_at).replace(tzinfo=None) + timedelta(days=days)
        new_start = time.berlin_local_lenient(local_start)
        if not _exists(shift.meeting_point_id, new_start):
            copy_shift(shift=shift, starts_at=new_start)
            copied += 1
    return copied


def _exists(meeting_point_id: int, starts_at: datetime) -> bool:
    return (
        db.session.scalar(
            sa.select(Shift.id)
            .where(Shift.meeting_point_id == meeting_point_id, Shift.starts_at == starts_at, Shift.status != CANCELLED)
            .limit(1)
        )
        is not None
    )


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in Berlin, as instants (a DST week has 167 or 169 h)."""
    monday = datetime.combine(week_start, datetime.min.time())
    return time.berlin_local(monday), time.berlin_local(monday + timedelta(days=7))


def _between(centre: Centre, start: datetime, end: datetime, meeting_point: MeetingPoint | None):
    query = in_centre(Shift, centre).where(Shift.starts_at >= start, Shift.starts_at < end)
    if meeting_point is not None:
        query = query.where(Shift.meeting_point_id == meeting_point.id)
    return query.order_by(Shift.starts_at)

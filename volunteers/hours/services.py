"""Logging hours, reviewing them and correcting closed periods, each step in the audit trail.

Each service locks what it reads (locks.py), asks the action's policy function (policy.py) and
raises its first reason against; then it checks the values given and writes."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..activities.services import activity_for
from ..audit.services import record
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..extensions import db
from ..shifts.models import Shift
from .errors import HoursError
from .locks import lock_entries, lock_periods, lock_person
from .models import APPROVED, REJECTED, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry
from .policy import (
    PeriodCalendar,
    calendar_of,
    correction_blockers,
    day_blockers,
    deviation_blockers,
    edit_blockers,
    log_blockers,
    raise_first,
    review_blockers,
    shift_blockers,
)

__all__ = ["HoursError", "HoursInput", "approve", "approve_many", "book_correction", "edit_entry", "log_hours"]

MINUTES_PER_DAY = 24 * 60
NOTE_MAX = 500
ENTITY = "hours_entry"


@dataclass
class HoursInput:
    work_date: date
    minutes: int
    activity: str
    meeting_point: MeetingPoint | None = None
    shift: Shift | None = None
    note: str = ""
    client_id: str | None = None


def log_hours(
    *, centre: Centre, person: User, values: HoursInput, by: User | None = None, kind: str = VOLUNTEER_HOURS
) -> tuple[HoursEntry, bool]:
    """Store one entry; returns (entry, created). The same client id again returns the stored
    entry unchanged, so that a retried offline submission is kept once."""
    lock_periods(centre.id)
    lock_person(person.id)  # also makes a retry sent at the same moment wait, then find the first
    if values.client_id and (existing := _by_client_id(person, values.client_id)):
        return existing, False
    periods = calendar_of(centre.id)
    raise_first(
        log_blockers(
            centre=centre, person=person, day=values.work_date, kind=kind, shift=values.shift, by=by, periods=periods
        )
    )
    if values.shift is not None and kind == VOLUNTEER_HOURS:
        raise_first(deviation_blockers(person=person, shift=values.shift, minutes=values.minutes, note=values.note))
    baustein = _check_values(centre, person, values, staff=kind == STAFF_HOURS)
    entry = HoursEntry(
        centre_id=centre.id,
        user_id=person.id,
        kind=kind,
        client_id=values.client_id,
        work_date=values.work_date,
        minutes=values.minutes,
        activity=values.activity,
        baustein=baustein,
        meeting_point_id=values.meeting_point.id if values.meeting_point else None,
        shift_id=values.shift.id if values.shift else None,
        note=values.note.strip(),
        status=APPROVED if kind == STAFF_HOURS else SUBMITTED,
        created_by_id=(by or person).id,
    )
    db.session.add(entry)
    db.session.flush()
    record(
        centre_id=centre.id,
        actor=by or person,
        entity=ENTITY,
        entity_id=entry.id,
        action="created",
        after=entry.snapshot(),
    )
    return entry, True


def _by_client_id(person: User, client_id: str) -> HoursEntry | None:
    return db.session.scalar(
        sa.select(HoursEntry).where(HoursEntry.user_id == person.id, HoursEntry.client_id == client_id)
    )


def _check_values(
    centre: Centre, person: User, values: HoursInput, replacing: HoursEntry | None = None, staff: bool = False
) -> str:
    """The rules on what was typed; returns the entry's KommAn Baustein. Raises HoursError."""
    if values.minutes <= 0:
        raise HoursError(_("Die Dauer muss größer als null sein."), code="invalid_minutes", field="minutes")
    if len(values.note.strip()) > NOTE_MAX:
        raise HoursError(
            _("Die Notiz darf höchstens %(max)d Zeichen lang sein.", max=NOTE_MAX), code="note_too_long", field="note"
        )
    if _minutes_that_day(person, values.work_date, replacing) + values.minutes > MINUTES_PER_DAY:
        raise HoursError(
            _("Mehr als 24 Stunden an einem Tag sind nicht möglich."), code="day_over_24h", field="minutes"
        )
    if values.meeting_point is not None and values.meeting_point.centre_id != centre.id:
        raise HoursError(
            _("Diesen Treffpunkt gibt es in Ihrem Zentrum nicht."), code="invalid_meeting_point", field="meeting_point"
        )
    activity = activity_for(centre, values.activity)
    if values.shift is not None:
        return values.shift.baustein
    if staff and activity.baustein is None:
        return "D"  # staff time supporting volunteers: training and support of volunteers
    # Work outside shifts (e.g. Behördenbegleitung) counts for encounter and accompaniment by default.
    return activity.baustein or (values.meeting_point.default_baustein if values.meeting_point else "B")


def _minutes_that_day(person: User, day: date, replacing: HoursEntry | None) -> int:
    query = sa.select(sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0)).where(
        HoursEntry.user_id == person.id, HoursEntry.work_date == day, HoursEntry.status != REJECTED
    )
    if replacing is not None:
        query = query.where(HoursEntry.id != replacing.id)
    return db.session.scalar(query)


# --- review ---------------------------------------------------------------------------------


def _locked(entry: HoursEntry, *, person: bool = False) -> tuple[HoursEntry, PeriodCalendar]:
    """The entry read again under its locks (locks.py), with its centre's periods."""
    lock_periods(entry.centre_id)
    if person:
        lock_person(entry.user_id)
    [entry] = lock_entries([entry.id])
    return entry, calendar_of(entry.centre_id)


def approve(*, entry: HoursEntry, by: User) -> HoursEntry:
    entry, periods = _locked(entry)
    raise_first(review_blockers(entry, by=by, periods=periods))
    return _decide(entry, by, APPROVED, "")


def reject(*, entry: HoursEntry, by: User, reason: str) -> HoursEntry:
    entry, periods = _locked(entry)
    raise_first(review_blockers(entry, by=by, periods=periods))
    _require_reason(reason, _("Bitte geben Sie einen Grund für die Ablehnung an."))
    return _decide(entry, by, REJECTED, reason.strip())


def _require_reason(reason: str | None, message: str) -> None:
    if not (reason or "").strip():
        raise HoursError(message, code="reason_required", field="reason")


def _decide(entry: HoursEntry, by: User, status: str, reason: str) -> HoursEntry:
    before = entry.snapshot()
    entry.status, entry.review_reason = status, reason[:500]
    entry.reviewed_by_id, entry.reviewed_at = by.id, time.now()
    entry.updated_at = time.now()
    record(
        centre_id=entry.centre_id,
        actor=by,
        entity=ENTITY,
        entity_id=entry.id,
        action=status,
        before=before,
        after=entry.snapshot(),
        reason=reason,
    )
    db.session.flush()
    return entry


def approve_many(*, entries: list[HoursEntry], by: User) -> int:
    """Approve every entry among `entries` that the reviewer may approve; returns the count."""
    for centre_id in sorted({entry.centre_id for entry in entries}):
        lock_periods(centre_id)
    calendars = {centre_id: calendar_of(centre_id) for centre_id in {entry.centre_id for entry in entries}}
    approved = 0
    for entry in lock_entries(entry.id for entry in entries):
        if not review_blockers(entry, by=by, periods=calendars[entry.centre_id]):
            _decide(entry, by, APPROVED, "")
            approved += 1
    return approved


def edit_entry(*, entry: HoursEntry, values: HoursInput, by: User, reason: str) -> HoursEntry:
    """A coordinator changes an entry; the reason is required and goes into the audit trail."""
    entry, periods = _locked(entry, person=True)
    raise_first(edit_blockers(entry, by=by, periods=periods))
    _require_reason(reason, _("Bitte begründen Sie die Änderung."))
    centre = db.session.get(Centre, entry.centre_id)
    if values.work_date != entry.work_date:
        raise_first(day_blockers(centre.id, values.work_date, by=by, periods=periods))
    if values.shift is not None:
        raise_first(
            shift_blockers(centre=centre, person=entry.user, shift=values.shift, day=values.work_date, replacing=entry)
        )
    baustein = _check_values(centre, entry.user, values, replacing=entry, staff=entry.kind == STAFF_HOURS)
    before = entry.snapshot()
    entry.work_date, entry.minutes, entry.activity, entry.baustein = (
        values.work_date,
        values.minutes,
        values.activity,
        baustein,
    )
    entry.meeting_point_id = values.meeting_point.id if values.meeting_point else None
    entry.shift_id = values.shift.id if values.shift else None
    entry.note, entry.updated_at = values.note.strip(), time.now()
    record(
        centre_id=entry.centre_id,
        actor=by,
        entity=ENTITY,
        entity_id=entry.id,
        action="updated",
        before=before,
        after=entry.snapshot(),
        reason=reason.strip(),
    )
    db.session.flush()
    return entry


def book_correction(*, original: HoursEntry, minutes: int, by: User, reason: str) -> HoursEntry:
    """Correct an entry of a closed period: a new, approved entry dated today in the open period,
    adding (or, negative, taking back) minutes and pointing at the original."""
    original, periods = _locked(original)
    raise_first(correction_blockers(original, by=by, periods=periods))
    _require_reason(reason, _("Bitte begründen Sie die Korrektur."))
    _check_correction(original, minutes)
    correction = HoursEntry(
        centre_id=original.centre_id,
        user_id=original.user_id,
        kind=original.kind,
        work_date=time.to_berlin(time.now()).date(),
        minutes=minutes,
        activity=original.activity,
        baustein=original.baustein,
        meeting_point_id=original.meeting_point_id,
        corrects_id=original.id,
        status=APPROVED,
        note=reason.strip()[:NOTE_MAX],
        created_by_id=by.id,
        reviewed_by_id=by.id,
        reviewed_at=time.now(),
    )
    db.session.add(correction)
    db.session.flush()
    record(
        centre_id=original.centre_id,
        actor=by,
        entity=ENTITY,
        entity_id=correction.id,
        action="corrected",
        before=original.snapshot(),
        after=correction.snapshot(),
        reason=reason.strip(),
    )
    return correction


def _check_correction(original: HoursEntry, minutes: int) -> None:
    if abs(minutes) > MINUTES_PER_DAY:
        raise HoursError(
            _("Eine Korrektur kann höchstens 24 Stunden betragen."), code="invalid_minutes", field="minutes"
        )
    if minutes == 0:
        raise HoursError(_("Eine Korrektur braucht eine Dauer ungleich null."), code="invalid_minutes", field="minutes")
    # Read under the original's lock: two corrections at once cannot both take back the last minutes.
    already = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0)).where(HoursEntry.corrects_id == original.id)
    )
    if original.minutes + already + minutes < 0:
        raise HoursError(
            _("Die Korrektur würde mehr Zeit abziehen, als eingetragen war."),
            code="correction_too_large",
            field="minutes",
        )

"""Logging hours, reviewing them and correcting closed periods, each step in the audit trail."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import STAFF_ROLES, User
from ..activities.services import activity_for
from ..audit.services import record
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..core.errors import DomainError
from ..extensions import db
from ..shifts.models import CONFIRMED, NO_SHOW, Shift, Signup
from .models import APPROVED, REJECTED, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry
from .periods import closed_period_on, require_open

MINUTES_PER_DAY = 24 * 60
ENTITY = "hours_entry"


class HoursError(DomainError):
    status = 422


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
    if values.client_id and (existing := _by_client_id(person, values.client_id)):
        return existing, False
    _check_person(centre, person, kind)
    baustein = _check(centre, person, values, staff=kind == STAFF_HOURS)
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
        note=values.note.strip()[:500],
        status=APPROVED if kind == STAFF_HOURS else SUBMITTED,
        created_by_id=(by or person).id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except sa.exc.IntegrityError:
        # The same submission arrived twice at once: the other request stored it.
        existing = _by_client_id(person, values.client_id) if values.client_id else None
        if existing is None:
            raise
        return existing, False
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


def _check_person(centre: Centre, person: User, kind: str) -> None:
    role = person.role_in(centre)
    if role is None or (kind == STAFF_HOURS and role not in STAFF_ROLES):
        raise HoursError(_("Sie gehören nicht zu diesem Zentrum."), code="not_member")


def _check(
    centre: Centre, person: User, values: HoursInput, replacing: HoursEntry | None = None, staff: bool = False
) -> str:
    """Every rule an entry must meet; returns its KommAn Baustein. Raises HoursError."""
    if values.minutes <= 0:
        raise HoursError(_("Die Dauer muss größer als null sein."), code="invalid_minutes", field="minutes")
    if values.work_date > time.to_berlin(time.now()).date():
        raise HoursError(_("Das Datum liegt in der Zukunft."), code="future_date", field="work_date")
    require_open(centre.id, values.work_date)
    if replacing is not None:
        require_open(centre.id, replacing.work_date)
    if _minutes_that_day(person, values.work_date, replacing) + values.minutes > MINUTES_PER_DAY:
        raise HoursError(
            _("Mehr als 24 Stunden an einem Tag sind nicht möglich."), code="day_over_24h", field="minutes"
        )
    if values.meeting_point is not None and values.meeting_point.centre_id != centre.id:
        raise HoursError(
            _("Diesen Treffpunkt gibt es in Ihrem Zentrum nicht."), code="invalid_meeting_point", field="meeting_point"
        )
    if values.shift is not None:
        _check_shift(centre, person, values, replacing)
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


def _check_shift(centre: Centre, person: User, values: HoursInput, replacing: HoursEntry | None) -> None:
    shift = values.shift
    signup = db.session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == person.id))
    attended = (
        shift.centre_id == centre.id
        and signup is not None
        and signup.status == CONFIRMED
        and signup.attendance != NO_SHOW
        and shift.starts_at <= time.now()
    )
    if not attended:
        raise HoursError(
            _("Für diese Schicht können Sie keine Stunden eintragen: Sie waren nicht (bestätigt) dabei."),
            code="not_attended",
            field="shift_id",
        )
    if time.to_berlin(shift.starts_at).date() != values.work_date:
        raise HoursError(_("Das Datum passt nicht zur Schicht."), code="date_mismatch", field="work_date")
    duplicate = sa.select(HoursEntry.id).where(
        HoursEntry.user_id == person.id, HoursEntry.shift_id == shift.id, HoursEntry.status != REJECTED
    )
    if replacing is not None:
        duplicate = duplicate.where(HoursEntry.id != replacing.id)
    if db.session.scalar(duplicate.limit(1)) is not None:
        raise HoursError(
            _("Für diese Schicht sind schon Stunden eingetragen."), code="already_logged", field="shift_id"
        )


# --- review ---------------------------------------------------------------------------------


def _require_reviewable(entry: HoursEntry, reviewer: User) -> None:
    if entry.user_id == reviewer.id:
        raise HoursError(_("Eigene Stunden können Sie nicht selbst freigeben."), code="own_entry")
    if entry.status != SUBMITTED:
        raise HoursError(_("Dieser Eintrag ist schon entschieden."), code="not_submitted")
    require_open(entry.centre_id, entry.work_date)


def approve(*, entry: HoursEntry, by: User) -> HoursEntry:
    _require_reviewable(entry, by)
    return _decide(entry, by, APPROVED, "")


def reject(*, entry: HoursEntry, by: User, reason: str) -> HoursEntry:
    _require_reviewable(entry, by)
    if not (reason or "").strip():
        raise HoursError(_("Bitte geben Sie einen Grund für die Ablehnung an."), code="reason_required", field="reason")
    return _decide(entry, by, REJECTED, reason.strip())


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
    """Approve every submitted entry among `entries` that the reviewer may approve; returns the count."""
    approved = 0
    for entry in entries:
        try:
            _require_reviewable(entry, by)
        except HoursError:
            continue
        _decide(entry, by, APPROVED, "")
        approved += 1
    return approved


def edit_entry(*, entry: HoursEntry, values: HoursInput, by: User, reason: str) -> HoursEntry:
    """A coordinator changes an entry; the reason is required and goes into the audit trail."""
    if not (reason or "").strip():
        raise HoursError(_("Bitte begründen Sie die Änderung."), code="reason_required", field="reason")
    if entry.is_correction:
        raise HoursError(
            _("Korrekturbuchungen werden nicht geändert; bitte eine neue Korrektur buchen."), code="is_correction"
        )
    if entry.status == REJECTED:
        raise HoursError(
            _("Abgelehnte Einträge werden nicht geändert; bitte einen neuen Eintrag anlegen."), code="rejected"
        )
    centre = db.session.get(Centre, entry.centre_id)
    baustein = _check(centre, entry.user, values, replacing=entry, staff=entry.kind == STAFF_HOURS)
    before = entry.snapshot()
    entry.work_date, entry.minutes, entry.activity, entry.baustein = (
        values.work_date,
        values.minutes,
        values.activity,
        baustein,
    )
    entry.meeting_point_id = values.meeting_point.id if values.meeting_point else None
    entry.shift_id = values.shift.id if values.shift else None
    entry.note, entry.updated_at = values.note.strip()[:500], time.now()
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
    if not (reason or "").strip():
        raise HoursError(_("Bitte begründen Sie die Korrektur."), code="reason_required", field="reason")
    if original.is_correction or original.status != APPROVED:
        raise HoursError(_("Korrigiert werden nur freigegebene Einträge, keine Korrekturen."), code="not_correctable")
    if closed_period_on(original.centre_id, original.work_date) is None:
        raise HoursError(
            _("Der Eintrag liegt in einem offenen Zeitraum; bitte ändern Sie ihn direkt."), code="period_open"
        )
    if abs(minutes) > MINUTES_PER_DAY:
        raise HoursError(
            _("Eine Korrektur kann höchstens 24 Stunden betragen."), code="invalid_minutes", field="minutes"
        )
    if minutes == 0:
        raise HoursError(_("Eine Korrektur braucht eine Dauer ungleich null."), code="invalid_minutes", field="minutes")
    already = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0)).where(HoursEntry.corrects_id == original.id)
    )
    if original.minutes + already + minutes < 0:
        raise HoursError(
            _("Die Korrektur würde mehr Zeit abziehen, als eingetragen war."),
            code="correction_too_large",
            field="minutes",
        )
    today = time.to_berlin(time.now()).date()
    require_open(original.centre_id, today)
    correction = HoursEntry(
        centre_id=original.centre_id,
        user_id=original.user_id,
        kind=original.kind,
        work_date=today,
        minutes=minutes,
        activity=original.activity,
        baustein=original.baustein,
        meeting_point_id=original.meeting_point_id,
        corrects_id=original.id,
        status=APPROVED,
        note=reason.strip()[:500],
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

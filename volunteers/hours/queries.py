"""Read-side queries for the coordinators' hours pages, scoped through core.tenancy, and the
readable rows of the audit trail."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..accounts.queries import existing_people
from ..activities.services import activity_name
from ..audit.models import AuditEvent
from ..centres.models import Centre, MeetingPoint
from ..core.tenancy import in_centre
from ..extensions import db
from ..shifts.models import Shift
from .history import format_minutes
from .models import CLOSED, HOURS_STATUS_NAMES, STAFF_HOURS, SUBMITTED, VOLUNTEER_HOURS, HoursEntry, ReportPeriod
from .services import ENTITY

QUEUE_LIMIT = 300
AUDIT_PAGE_SIZE = 50

KIND_NAMES = {"volunteer": _l("Ehrenamt"), "staff": _l("Hauptamt")}
PERIOD_STATUS_NAMES = {"open": _l("offen"), "closed": _l("abgeschlossen")}
ACTION_NAMES = {
    "created": _l("eingetragen"),
    "approved": _l("freigegeben"),
    "rejected": _l("abgelehnt"),
    "updated": _l("geändert"),
    "corrected": _l("Korrektur gebucht"),
    "closed": _l("Zeitraum abgeschlossen"),
}
FIELD_NAMES = {
    "work_date": _l("Datum"),
    "minutes": _l("Dauer"),
    "activity": _l("Tätigkeit"),
    "baustein": _l("Baustein"),
    "meeting_point_id": _l("Treffpunkt"),
    "shift_id": _l("Schicht"),
    "note": _l("Notiz"),
    "status": _l("Status"),
    "kind": _l("Art"),
}
# What a new entry's audit row shows; the rest is visible on the entry itself.
CREATED_FIELDS = ("work_date", "minutes", "activity", "status")


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


# --- review queue ----------------------------------------------------------------------------


@dataclass
class QueueFilter:
    status: str | None = SUBMITTED  # None: every status
    meeting_point: MeetingPoint | None = None
    activity: str | None = None
    volunteer_id: int | None = None
    month: date | None = None  # its first day


def review_queue(centre: Centre, queue_filter: QueueFilter, limit: int = QUEUE_LIMIT) -> list[HoursEntry]:
    """Volunteers' entries of the centre: waiting ones oldest first, decided ones newest first."""
    query = (
        in_centre(HoursEntry, centre)
        .where(HoursEntry.kind == VOLUNTEER_HOURS)
        .options(
            joinedload(HoursEntry.user),
            joinedload(HoursEntry.meeting_point),
            joinedload(HoursEntry.shift).joinedload(Shift.meeting_point),
        )
        .limit(limit)
    )
    query = _filtered(query, queue_filter)
    if queue_filter.status == SUBMITTED:
        return list(db.session.scalars(query.order_by(HoursEntry.work_date, HoursEntry.id)))
    return list(db.session.scalars(query.order_by(HoursEntry.work_date.desc(), HoursEntry.id.desc())))


def _filtered(query: sa.Select, queue_filter: QueueFilter) -> sa.Select:
    if queue_filter.status:
        query = query.where(HoursEntry.status == queue_filter.status)
    if queue_filter.activity:
        query = query.where(HoursEntry.activity == queue_filter.activity)
    if queue_filter.volunteer_id:
        query = query.where(HoursEntry.user_id == queue_filter.volunteer_id)
    if queue_filter.month:
        query = query.where(
            HoursEntry.work_date >= queue_filter.month, HoursEntry.work_date < next_month(queue_filter.month)
        )
    if queue_filter.meeting_point:
        # Hours logged for a shift count for the shift's meeting point even without one of their own.
        shifts_there = sa.select(Shift.id).where(Shift.meeting_point_id == queue_filter.meeting_point.id)
        query = query.where(
            sa.or_(HoursEntry.meeting_point_id == queue_filter.meeting_point.id, HoursEntry.shift_id.in_(shifts_there))
        )
    return query


def pending_summary(centre: Centre) -> tuple[int, int]:
    """How many volunteer entries wait for approval, and their minutes."""
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0)).where(
            HoursEntry.centre_id == centre.id, HoursEntry.kind == VOLUNTEER_HOURS, HoursEntry.status == SUBMITTED
        )
    ).one()
    return row[0], row[1]


def people_with_hours(centre: Centre) -> list[User]:
    """Everyone who logged volunteer hours in the centre and still has an account, for the queue's filter."""
    logged = (
        in_centre(HoursEntry, centre).where(HoursEntry.kind == VOLUNTEER_HOURS).with_only_columns(HoursEntry.user_id)
    )
    return list(db.session.scalars(existing_people(sa.select(User).where(User.id.in_(logged))).order_by(User.name)))


def entries_by_id(centre: Centre, ids) -> list[HoursEntry]:
    return list(
        db.session.scalars(in_centre(HoursEntry, centre).where(HoursEntry.id.in_(list(ids))).order_by(HoursEntry.id))
    )


def meeting_points_of(centre: Centre) -> list[MeetingPoint]:
    return list(db.session.scalars(in_centre(MeetingPoint, centre).order_by(MeetingPoint.name)))


# --- one entry ----------------------------------------------------------------------------


def corrections_of(entry: HoursEntry) -> list[HoursEntry]:
    return list(
        db.session.scalars(
            sa.select(HoursEntry)
            .where(HoursEntry.centre_id == entry.centre_id, HoursEntry.corrects_id == entry.id)
            .order_by(HoursEntry.id)
        )
    )


def entry_trail(entry: HoursEntry, corrections: list[HoursEntry]) -> list[AuditEvent]:
    """The entry's audit events and those of the corrections booked against it, oldest first."""
    ids = [entry.id, *(c.id for c in corrections)]
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.centre_id == entry.centre_id, AuditEvent.entity == ENTITY, AuditEvent.entity_id.in_(ids))
            .options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


# --- staff hours and periods ----------------------------------------------------------------


def staff_entries(centre: Centre, month: date, person: User | None = None) -> list[HoursEntry]:
    """Staff hours of one month: one person's, or (person None) everyone's."""
    query = (
        in_centre(HoursEntry, centre)
        .where(HoursEntry.kind == STAFF_HOURS, HoursEntry.work_date >= month, HoursEntry.work_date < next_month(month))
        .options(joinedload(HoursEntry.user), joinedload(HoursEntry.meeting_point))
        .order_by(HoursEntry.work_date.desc(), HoursEntry.id.desc())
    )
    if person is not None:
        query = query.where(HoursEntry.user_id == person.id)
    return list(db.session.scalars(query))


def periods_of(centre: Centre) -> list[ReportPeriod]:
    return list(
        db.session.scalars(
            in_centre(ReportPeriod, centre)
            .options(joinedload(ReportPeriod.closed_by))
            .order_by(ReportPeriod.starts_on.desc())
        )
    )


def pending_in_periods(centre: Centre, periods: list[ReportPeriod]) -> dict[int, int]:
    """For each open period, how many entries dated in it still wait for a decision."""
    return {
        period.id: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(HoursEntry)
            .where(
                HoursEntry.centre_id == centre.id,
                HoursEntry.status == SUBMITTED,
                HoursEntry.work_date.between(period.starts_on, period.ends_on),
            )
        )
        for period in periods
        if period.status != CLOSED
    }


# --- the audit trail, readable ------------------------------------------------------------


@dataclass
class Change:
    label: str
    before: str | None  # None: nothing before (a new entry)
    after: str


@dataclass
class AuditRow:
    event: AuditEvent
    actor: str
    action: str
    entry: HoursEntry | None
    changes: list[Change] = field(default_factory=list)


def audit_page(centre: Centre, page: int) -> tuple[list[AuditEvent], bool]:
    """One page of the centre's audit trail, newest first, and whether an older page follows."""
    events = list(
        db.session.scalars(
            in_centre(AuditEvent, centre)
            .options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .offset((page - 1) * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE + 1)
        )
    )
    return events[:AUDIT_PAGE_SIZE], len(events) > AUDIT_PAGE_SIZE


def audit_rows(centre: Centre, events: list[AuditEvent]) -> list[AuditRow]:
    entry_ids = {e.entity_id for e in events if e.entity == ENTITY}
    entries = {
        e.id: e
        for e in db.session.scalars(
            in_centre(HoursEntry, centre).where(HoursEntry.id.in_(entry_ids)).options(joinedload(HoursEntry.user))
        )
    }
    values = _ValueNames(centre, events)
    return [
        AuditRow(
            event=event,
            actor=event.actor.name if event.actor else str(_l("gelöschtes Konto")),
            action=str(ACTION_NAMES.get(event.action, event.action)),
            entry=entries.get(event.entity_id) if event.entity == ENTITY else None,
            changes=_changes(event, values),
        )
        for event in events
    ]


def _changes(event: AuditEvent, values: "_ValueNames") -> list[Change]:
    before, after = event.before or {}, event.after or {}
    if event.entity == "report_period":
        span = f"{values.show('work_date', after.get('starts_on'))} – {values.show('work_date', after.get('ends_on'))}"
        return [Change(str(_l("Zeitraum")), None, f"{after.get('label', '')} ({span})")]
    if event.action == "corrected":
        return [
            Change(str(_l("Korrektur")), None, format_minutes(after.get("minutes")) + " h"),
            Change(str(_l("zum Eintrag vom")), None, values.show("work_date", before.get("work_date"))),
        ]
    if not before:
        return [
            Change(str(FIELD_NAMES[key]), None, values.show(key, after.get(key)))
            for key in CREATED_FIELDS
            if key in after
        ]
    return [
        Change(str(FIELD_NAMES.get(key, key)), values.show(key, before.get(key)), values.show(key, after.get(key)))
        for key in after
        if before.get(key) != after.get(key)
    ]


class _ValueNames:
    """Turns the raw values of snapshots into what people read, looking names up once per page."""

    def __init__(self, centre: Centre, events: list[AuditEvent]):
        self.centre = centre
        snapshots = [s for e in events for s in (e.before, e.after) if s]
        mp_ids = {s.get("meeting_point_id") for s in snapshots} - {None}
        shift_ids = {s.get("shift_id") for s in snapshots} - {None}
        self.meeting_points = dict(
            db.session.execute(
                sa.select(MeetingPoint.id, MeetingPoint.name).where(
                    MeetingPoint.centre_id == centre.id, MeetingPoint.id.in_(mp_ids)
                )
            ).all()
        )
        self.shifts = dict(
            db.session.execute(
                sa.select(Shift.id, Shift.starts_at).where(Shift.centre_id == centre.id, Shift.id.in_(shift_ids))
            ).all()
        )

    def show(self, key: str, value) -> str:
        if value is None or value == "":
            return "–"
        if key == "minutes":
            return format_minutes(value)
        if key == "work_date":
            return format_date(date.fromisoformat(value), "dd.MM.yyyy")
        if key == "activity":
            return activity_name(self.centre.id, value)
        if key == "status":
            return str(HOURS_STATUS_NAMES.get(value, value))
        if key == "kind":
            return str(KIND_NAMES.get(value, value))
        if key == "meeting_point_id":
            return self.meeting_points.get(value, f"#{value}")
        if key == "shift_id":
            starts_at = self.shifts.get(value)
            return format_datetime(starts_at, "dd.MM.yyyy HH:mm") if starts_at else f"#{value}"
        return str(value)

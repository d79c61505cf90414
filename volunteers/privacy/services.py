"""DSGVO: a person's data to take away (Art. 15/20), deleting an account without changing the
funding figures (hours stay, pseudonymised), and pseudonymising long-inactive volunteers.

What deletion erases is listed in two tuples below: a new table with personal rows goes into
PERSONAL_ROWS (rows by user_id) or ROWS_BY_EMAIL (rows by address, e.g. before an account
exists); tests/privacy/ search the whole database and the instance folder afterwards."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

from ..accounts.models import STAFF_ROLES, ApiToken, LoginSession, User
from ..accounts.registrations import PendingRegistration
from ..audit.models import AuditEvent
from ..availability.export import personal_data as availability_data
from ..availability.models import Absence, Invitation, WeeklyWindow
from ..centres.models import Centre
from ..core import time
from ..core.tokens import new_token
from ..core.transactions import after_commit
from ..engagement.models import EngagementCertificate
from ..engagement.services import export_certificates
from ..extensions import db
from ..feeds.models import CalendarToken
from ..hours.models import CheckinScan, HoursEntry
from ..mail.models import OutgoingMail
from ..push.models import Notification, PushSubscription
from ..shifts.handover_queries import handovers_export
from ..shifts.handovers import forget_taker
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, Handover, Signup
from ..shifts.signups import cancel_signup
from .copies import erase_copies
from .erasures import undone_erasures

# Rows that are only about the person, deleted with the account (by their user_id column).
PERSONAL_ROWS = (
    ApiToken,
    LoginSession,
    CalendarToken,
    PushSubscription,
    Notification,
    CheckinScan,
    EngagementCertificate,  # its check page then says "not found": the name it confirmed is gone
    Handover,
    WeeklyWindow,
    Absence,
    Invitation,
)
# Rows that name the person by address only: (model, column holding the address).
ROWS_BY_EMAIL = ((OutgoingMail, OutgoingMail.recipient), (PendingRegistration, PendingRegistration.email))


def _iso(value):
    return value.isoformat() if value is not None else None


def export_personal_data(user: User) -> dict:
    """Everything Treffpunkt stores about the person, as plain JSON."""
    signups = db.session.scalars(sa.select(Signup).where(Signup.user_id == user.id).order_by(Signup.created_at))
    entries = db.session.scalars(
        sa.select(HoursEntry)
        .where(HoursEntry.user_id == user.id)
        .options(joinedload(HoursEntry.meeting_point))
        .order_by(HoursEntry.work_date)
    ).all()
    centres = dict(
        db.session.execute(sa.select(Centre.id, Centre.slug).where(Centre.id.in_({e.centre_id for e in entries}))).all()
    )
    return {
        "exported_at": _iso(time.now()),
        "profile": {
            "email": user.email,
            "name": user.name,
            "phone": user.phone,
            "shares_phone": user.shares_phone,
            "languages": user.languages,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "consent_version": user.consent_version,
            "consent_at": _iso(user.consent_at),
            "calendar_alarm_minutes": user.calendar_alarm_minutes,
        },
        "memberships": [
            {
                "centre": m.centre.slug,
                "centre_name": m.centre.name,
                "role": m.role,
                "since": _iso(m.created_at),
                "certificate_verified_on": _iso(m.certificate_verified_on),
            }
            for m in user.memberships
        ],
        "signups": [
            {
                "shift_id": s.shift_id,
                "starts_at": _iso(s.shift.starts_at),
                "ends_at": _iso(s.shift.ends_at),
                "meeting_point": s.shift.meeting_point.name,
                "status": s.status,
                "attendance": s.attendance,
                "is_late_cancellation": s.is_late_cancellation,
                "cancel_reason": s.cancel_reason,
                "checked_in_at": _iso(s.checked_in_at),
                "checked_out_at": _iso(s.checked_out_at),
            }
            for s in signups
        ],
        "handovers": handovers_export(user),
        "hours": [
            {
                "id": e.id,
                "date": _iso(e.work_date),
                "minutes": e.minutes,
                "activity": e.activity,
                "baustein": e.baustein,
                "status": e.status,
                "note": e.note,
                "kind": e.kind,
                "review_reason": e.review_reason,
                "created_at": _iso(e.created_at),
                "shift_id": e.shift_id,
                "meeting_point": e.meeting_point.slug if e.meeting_point else None,
                "meeting_point_name": e.meeting_point.name if e.meeting_point else None,
                "centre": centres.get(e.centre_id),
                "reviewed_at": _iso(e.reviewed_at),
            }
            for e in entries
        ],
        "checkin_scans": _checkin_scans(user),
        "engagement_certificates": export_certificates(user),
        "devices": _push_devices(user),
        "notification_settings": {
            "channel": user.notify_channel,
            "reminder_minutes": user.reminder_minutes,
            "quiet_start_hour": user.quiet_start_hour,
            "quiet_end_hour": user.quiet_end_hour,
        },
        "notifications": _notifications(user),
        "api_tokens": _api_tokens(user),
        "login_sessions": _login_sessions(user),
        "calendar_feeds": _calendar_feeds(user),
        "audit_events": _audit_events(user),
        **availability_data(user),
    }


def _notifications(user: User) -> list[dict]:
    rows = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return [
        {
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "status": n.status,
            "created_at": _iso(n.created_at),
            "due_at": _iso(n.due_at),
            "sent_at": _iso(n.sent_at),
        }
        for n in rows
    ]


def _api_tokens(user: User) -> list[dict]:
    """What the person knows a token by: never the token or its hash."""
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [
        {
            "label": t.label,
            "created_at": _iso(t.created_at),
            "last_used_at": _iso(t.last_used_at),
            "revoked_at": _iso(t.revoked_at),
        }
        for t in rows
    ]


def _login_sessions(user: User) -> list[dict]:
    """The browsers and apps signed in with the person's password: when, never the token."""
    rows = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id))
    return [{"created_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at)} for s in rows]


def _calendar_feeds(user: User) -> list[dict]:
    """Which feeds are on, without their secret address (the settings page shows it)."""
    rows = db.session.execute(
        sa.select(CalendarToken.kind, Centre.slug, CalendarToken.created_at)
        .outerjoin(Centre, Centre.id == CalendarToken.centre_id)
        .where(CalendarToken.user_id == user.id)
        .order_by(CalendarToken.id)
    )
    return [{"kind": kind, "centre": slug, "created_at": _iso(created_at)} for kind, slug, created_at in rows]


def _audit_events(user: User) -> list[dict]:
    """The audit trail of the person's hours entries: who did what to them, and when."""
    entry_ids = sa.select(HoursEntry.id).where(HoursEntry.user_id == user.id)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "hours_entry", AuditEvent.entity_id.in_(entry_ids))
        .order_by(AuditEvent.id)
    )
    return [
        {
            "hours_entry_id": e.entity_id,
            "action": e.action,
            "by_me": e.actor_id == user.id,
            "before": e.before,
            "after": e.after,
            "reason": e.reason,
            "at": _iso(e.created_at),
        }
        for e in events
    ]


def _checkin_scans(user: User) -> list[dict]:
    """Each tap on a meeting point's poster: when it was made and when it reached the server."""
    rows = db.session.scalars(sa.select(CheckinScan).where(CheckinScan.user_id == user.id).order_by(CheckinScan.id))
    return [
        {
            "shift_id": s.signup.shift_id,
            "direction": s.direction,
            "scanned_at": _iso(s.scanned_at),
            "received_at": _iso(s.received_at),
        }
        for s in rows
    ]


def _push_devices(user: User) -> list[dict]:
    return [
        {"user_agent": s.user_agent, "created_at": _iso(s.created_at)}
        for s in db.session.scalars(sa.select(PushSubscription).where(PushSubscription.user_id == user.id))
    ]


def delete_account(*, user: User) -> None:
    """Erase the person's data but keep the row, pseudonymised, under which their hours stay:
    the centre's funding figures do not change. Upcoming sign-ups are cancelled so the places
    go to others. After a request's commit, the copies outside the rows go too (erase_copies);
    a CLI command calls erase_copies itself after its commit."""
    now, email, user_id = time.now(), user.email, user.id
    for signup in db.session.scalars(
        sa.select(Signup).join(Signup.shift).where(Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
    ):
        if signup.shift.starts_at > now:
            cancel_signup(signup=signup, by_volunteer=False)
    _delete_personal_rows(user)
    _pseudonymise(user)
    user.deleted_at = now
    db.session.execute(sa.update(HoursEntry).where(HoursEntry.user_id == user.id).values(note=""))
    db.session.execute(sa.update(Signup).where(Signup.user_id == user.id).values(cancel_reason=None))
    _scrub_notes_from_audit_trail(user)
    db.session.flush()
    if has_request_context():
        after_commit(lambda: erase_copies(emails=[email], user_ids=[user_id]))


def reapply_erasures() -> int:
    """Delete again the accounts that the erasure ledger lists and a restore brought back; commits.
    Returns how many."""
    users = undone_erasures()
    emails = [user.email for user in users]
    for user in users:
        delete_account(user=user)
    db.session.commit()
    erase_copies(emails=emails, user_ids=[])  # the ledger lists them already
    return len(users)


def _pseudonymise(user: User) -> None:
    """Every column of the row back to what says nothing about the person."""
    user.name = f"Ehemalige Person #{user.id}"
    user.email = f"geloescht-{user.id}@treffpunkt.invalid"
    user.password_hash = generate_password_hash(new_token())  # nobody knows it: no login possible
    user.phone, user.shares_phone, user.languages, user.locale = "", False, [], None
    user.calendar_alarm_minutes = None
    user.reminder_minutes, user.quiet_start_hour, user.quiet_end_hour = [1440, 120], 22, 7
    user.notify_channel = "push"
    user.consent_version = user.consent_at = user.last_login_at = None
    user.session_version += 1


def _scrub_notes_from_audit_trail(user: User) -> None:
    """The person's own notes are free text about them: erased from the audit trail's copies too.
    Who changed what and when stays."""
    entry_ids = sa.select(HoursEntry.id).where(HoursEntry.user_id == user.id)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "hours_entry", AuditEvent.entity_id.in_(entry_ids))
    )
    for event in events:
        for side in ("before", "after"):
            snapshot = getattr(event, side)
            if snapshot and snapshot.get("note"):
                setattr(event, side, {**snapshot, "note": ""})


def _delete_personal_rows(user: User) -> None:
    forget_taker(user)  # handovers they took name them as taker; those they offered go with PERSONAL_ROWS
    for model in PERSONAL_ROWS:
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
    for model, column in ROWS_BY_EMAIL:
        db.session.execute(sa.delete(model).where(sa.func.lower(column) == user.email.lower()))


def inactive_volunteers(days: int | None = None) -> list[User]:
    """Volunteers (no staff) without login, sign-up or hours for `days` (RETENTION_INACTIVE_DAYS)."""
    days = days or current_app.config["RETENTION_INACTIVE_DAYS"]
    cutoff = time.now() - timedelta(days=days)
    recent_signup = sa.select(Signup.user_id).where(Signup.created_at >= cutoff)
    recent_hours = sa.select(HoursEntry.user_id).where(HoursEntry.created_at >= cutoff)
    candidates = db.session.scalars(
        sa.select(User).where(
            User.deleted_at.is_(None),
            User.global_role.is_(None),
            sa.func.coalesce(User.last_login_at, User.created_at) < cutoff,
            User.id.not_in(recent_signup),
            User.id.not_in(recent_hours),
        )
    )
    return [user for user in candidates if not any(m.role in STAFF_ROLES for m in user.memberships)]

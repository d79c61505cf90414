"""DSGVO: a person's data to take away (Art. 15/20), deleting an account without changing the
funding figures (hours stay, pseudonymised), and pseudonymising long-inactive volunteers."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from ..accounts.models import STAFF_ROLES, ApiToken, User
from ..audit.models import AuditEvent
from ..core import time
from ..core.tokens import new_token
from ..extensions import db
from ..feeds.models import CalendarToken
from ..hours.models import HoursEntry
from ..push.models import Notification, PushSubscription
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, Signup
from ..shifts.signups import cancel_signup


def _iso(value):
    return value.isoformat() if value is not None else None


def export_personal_data(user: User) -> dict:
    """Everything Treffpunkt stores about the person, as plain JSON."""
    signups = db.session.scalars(sa.select(Signup).where(Signup.user_id == user.id).order_by(Signup.created_at))
    entries = db.session.scalars(
        sa.select(HoursEntry).where(HoursEntry.user_id == user.id).order_by(HoursEntry.work_date)
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
                "checked_in_at": _iso(s.checked_in_at),
                "checked_out_at": _iso(s.checked_out_at),
            }
            for s in signups
        ],
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
            }
            for e in entries
        ],
        "devices": _push_devices(user),
    }


def _push_devices(user: User) -> list[dict]:
    return [
        {"user_agent": s.user_agent, "created_at": _iso(s.created_at)}
        for s in db.session.scalars(sa.select(PushSubscription).where(PushSubscription.user_id == user.id))
    ]


def delete_account(*, user: User) -> None:
    """Erase the person's data but keep the row, pseudonymised, under which their hours stay:
    the centre's funding figures do not change. Upcoming sign-ups are cancelled so the places
    go to others."""
    now = time.now()
    for signup in db.session.scalars(
        sa.select(Signup).join(Signup.shift).where(Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
    ):
        if signup.shift.starts_at > now:
            cancel_signup(signup=signup, by_volunteer=False)
    _forget_devices_and_tokens(user)
    user.name = f"Ehemalige Person #{user.id}"
    user.email = f"geloescht-{user.id}@treffpunkt.invalid"
    user.password_hash = generate_password_hash(new_token())  # nobody knows it: no login possible
    user.phone, user.shares_phone, user.languages, user.locale = "", False, [], None
    user.calendar_alarm_minutes = None
    user.session_version += 1
    user.deleted_at = now
    db.session.execute(sa.update(HoursEntry).where(HoursEntry.user_id == user.id).values(note=""))
    _scrub_notes_from_audit_trail(user)
    db.session.flush()


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


def _forget_devices_and_tokens(user: User) -> None:
    for model in (ApiToken, CalendarToken, PushSubscription, Notification):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))


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

"""Messages to volunteers about their shifts, written into the outbox in the same transaction
as the change that causes them (the push worker sends them after the commit).

Keys: every message about one person and one shift starts with "shift:<id>:user:<id>:", so a
cancellation withdraws exactly that person's pending reminders."""

from flask_babel import force_locale, format_time
from flask_babel import gettext as _

from ..accounts.models import User
from ..activities.services import activity_name
from ..availability.candidates import candidates
from ..core import time
from ..core.templating import format_day
from ..push.services import cancel_notifications, queue_notification
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, CONFIRMED, Shift, Signup
from .timing import reminder_due

# The best-ranked people a staffing call goes to: enough to fill a shift, not the whole centre.
STAFFING_CALL_LIMIT = 50


def _key(shift: Shift, user_id: int, what: str) -> str:
    return f"shift:{shift.id}:user:{user_id}:{what}"


def _when_and_where(shift: Shift) -> str:
    return (
        f"{format_day(shift.starts_at, 'MMMEd')}, {format_time(shift.starts_at, 'short')} · {shift.meeting_point.name}"
    )


def _url(shift: Shift) -> str:
    return f"/shifts/{shift.id}"


def _queue(user: User, shift: Shift, kind: str, key: str, title: str, body: str, **extra) -> None:
    queue_notification(
        user=user, kind=kind, title=title, body=body, url=_url(shift), centre=shift.centre, dedupe_key=key, **extra
    )


def schedule_reminders(signup: Signup) -> None:
    """Reminders for a confirmed sign-up at the volunteer's chosen times (default 24 h and 2 h)."""
    user, shift = signup.user, signup.shift
    if signup.status != CONFIRMED or user is None or user.deleted_at is not None:
        return
    for minutes in user.reminder_minutes or ():
        due = reminder_due(shift.starts_at, minutes, quiet_start=user.quiet_start_hour, quiet_end=user.quiet_end_hour)
        if due <= time.now() or due >= shift.starts_at:
            continue  # signed up too late for this one
        with force_locale(user.locale or "de"):
            title = _("Erinnerung: %(activity)s", activity=activity_name(shift.centre_id, shift.activity))
            body = _when_and_where(shift)
        _queue(
            user,
            shift,
            "reminder",
            _key(shift, user.id, f"reminder-{minutes}:seq:{shift.sequence}"),
            title,
            body,
            due_at=due,
            expires_at=shift.starts_at,
        )


def withdraw_reminders(signup: Signup) -> None:
    if signup.user_id is not None:
        cancel_notifications(dedupe_key_prefix=_key(signup.shift, signup.user_id, "reminder-"))


def _active_signups(shift: Shift) -> list[Signup]:
    return [s for s in shift.signups if s.status in ACTIVE_SIGNUP_STATUSES and s.user is not None]


def shift_changed(shift: Shift) -> None:
    """Time or place changed: tell everyone signed up, and move their reminders."""
    for signup in _active_signups(shift):
        withdraw_reminders(signup)
        with force_locale(signup.user.locale or "de"):
            title = _("Schicht geändert: %(activity)s", activity=activity_name(shift.centre_id, shift.activity))
            body = _("Neu: %(when)s", when=_when_and_where(shift))
        _queue(
            signup.user,
            shift,
            "shift_changed",
            _key(shift, signup.user_id, f"changed:seq:{shift.sequence}"),
            title,
            body,
            expires_at=shift.ends_at,
        )
        schedule_reminders(signup)


def shift_cancelled(shift: Shift) -> None:
    for signup in _active_signups(shift):
        withdraw_reminders(signup)
        with force_locale(signup.user.locale or "de"):
            title = _("Abgesagt: %(activity)s", activity=activity_name(shift.centre_id, shift.activity))
            body = f"{_when_and_where(shift)} – {shift.cancel_reason}"
        _queue(
            signup.user,
            shift,
            "shift_cancelled",
            _key(shift, signup.user_id, "cancelled"),
            title,
            body,
            expires_at=shift.ends_at,
        )


def promoted(signup: Signup) -> None:
    """A waitlist place became a confirmed one."""
    shift, user = signup.shift, signup.user
    if user is None:
        return
    with force_locale(user.locale or "de"):
        title = _("Sie sind dabei: %(activity)s", activity=activity_name(shift.centre_id, shift.activity))
        body = _("Ein Platz ist frei geworden. %(when)s", when=_when_and_where(shift))
    _queue(
        user,
        shift,
        "waitlist_promoted",
        _key(shift, user.id, f"promoted:{signup.updated_at.timestamp():.0f}"),
        title,
        body,
        expires_at=shift.starts_at,
    )
    schedule_reminders(signup)


def staffing_call(*, shift: Shift, message: str) -> int:
    """ "We still need people": to the centre's volunteers who could cover the shift (availability.
    candidates: speak one of its languages, if it has any, not signed up, free and not away), the
    available and matching first, at most STAFFING_CALL_LIMIT. Each person hears it once per shift."""
    count = 0
    for user in [c.volunteer for c in candidates(shift)][:STAFFING_CALL_LIMIT]:
        with force_locale(user.locale or "de"):
            title = _("Wir brauchen noch Hilfe: %(activity)s", activity=activity_name(shift.centre_id, shift.activity))
            body = f"{_when_and_where(shift)}. {message}".strip()
        if (
            queue_notification(
                user=user,
                kind="staffing_call",
                title=title,
                body=body[:500],
                url=_url(shift),
                centre=shift.centre,
                dedupe_key=_key(shift, user.id, "call"),
                expires_at=shift.starts_at,
            )
            is not None
        ):
            count += 1
    return count

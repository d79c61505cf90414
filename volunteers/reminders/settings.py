"""A person's reminder settings: when, how quietly and by which channel Treffpunkt reminds them.

A change applies at once to the shifts already booked, in the same transaction: the unsent
reminders of the old settings are withdrawn and those of the new ones queued. What was sent keeps
its key in the outbox and is not sent again; a reminder whose new time has passed is not sent late
(both are schedule_reminders' rules)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..core.errors import DomainError
from ..core.time import now
from ..extensions import db
from ..shifts.models import CONFIRMED, PUBLISHED, Shift, Signup
from .notify import schedule_reminders, withdraw_reminders

REMINDER_MINUTES = (2880, 1440, 240, 120, 60)
CALENDAR_ALARM_MINUTES = (30, 60, 120, 1440)
CHANNELS = ("push", "email", "both")


class InvalidReminderSetting(DomainError):
    status = 422


@dataclass(frozen=True)
class ReminderSettings:
    reminder_minutes: list[int]
    quiet_start_hour: int
    quiet_end_hour: int
    notify_channel: str
    calendar_alarm_minutes: int | None


def change_reminder_settings(*, user: User, settings: ReminderSettings) -> int:
    """Store `settings` for `user` and move the reminders of their upcoming confirmed shifts to
    them (flushes). Returns how many sign-ups were rescheduled."""
    _check(settings)
    user.reminder_minutes = sorted(set(settings.reminder_minutes), reverse=True)
    user.quiet_start_hour, user.quiet_end_hour = settings.quiet_start_hour, settings.quiet_end_hour
    user.notify_channel = settings.notify_channel
    user.calendar_alarm_minutes = settings.calendar_alarm_minutes
    db.session.flush()
    return reschedule_reminders(user=user)


def reschedule_reminders(*, user: User) -> int:
    """Withdraw and queue again the reminders of `user`'s upcoming confirmed sign-ups (flushes)."""
    signups = upcoming_confirmed_signups(user=user)
    for signup in signups:
        withdraw_reminders(signup)
        schedule_reminders(signup)
    db.session.flush()
    return len(signups)


def upcoming_confirmed_signups(*, user: User) -> list[Signup]:
    query = (
        sa.select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(
            Signup.user_id == user.id,
            Signup.status == CONFIRMED,
            Shift.status == PUBLISHED,
            Shift.starts_at > now(),
        )
        .options(sa.orm.contains_eager(Signup.shift))
        .order_by(Shift.starts_at)
    )
    return list(db.session.scalars(query))


def _check(settings: ReminderSettings) -> None:
    # The form offers only these; the rule is here so that every caller gets the same answer.
    if not set(settings.reminder_minutes) <= set(REMINDER_MINUTES):
        raise InvalidReminderSetting(
            _("Diese Erinnerungszeit gibt es nicht."), code="invalid", field="reminder_minutes"
        )
    for field in ("quiet_start_hour", "quiet_end_hour"):
        if getattr(settings, field) not in range(24):
            raise InvalidReminderSetting(_("Bitte eine volle Stunde von 0 bis 23 wählen."), code="invalid", field=field)
    if settings.notify_channel not in CHANNELS:
        raise InvalidReminderSetting(_("Diesen Weg gibt es nicht."), code="invalid", field="notify_channel")
    if settings.calendar_alarm_minutes not in (None, *CALENDAR_ALARM_MINUTES):
        raise InvalidReminderSetting(
            _("Diese Erinnerungszeit gibt es nicht."), code="invalid", field="calendar_alarm_minutes"
        )

"""A coordinator's message to everyone on a shift (e.g. "the room has changed"): one notification
per person in the outbox, sent by push or email as each person chose (push/email.py), audited.
At most MESSAGES_PER_HOUR per shift, so that a double tap or a runaway script cannot flood phones."""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..accounts.models import User
from ..activities.services import activity_name
from ..audit.models import AuditEvent
from ..audit.services import record
from ..core import time
from ..core.errors import TooManyRequests
from ..core.limits import TextLimit
from ..extensions import db
from ..push.services import queue_notification
from .errors import ShiftError
from .models import CONFIRMED, WAITLISTED, Shift

SHIFT_MESSAGE = TextLimit(500)
MESSAGES_PER_HOUR = 5
ENTITY, ACTION = "shift", "message_sent"


def _sent_in_last_hour(shift: Shift) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.entity == ENTITY,
            AuditEvent.entity_id == shift.id,
            AuditEvent.action == ACTION,
            AuditEvent.created_at > time.now() - timedelta(hours=1),
        )
    )


def message_blockers(shift: Shift) -> list[ShiftError]:
    """Whether a message may go to the shift's people now: a published shift that has not ended,
    and fewer than MESSAGES_PER_HOUR messages to it in the last hour."""
    if not shift.is_published:
        return [ShiftError(_("Nachrichten gehen nur an veröffentlichte Schichten."), code="not_published")]
    if shift.ends_at <= time.now():
        return [ShiftError(_("Die Schicht ist vorbei."), code="ended")]
    if _sent_in_last_hour(shift) >= MESSAGES_PER_HOUR:
        message = ngettext(
            "Höchstens %(num)d Nachricht pro Stunde an eine Schicht; bitte später noch einmal.",
            "Höchstens %(num)d Nachrichten pro Stunde an eine Schicht; bitte später noch einmal.",
            MESSAGES_PER_HOUR,
        )
        return [TooManyRequests(message, code="rate_limited")]
    return []


def recipients(shift: Shift, *, include_waitlist: bool) -> list[User]:
    statuses = (CONFIRMED, WAITLISTED) if include_waitlist else (CONFIRMED,)
    return [s.user for s in shift.signups if s.status in statuses and s.user is not None and not s.user.is_deleted]


def send_shift_message(*, shift: Shift, text: str, by: User, include_waitlist: bool = False) -> int:
    """Queue the message for every confirmed person (and the waitlist, if asked); returns how many."""
    if blockers := message_blockers(shift):
        raise blockers[0]
    text = SHIFT_MESSAGE.check((text or "").strip(), "text")
    if not text:
        raise ShiftError(_("Bitte schreiben Sie eine Nachricht."), code="text_required", field="text")
    people = recipients(shift, include_waitlist=include_waitlist)
    event = record(
        centre_id=shift.centre_id,
        actor=by,
        entity=ENTITY,
        entity_id=shift.id,
        action=ACTION,
        after={"text": text, "include_waitlist": include_waitlist, "recipients": len(people)},
    )
    db.session.flush()  # the event's id makes each message's key unique
    for person in people:
        with force_locale(person.locale or "de"):
            activity = activity_name(shift.centre_id, shift.activity)
            title = _("Nachricht zu Ihrer Schicht: %(activity)s", activity=activity)
        queue_notification(
            user=person,
            kind="shift_message",
            title=title,
            body=text,
            url=f"/shifts/{shift.id}",
            centre=shift.centre,
            dedupe_key=f"shift:{shift.id}:user:{person.id}:message:{event.id}",
            expires_at=shift.ends_at,
        )
    return len(people)

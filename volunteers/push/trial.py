"""The settings page's "Testnachricht senden": a message sent now, answered with what came of it.

Unlike every other message this one is not left to the worker: the person waits for the answer
"sent to 2 devices" or "your subscription has expired and was removed", which only the push
service can give. So it is its own unit of work, like a worker's pass: the use is counted and
committed first (a refused or slow push service still counts against the limit), the pushes go
out with no transaction open (on SQLite an open writing request would hold every other writer
up for as long as the push service takes), and what came of them is written in a fresh transaction,
which the request commits. By email the test goes through the mail outbox like any mail."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..accounts.models import User
from ..core.errors import Conflict
from ..core.rate_limits import Limit, count_use
from ..core.time import now
from ..extensions import db
from ..mail.services import queue_mail
from .client import PushClient
from .delivery import Device, Message, Result, fit_payload, push_to_device, topic
from .endpoints import loopback_allowed
from .models import DELIVERED, GONE, PushSubscription
from .services import devices_of
from .vapid import vapid_key, vapid_subject

# One a minute, five an hour: enough to try a device or two, too few to flood a push service.
LIMITS = (Limit(1, timedelta(minutes=1)), Limit(5, timedelta(hours=1)))
TTL = timedelta(minutes=15)
# The person is waiting: a push service that has not answered by then counts as refusing.
TIMEOUT_SECONDS = 5
SENT, EXPIRED, REFUSED, EMAIL_QUEUED = "sent", "expired", "refused", "email_queued"


class NoDevice(Conflict):
    pass


class MailNotConfigured(Conflict):
    pass


@dataclass(frozen=True)
class TrialOutcome:
    code: str  # SENT, EXPIRED, REFUSED or EMAIL_QUEUED
    delivered: int = 0  # devices the push service accepted the message for
    removed: int = 0  # subscriptions the push service no longer knows: deleted
    failed: int = 0  # refused, unreachable or not answering in time
    emailed: bool = False  # a test email is in the mail outbox as well


def send_trial_message(*, user: User) -> TrialOutcome:
    """Send `user` a test message on the channel they chose; commits the counted use.
    Raises NoDevice, MailNotConfigured or TooManyRequests and sends nothing."""
    channel = user.notify_channel or "push"
    if channel == "email":
        return _by_email(user)
    devices = [Device(d.id, d.endpoint, d.p256dh, d.auth) for d in devices_of(user)]
    if not devices:
        raise NoDevice(
            _("Für Ihr Konto ist noch kein Gerät angemeldet. Bitte schalten Sie zuerst Benachrichtigungen ein."),
            code="no_device",
        )
    _count(user)
    message = _message(user)
    db.session.commit()  # the use counts, and no transaction waits for the push service
    with PushClient(timeout=TIMEOUT_SECONDS, proxy=current_app.config.get("PUSH_PROXY")) as client:
        results = [_push(device, message, client) for device in devices]
    emailed = channel == "both" and _mail_configured()
    if emailed:
        _queue_mail(user)
    return _record(results, emailed=emailed)


def _by_email(user: User) -> TrialOutcome:
    if not _mail_configured():
        raise MailNotConfigured(
            _(
                "Sie haben E-Mail gewählt, aber hier ist der E-Mail-Versand nicht eingerichtet. "
                "Bitte wählen Sie Push-Nachrichten."
            ),
            code="mail_not_configured",
        )
    _count(user)
    _queue_mail(user)
    return TrialOutcome(EMAIL_QUEUED, emailed=True)


def _count(user: User) -> None:
    count_use(
        key=f"trial-message:user:{user.id}",
        limits=LIMITS,
        message=_("Sie haben gerade erst eine Testnachricht angefordert. Bitte warten Sie ein paar Minuten."),
    )


def _mail_configured() -> bool:
    # The same rule as the worker's email fallback (push/email.py): a mail server is set up.
    return bool(current_app.config.get("MAIL_SERVER"))


def _queue_mail(user: User) -> None:
    with force_locale(user.locale or "de"):
        queue_mail(
            to=user.email,
            subject=_("Treffpunkt: Test-E-Mail"),
            body=render_template("accounts/mail/trial_message.txt", user=user),
        )


def _message(user: User) -> Message:
    with force_locale(user.locale or "de"):
        title, body = _("Treffpunkt: Testnachricht"), _("Benachrichtigungen funktionieren auf diesem Gerät.")
    payload = fit_payload(title=title, body=body, url="/settings", tag="test", lang=user.locale or "de")
    headers = {"Urgency": "normal", "Topic": topic(f"test:user:{user.id}")}
    return Message(payload=payload, ttl=int(TTL.total_seconds()), headers=headers)


def _push(device: Device, message: Message, client: PushClient) -> Result:
    return push_to_device(
        device=device,
        message=message,
        vapid=vapid_key(),
        subject=vapid_subject(),
        allow_loopback=loopback_allowed(),
        client=client,
    )


def _record(results: list[Result], *, emailed: bool) -> TrialOutcome:
    """What the push services said, for the devices (flushes) and for the answer."""
    delivered = [r.subscription_id for r in results if r.outcome == DELIVERED]
    gone = [r.subscription_id for r in results if r.outcome == GONE]
    failed = [r.subscription_id for r in results if r.outcome not in (DELIVERED, GONE)]
    table = PushSubscription
    if delivered:
        db.session.execute(
            sa.update(table).where(table.id.in_(delivered)).values(last_success_at=now(), failure_count=0)
        )
    if gone:  # the browser dropped it: it will never work again
        db.session.execute(sa.delete(table).where(table.id.in_(gone)))
    if failed:
        db.session.execute(sa.update(table).where(table.id.in_(failed)).values(failure_count=table.failure_count + 1))
    db.session.flush()
    code = SENT if delivered else (EXPIRED if gone and not failed else REFUSED)
    return TrialOutcome(code, delivered=len(delivered), removed=len(gone), failed=len(failed), emailed=emailed)

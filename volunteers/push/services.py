"""Push services: devices subscribe and unsubscribe, other domains queue notifications in the
outbox (in their own transaction, so a rolled-back change sends nothing) and withdraw them.
Every function flushes; the request or command that calls it commits. Sending is worker.py's."""

import base64
import binascii
import hashlib
import re
from datetime import datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from ..accounts.models import User
from ..centres.models import Centre
from ..core.errors import DomainError
from ..core.tenancy import in_centre
from ..core.time import now
from ..extensions import db
from .endpoints import check_endpoint, loopback_allowed
from .models import CANCELLED, PENDING, Notification, PushSubscription

BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
P256DH_LENGTH, AUTH_LENGTH = 65, 16
# Phones, tablets, laptops, each with a browser or two; more would only multiply the pushes
# that one account can make the worker send.
MAX_DEVICES_PER_USER = 10


class InvalidSubscription(DomainError):
    status = 422


# --- devices ---------------------------------------------------------------------------


def subscribe_device(*, user: User, endpoint, p256dh, auth, user_agent: str = "") -> PushSubscription:
    """Store a browser's push subscription for `user`. An endpoint seen before is updated and moves
    to `user`: the browser now belongs to whoever signed in on it last. Raises EndpointRefused or
    InvalidSubscription (422) and stores nothing when the input is not a usable subscription."""
    check_endpoint(endpoint, allow_loopback=loopback_allowed())
    _check_key(p256dh, name="p256dh", length=P256DH_LENGTH)
    _check_key(auth, name="auth", length=AUTH_LENGTH)
    _check_curve_point(p256dh)
    fields = {
        "user_id": user.id,
        "p256dh": p256dh.rstrip("="),
        "auth": auth.rstrip("="),
        "user_agent": (user_agent or "")[:120],
        "failure_count": 0,
    }
    # One statement, so that two tabs subscribing the same browser at once cannot collide.
    upsert = (
        _insert(PushSubscription)
        .values(endpoint=endpoint, created_at=now(), **fields)
        .on_conflict_do_update(index_elements=["endpoint"], set_=fields)
    )
    db.session.execute(upsert)
    _forget_oldest_devices(user)
    return db.session.scalar(
        sa.select(PushSubscription)
        .where(PushSubscription.endpoint == endpoint)
        .execution_options(populate_existing=True)
    )


def unsubscribe_device(*, user: User, endpoint: str) -> bool:
    """Forget `user`'s subscription with this endpoint; False if `user` has none such."""
    result = db.session.execute(
        sa.delete(PushSubscription).where(PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id)
    )
    return result.rowcount > 0


def _forget_oldest_devices(user: User) -> None:
    newest = (
        sa.select(PushSubscription.id)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        .limit(MAX_DEVICES_PER_USER)
    )
    db.session.execute(
        sa.delete(PushSubscription).where(PushSubscription.user_id == user.id, PushSubscription.id.not_in(newest))
    )


def devices_of(user: User) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            sa.select(PushSubscription).where(PushSubscription.user_id == user.id).order_by(PushSubscription.id)
        )
    )


def push_device_digests(*, user: User) -> list[str]:
    """SHA-256 (hex) of each of `user`'s endpoints: the settings page's script hashes its own
    subscription's endpoint to tell whether this device is among them, and the endpoints, bearer
    secrets of their push services, never reach the page."""
    return [hashlib.sha256(device.endpoint.encode()).hexdigest() for device in devices_of(user)]


def _check_key(value, *, name: str, length: int) -> None:
    if not isinstance(value, str) or not BASE64URL.fullmatch(value) or len(_b64url(value)) != length:
        raise InvalidSubscription(
            _("Der Schlüssel „%(name)s“ des Abonnements ist ungültig.", name=name), code="invalid", field=f"keys.{name}"
        )


def _check_curve_point(p256dh: str) -> None:
    # 65 bytes starting 0x04 may still be no point on P-256; encryption would fail on every push.
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url(p256dh))
    except ValueError:
        raise InvalidSubscription(
            _("Der Schlüssel „%(name)s“ des Abonnements ist ungültig.", name="p256dh"),
            code="invalid",
            field="keys.p256dh",
        ) from None


def _b64url(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return b""


# --- the outbox ------------------------------------------------------------------------


def queue_notification(
    *,
    user: User,
    kind: str,
    title: str,
    body: str,
    url: str,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
    centre: Centre | None = None,
    expires_at: datetime | None = None,
    tag: str | None = None,
) -> Notification | None:
    """Put a message for `user` into the outbox, to be pushed to all their devices at `due_at`
    (default: now) and not after `expires_at` (e.g. the shift's start; also sets the push TTL).

    Idempotent on `dedupe_key` (e.g. "reminder-24h:shift:12:user:7"): when a row with that key
    exists, also one being inserted by a concurrent transaction, nothing is inserted and None is
    returned. A key stays taken once its notification is sent, so a volunteer gets it once;
    cancel_notifications() frees the keys of notifications it withdraws.
    `title` and `body` show on a locked phone's screen: no more personal data than the recipient
    needs (no other people's names or numbers). `url` is a path in this app, opened when the
    notification is tapped; `tag` groups messages on the device (a newer one with the same tag
    replaces the older; default: the key or the kind)."""
    _check_local_url(url)
    if (dedupe_key is not None and not 0 < len(dedupe_key) <= 200) or len(kind) > 40:
        raise ValueError("dedupe_key must have 1 to 200 characters, kind at most 40")
    due_at = due_at or now()
    values = {
        "user_id": user.id,
        "centre_id": centre.id if centre else None,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "title": str(title)[:200],
        "body": str(body),
        "url": url,
        "tag": (tag or dedupe_key or kind)[:100],
        "due_at": due_at,
        "expires_at": expires_at,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": due_at,
        "created_at": now(),
    }
    statement = (
        _insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    new_id = db.session.scalar(statement)
    return db.session.get(Notification, new_id) if new_id is not None else None


def cancel_notifications(*, dedupe_key_prefix: str) -> int:
    """Withdraw the pending notifications whose dedupe key starts with `dedupe_key_prefix`
    (end it with ":" so that "shift:1:" does not match "shift:12:"), e.g. when a shift is cancelled
    or moved. Their keys are freed, so the same key can be queued again for the new time.
    Notifications already being sent or sent stay as they are. Returns how many were withdrawn."""
    if not dedupe_key_prefix:
        raise ValueError("an empty prefix would withdraw every notification")
    # substr() compares exactly; LIKE would need escaping and ignores case on SQLite.
    matches = sa.func.substr(Notification.dedupe_key, 1, len(dedupe_key_prefix)) == dedupe_key_prefix
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.status == PENDING, matches)
        .values(status=CANCELLED, dedupe_key=None),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount


def recent_notifications(*, centre: Centre, limit: int = 100) -> list[Notification]:
    """The centre's latest notifications with recipients and delivery attempts, for the log page."""
    query = (
        in_centre(Notification, centre)
        .options(sa.orm.joinedload(Notification.user), sa.orm.selectinload(Notification.deliveries))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _check_local_url(url: str) -> None:
    # Opened by our service worker: only paths of this app, never another site.
    if not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 500:
        raise ValueError(f"notification url must be a local path, not {url!r}")


def _insert(model):
    """INSERT with ON CONFLICT support for the database in use (PostgreSQL or SQLite)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)

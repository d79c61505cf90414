"""One push to one device: the message the service worker receives, the headers that tell the
push service how to treat it, and what the push service's answer means for us.

Nothing here touches the database, so the worker can call it outside any transaction."""

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from ..core.time import now
from .client import PushClient
from .endpoints import EndpointRefused, EndpointUnresolvable, check_endpoint, push_host
from .models import DELIVERED, DEVICE_FAILED, GONE, REFUSED, RETRY
from .vapid import VapidTokens

# A push message carries at most 4,096 bytes; encryption (aes128gcm) takes 103 of them.
MAX_PAYLOAD_BYTES = 3900
MIN_TTL, MAX_TTL, DEFAULT_TTL = timedelta(seconds=60), timedelta(weeks=4), timedelta(days=1)
# Messages about a shift that begins this soon may wake the phone (Urgency: high).
URGENT_KINDS = frozenset({"reminder", "shift_changed", "shift_cancelled"})
URGENT_WITHIN = timedelta(hours=3)
MAX_RETRY_AFTER = timedelta(days=1)
# Of a notification's actions (models.Notification.actions), what the service worker uses.
PUSHED_ACTION_KEYS = ("action", "title", "url", "token", "failed")


NETWORK_TROUBLE = (  # the most specific first: NewConnectionError is a ConnectTimeoutError
    (urllib3.exceptions.NewConnectionError, "ConnectionError"),
    (urllib3.exceptions.ConnectTimeoutError, "ConnectTimeout"),
    (urllib3.exceptions.ReadTimeoutError, "ReadTimeout"),
    (urllib3.exceptions.SSLError, "SSLError"),
    (urllib3.exceptions.LocationParseError, "InvalidURL"),
)


@dataclass(frozen=True)
class Message:
    """What goes to every device of the notification's recipient."""

    payload: bytes
    ttl: int
    headers: dict[str, str]


@dataclass(frozen=True)
class Device:
    subscription_id: int
    endpoint: str = field(repr=False)  # the path is a bearer secret: keep it out of logs
    p256dh: str = field(repr=False)
    auth: str = field(repr=False)


@dataclass(frozen=True)
class Result:
    subscription_id: int | None  # None for an email
    push_host: str
    outcome: str
    status_code: int | None = None
    retry_after: timedelta | None = None
    error: str | None = None  # short, for Notification.last_error


def build_message(*, notification, at: datetime) -> Message:
    """The push for a Notification row, as of instant `at`."""
    payload = fit_payload(
        title=notification.title,
        body=notification.body,
        url=notification.url,
        tag=notification.tag,
        lang=notification.user.locale or "de",  # the texts were written in it (queue_notification)
        actions=pushed_actions(getattr(notification, "actions", None)),  # a look-alike may lack it
    )
    headers = {
        "Urgency": urgency(kind=notification.kind, expires_at=notification.expires_at, at=at),
        "Topic": topic(notification.dedupe_key or f"notification:{notification.id}"),
    }
    return Message(payload=payload, ttl=ttl_seconds(expires_at=notification.expires_at, at=at), headers=headers)


def pushed_actions(actions: list | None) -> list[dict]:
    """What the service worker needs of a notification's buttons: the mail's confirmation links stay home."""
    return [{key: action[key] for key in PUSHED_ACTION_KEYS if key in action} for action in actions or ()]


def fit_payload(
    *, title: str, body: str, url: str, tag: str, lang: str = "de", actions: list[dict] | None = None
) -> bytes:
    """JSON for the service worker; the body is shortened if the whole would not fit a push.
    `lang` is the language the texts are in, for the notification's lang and dir."""
    rest = {"url": url, "tag": tag, "lang": lang} | ({"actions": actions} if actions else {})
    encoded = _json(title, body, rest)
    if len(encoded) <= MAX_PAYLOAD_BYTES:
        return encoded
    # The longest start of the body that fits: characters take 1 to 4 bytes, escapes more.
    fits, too_long = 0, len(body)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(_json(title, body[:middle] + "…", rest)) <= MAX_PAYLOAD_BYTES:
            fits = middle
        else:
            too_long = middle
    return _json(title, body[:fits] + "…", rest)


def _json(title: str, body: str, rest: dict) -> bytes:
    return json.dumps({"title": title, "body": body} | rest, ensure_ascii=False, separators=(",", ":")).encode()


def topic(key: str) -> str:
    """A Topic header (≤ 32 base64url characters) that is the same for every push of one
    notification, so that a repeated push replaces the earlier one still waiting at the service."""
    digest = hashlib.sha256(key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def ttl_seconds(*, expires_at: datetime | None, at: datetime) -> int:
    """How long the push service keeps the message for an offline device: until it expires."""
    remaining = DEFAULT_TTL if expires_at is None else expires_at - at
    return int(min(max(remaining, MIN_TTL), MAX_TTL).total_seconds())


def urgency(*, kind: str, expires_at: datetime | None, at: datetime) -> str:
    soon = expires_at is not None and expires_at - at < URGENT_WITHIN
    return "high" if kind in URGENT_KINDS and soon else "normal"


def push_to_device(
    *,
    device: Device,
    message: Message,
    vapid: Vapid,
    subject: str,
    allow_loopback: bool,
    client: PushClient,
    tokens: VapidTokens | None = None,
) -> Result:
    """Send `message` to one device and say what came of it; never raises for network trouble.
    With `tokens` the VAPID header is one reused per push service, else signed for this push."""
    host = push_host(device.endpoint)
    refusal = _refusal(device, host, allow_loopback)
    if refusal is not None:
        return refusal
    try:
        body = encrypt(device, message.payload)
    except WebPushException:
        return Result(device.subscription_id, host, DEVICE_FAILED, error="push rejected locally")
    except ValueError:
        return Result(device.subscription_id, host, DEVICE_FAILED, error="unusable subscription keys")
    headers = {**message.headers, "TTL": str(message.ttl), "Content-Encoding": "aes128gcm"}
    headers["Authorization"] = _authorization(device.endpoint, vapid, subject, tokens)
    try:
        answer = client.post(device.endpoint, body=body, headers=headers)
    except urllib3.exceptions.HTTPError as error:
        # The exception's text names the full URL; a short name is enough to read the log.
        return Result(device.subscription_id, host, RETRY, error=f"{network_trouble(error)} ({host})")
    return classify(device.subscription_id, host, answer.status, answer.retry_after)


def network_trouble(error: urllib3.exceptions.HTTPError) -> str:
    """What went wrong, in the words requests used (last_error texts stay the same)."""
    for kind, name in NETWORK_TROUBLE:
        if isinstance(error, kind):
            return name
    return "ConnectionError"


def encrypt(device: Device, payload: bytes) -> bytes:
    """The payload encrypted for the device (RFC 8291, aes128gcm, a fresh ECDH key each time)."""
    keys = {"p256dh": device.p256dh, "auth": device.auth}
    return WebPusher({"endpoint": device.endpoint, "keys": keys}).encode(payload, "aes128gcm")["body"]


def _authorization(endpoint: str, vapid: Vapid, subject: str, tokens: VapidTokens | None) -> str:
    if tokens is not None:
        return tokens.header_for(endpoint)
    url = urlsplit(endpoint)
    claims = {"sub": subject, "aud": f"{url.scheme}://{url.netloc}", "exp": int(time.time()) + 12 * 60 * 60}
    return vapid.sign(claims)["Authorization"]


def _refusal(device: Device, host: str, allow_loopback: bool) -> Result | None:
    try:
        check_endpoint(device.endpoint, allow_loopback=allow_loopback)
    except EndpointUnresolvable:
        return Result(device.subscription_id, host, RETRY, error=f"DNS lookup failed ({host})")
    except EndpointRefused:
        return Result(device.subscription_id, host, REFUSED, error=f"endpoint refused ({host})")
    return None


def classify(
    subscription_id: int, host: str, status: int, retry_after: str | None, *, at: datetime | None = None
) -> Result:
    """Turn the push service's HTTP status into an outcome (RFC 8030 §5, §6)."""
    if 200 <= status <= 202:
        return Result(subscription_id, host, DELIVERED, status)
    if status in (404, 410):  # the browser unsubscribed or the subscription expired
        return Result(subscription_id, host, GONE, status, error=f"HTTP {status} ({host})")
    if status == 429 or status >= 500:
        return Result(
            subscription_id, host, RETRY, status, parse_retry_after(retry_after, at=at), error=f"HTTP {status} ({host})"
        )
    return Result(subscription_id, host, DEVICE_FAILED, status, error=f"HTTP {status} ({host})")


def parse_retry_after(value: str | None, *, at: datetime | None = None) -> timedelta | None:
    """Retry-After as delay-seconds or as an HTTP date; at most a day, never negative."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        delay = when.replace(tzinfo=when.tzinfo or UTC) - (at or now())
    return min(max(delay, timedelta(0)), MAX_RETRY_AFTER)

"""Feed tokens: derive, look up, regenerate."""

import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app

from ..core.tokens import hash_token
from ..extensions import db
from .models import CalendarToken


def _derive(kind: str, user_id: int, centre_id: int | None, nonce: str) -> str:
    message = f"calendar:{kind}:{user_id}:{centre_id or ''}:{nonce}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _row(kind: str, user_id: int, centre_id: int | None) -> CalendarToken | None:
    return db.session.scalar(
        sa.select(CalendarToken).where(
            CalendarToken.kind == kind,
            CalendarToken.user_id == user_id,
            CalendarToken.centre_id.is_(None) if centre_id is None else CalendarToken.centre_id == centre_id,
        )
    )


def feed_token(*, kind: str, user_id: int, centre_id: int | None = None) -> str | None:
    """The owner's current token, or None if they have none (never created, or revoked)."""
    row = _row(kind, user_id, centre_id)
    return _derive(kind, user_id, centre_id, row.nonce) if row else None


def regenerate_token(*, kind: str, user_id: int, centre_id: int | None = None) -> CalendarToken:
    """A new token; the old URL stops working at once."""
    row = _row(kind, user_id, centre_id)
    if row is None:
        row = CalendarToken(kind=kind, user_id=user_id, centre_id=centre_id)
        db.session.add(row)
    row.nonce = secrets.token_urlsafe(24)
    row.token_hash = hash_token(_derive(kind, user_id, centre_id, row.nonce))
    db.session.flush()
    return row


def revoke_token(*, kind: str, user_id: int, centre_id: int | None = None) -> None:
    row = _row(kind, user_id, centre_id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def lookup_hash(token: str) -> str | None:
    """The hash to look a presented token up by, or None if it cannot be one of ours."""
    return hash_token(token) if 20 <= len(token) <= 100 else None

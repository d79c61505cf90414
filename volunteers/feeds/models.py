"""Secret calendar feed tokens.

A token is HMAC(SECRET_KEY, kind, owner, nonce): the database holds only the random nonce and a
hash of the token, so a leaked database reveals no feed URL, while the owner can still be shown
their link at any time. Revoking means a new nonce."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.time import UTCDateTime, now
from ..extensions import db

PERSONAL, CENTRE = "user", "centre"


class CalendarToken(db.Model):
    __tablename__ = "calendar_tokens"
    __table_args__ = (sa.UniqueConstraint("kind", "user_id", "centre_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Set for a centre's coordinator feed; a personal feed has none.
    centre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centres.id"))
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

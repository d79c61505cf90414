"""Issued certificates of engagement. Each keeps what /verify/<code> shows as it was at issue time,
so that the check stays true when hours are corrected or the person renames themselves later."""

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..centres.models import Centre
from ..core.time import UTCDateTime, now
from ..extensions import db

# Letters and digits that nobody mixes up when typing a code from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # about 78 random bits: not guessable, short enough to type in four groups


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class EngagementCertificate(db.Model):
    __tablename__ = "engagement_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), unique=True, default=new_code)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    total_minutes: Mapped[int]
    # The snapshot: names as printed, and the lines of the PDF (activities, meeting points, lead).
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    centre_name: Mapped[str] = mapped_column(sa.String(200))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    centre: Mapped[Centre] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def readable_code(self) -> str:
        """The code in groups of four, as printed: ABCD-EFGH-JKMN-PQRS."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

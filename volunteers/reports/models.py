"""Grants: what a centre receives per year, and how volunteer hours are valued against it."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.time import UTCDateTime, now
from ..extensions import db

KOMMAN = "KommAn-NRW"


class Grant(db.Model):
    __tablename__ = "grants"
    __table_args__ = (sa.UniqueConstraint("centre_id", "programme", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    programme: Mapped[str] = mapped_column(sa.String(60), default=KOMMAN)
    year: Mapped[int]
    amount_eur: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    # Notional value of one volunteer hour, as the programme's guideline sets it (e.g. 10 or 15 EUR).
    valuation_rate_eur: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    # The in-kind value may count for at most this share of the eligible costs (e.g. 0.20); None: no cap.
    in_kind_cap_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 3))
    # Eligible costs the cap refers to; None means the grant amount.
    eligible_costs_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def in_kind_cap_eur(self) -> Decimal | None:
        if self.in_kind_cap_share is None:
            return None
        return (self.eligible_costs_eur or self.amount_eur) * self.in_kind_cap_share

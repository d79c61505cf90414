"""Grants: what a centre receives per year, and how volunteer hours are valued against it."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.time import UTCDateTime, now
from ..extensions import db

KOMMAN = "KommAn-NRW"
CENT = Decimal("0.01")


class Grant(db.Model):
    """One grant per centre and year: the report values that year's volunteer hours against it."""

    __tablename__ = "grants"
    __table_args__ = (
        sa.UniqueConstraint("centre_id", "year"),
        # The in-kind value is capped by an amount or by a percentage of eligible costs, never both.
        sa.CheckConstraint("in_kind_cap_amount_eur IS NULL OR in_kind_cap_percent IS NULL", name="one_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    programme: Mapped[str] = mapped_column(sa.String(60), default=KOMMAN)
    year: Mapped[int]
    amount_eur: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    # Notional value of one volunteer hour, as the programme's guideline sets it (e.g. 10 or 15 EUR).
    valuation_rate_eur: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    # The in-kind value may count for at most this amount in the year; None: no cap of this kind.
    in_kind_cap_amount_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    # … or for at most this percentage of the eligible costs (e.g. 20.00); None: no cap of this kind.
    in_kind_cap_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    # Eligible costs the percentage refers to; None means the grant amount.
    eligible_costs_eur: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def eligible_costs_base_eur(self) -> Decimal:
        """The eligible costs a percentage cap refers to: as entered, else the grant amount."""
        return self.amount_eur if self.eligible_costs_eur is None else self.eligible_costs_eur

    @property
    def in_kind_cap_eur(self) -> Decimal | None:
        """The cap of the in-kind value in EUR for the whole year, or None without a cap."""
        if self.in_kind_cap_amount_eur is not None:
            return self.in_kind_cap_amount_eur
        if self.in_kind_cap_percent is None:
            return None
        cap = self.eligible_costs_base_eur * self.in_kind_cap_percent / 100
        return cap.quantize(CENT, rounding=ROUND_HALF_UP)

    # The percentage as a share (0.20 for 20 %), the way caps were stored before they could be amounts;
    # kept so that code and tests written against that name go on working.
    @property
    def in_kind_cap_share(self) -> Decimal | None:
        return None if self.in_kind_cap_percent is None else self.in_kind_cap_percent / 100

    @in_kind_cap_share.setter
    def in_kind_cap_share(self, share) -> None:
        self.in_kind_cap_percent = None if share is None else Decimal(share) * 100

    def snapshot(self) -> dict:
        """The settings the audit trail records before and after a change (money as exact text)."""
        return {
            "programme": self.programme,
            "year": self.year,
            "amount_eur": _text(self.amount_eur),
            "valuation_rate_eur": _text(self.valuation_rate_eur),
            "in_kind_cap_amount_eur": _text(self.in_kind_cap_amount_eur),
            "in_kind_cap_percent": _text(self.in_kind_cap_percent),
            "eligible_costs_eur": _text(self.eligible_costs_eur),
            "note": self.note,
        }


def _text(value: Decimal | None) -> str | None:
    # Two places always: a value read back from the database and the one just set compare equal.
    return None if value is None else str(Decimal(value).quantize(CENT))

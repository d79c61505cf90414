"""The audit trail: who changed what, when, from what to what, and why. Rows are only ever added."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.time import UTCDateTime, now
from ..extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(20))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)

    actor: Mapped[User | None] = relationship()

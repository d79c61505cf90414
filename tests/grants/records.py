"""What the requests stored: the grants and their audit events."""

import sqlalchemy as sa

from volunteers.audit.models import AuditEvent
from volunteers.extensions import db
from volunteers.reports.models import Grant


def stored_grants() -> list[Grant]:
    db.session.commit()  # end the test's snapshot, to see what the requests committed
    return list(db.session.scalars(sa.select(Grant).order_by(Grant.year)))


def grant_events() -> list[AuditEvent]:
    db.session.commit()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "grant").order_by(AuditEvent.id)))

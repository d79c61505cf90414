"""Recording audit events. There is deliberately no function to change or delete one."""

from ..extensions import db
from .models import AuditEvent


def record(
    *,
    centre_id: int,
    actor,
    entity: str,
    entity_id: int,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    event = AuditEvent(
        centre_id=centre_id,
        actor_id=actor.id if actor else None,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        reason=reason[:500],
    )
    db.session.add(event)
    return event

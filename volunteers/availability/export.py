"""The person's availability and invitations in the DSGVO export (privacy/services.py)."""

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from .models import Invitation
from .services import absences_of, format_clock, windows_of


def personal_data(user: User) -> dict:
    invitations = db.session.scalars(
        sa.select(Invitation).where(Invitation.volunteer_id == user.id).order_by(Invitation.id)
    )
    return {
        "availability": {
            "weekly": [
                {"weekday": w.weekday, "from": format_clock(w.starts), "to": format_clock(w.ends)}
                for w in windows_of(user)
            ],
            "absences": [{"from": a.first_day.isoformat(), "to": a.last_day.isoformat()} for a in absences_of(user)],
        },
        "invitations": [
            {
                "shift_id": i.shift_id,
                "status": i.current_status,
                "created_at": i.created_at.isoformat(),
                "decided_at": i.decided_at.isoformat() if i.decided_at else None,
            }
            for i in invitations
        ],
    }

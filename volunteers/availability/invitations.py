"""Personal requests to take a shift: a coordinator asks one volunteer from the ranked list, the
volunteer accepts (and is signed up through shifts.signups, on the waitlist if the shift filled
up meanwhile) or declines. Open requests expire when the shift starts (models.current_status)."""

from urllib.parse import urlencode

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from ..accounts.models import VOLUNTEER, User
from ..activities.services import activity_name
from ..audit.services import record
from ..core import time
from ..core.errors import NotFound
from ..extensions import db
from ..push.services import cancel_notifications, queue_notification
from ..reminders.notify import _when_and_where
from ..shifts.models import Shift, Signup
from ..shifts.policy import raise_first
from ..shifts.signups import lock_shift, sign_up
from .candidates import cover_blockers
from .errors import InvitationError
from .invitation_tokens import ACCEPT, DECLINE, answer_token
from .models import ACCEPTED, DECLINED, OPEN, Invitation


def open_invitation(shift: Shift, volunteer: User) -> Invitation | None:
    return db.session.scalar(
        sa.select(Invitation).where(
            Invitation.shift_id == shift.id, Invitation.volunteer_id == volunteer.id, Invitation.status == OPEN
        )
    )


def invite_blockers(shift: Shift, volunteer: User) -> list:
    """Whether `volunteer` may be asked to take `shift` now: whoever could cover it (candidates'
    rule), and only once while a request is open."""
    blockers = cover_blockers(shift, volunteer)
    if open_invitation(shift, volunteer) is not None:
        blockers.append(
            InvitationError(_("Diese Person ist für diese Schicht schon angefragt."), code="already_invited")
        )
    return blockers


def decide_blockers(invitation: Invitation) -> list:
    """Whether the request can still be answered."""
    status = invitation.current_status
    if status == OPEN:
        return []
    if status in (ACCEPTED, DECLINED):
        return [InvitationError(_("Diese Anfrage ist schon beantwortet."), code="already_decided")]
    return [
        InvitationError(_("Diese Anfrage ist abgelaufen: Die Schicht hat begonnen oder ist abgesagt."), code="expired")
    ]


def invite(*, shift: Shift, volunteer: User, by: User) -> Invitation:
    """Ask `volunteer` to take `shift`, by push or e-mail as they chose."""
    shift = lock_shift(shift)  # one request per person and shift, also when two coordinators tap at once
    raise_first(invite_blockers(shift, volunteer))
    invitation = Invitation(centre_id=shift.centre_id, shift=shift, volunteer=volunteer, invited_by=by, status=OPEN)
    db.session.add(invitation)
    db.session.flush()
    _notify(invitation)
    record(**_facts(invitation), actor=by, entity="invitation", action="sent", after=_about(invitation))
    return invitation


def invitation_for(volunteer: User, invitation_id: int) -> Invitation:
    """One of the person's own requests; anyone else's is "not found"."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.volunteer_id != volunteer.id:
        raise NotFound(_("Diese Anfrage gibt es nicht."), code="not_found")
    return invitation


def accept(*, invitation: Invitation, volunteer: User) -> Signup:
    """Say yes: signed up as the coordinator would assign (no waiting for confirmation)."""
    invitation = _lock(invitation)
    raise_first(decide_blockers(invitation))
    signup = sign_up(shift=invitation.shift, volunteer=volunteer, assigned_by=invitation.invited_by)
    _decide(invitation, ACCEPTED, volunteer)
    return signup


def decline(*, invitation: Invitation, volunteer: User) -> Invitation:
    invitation = _lock(invitation)
    raise_first(decide_blockers(invitation))
    _decide(invitation, DECLINED, volunteer)
    return invitation


def answer(*, invitation: Invitation, volunteer: User, action: str) -> Signup | Invitation:
    """Accept or decline, as the button (ACCEPT or DECLINE) said."""
    if action == ACCEPT:
        return accept(invitation=invitation, volunteer=volunteer)
    return decline(invitation=invitation, volunteer=volunteer)


def answer_message(result: Signup | Invitation) -> str:
    """What the person reads after answering: on the page, in the API's answer, in the notification."""
    if isinstance(result, Signup) and result.is_waitlisted:
        return _("Die Schicht ist inzwischen voll: Sie stehen auf der Warteliste.")
    if isinstance(result, Signup):
        return _("Danke! Sie sind eingetragen.")
    return _("Sie haben abgesagt. Danke für die Rückmeldung.")


def _lock(invitation: Invitation) -> Invitation:
    return db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.id == invitation.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def _decide(invitation: Invitation, status: str, volunteer: User) -> None:
    invitation.status, invitation.decided_at = status, time.now()
    db.session.flush()
    cancel_notifications(dedupe_key_prefix=_key(invitation))
    record(
        **_facts(invitation),
        actor=volunteer,
        entity="invitation",
        action="accepted" if status == ACCEPTED else "declined",
        after=_about(invitation),
    )


def _key(invitation: Invitation) -> str:
    # The prefix of every message about this person and shift (reminders/notify.py).
    return f"shift:{invitation.shift_id}:user:{invitation.volunteer_id}:invitation:{invitation.id}"


def _notify(invitation: Invitation) -> None:
    shift, user = invitation.shift, invitation.volunteer
    with force_locale(user.locale or "de"):
        title = _("Anfrage: %(activity)s", activity=activity_name(shift.centre_id, shift.activity))
        body = _("Können Sie diese Schicht übernehmen? %(when)s", when=_when_and_where(shift))
        actions = answer_actions(invitation)
    notification = queue_notification(
        user=user,
        kind="invitation",
        title=title,
        body=body[:500],
        url=f"/invitations/{invitation.id}",
        centre=shift.centre,
        dedupe_key=_key(invitation),
        expires_at=shift.starts_at,
    )
    if notification is not None:
        notification.actions = actions


def answer_actions(invitation: Invitation) -> list[dict]:
    """The notification's two buttons, in the language in force: each with its API path and
    token for the service worker, and a link to a confirmation page for the mail."""
    titles = {ACCEPT: _("Übernehmen"), DECLINE: _("Ablehnen")}
    failed = _("Das hat nicht geklappt. Bitte öffnen Sie die Anfrage.")
    actions = []
    for action, title in titles.items():
        token = answer_token(invitation, action)
        actions.append(
            {
                "action": action,
                "title": title,
                "url": f"/api/v1/invitations/{invitation.id}/{action}",
                "token": token,
                "link": f"/invitations/{invitation.id}/{action}?{urlencode({'token': token})}",
                "failed": failed,
            }
        )
    return actions


def _facts(invitation: Invitation) -> dict:
    return {"centre_id": invitation.centre_id, "entity_id": invitation.id}


def _about(invitation: Invitation) -> dict:
    return {"shift_id": invitation.shift_id, "user_id": invitation.volunteer_id}


def is_invitable_volunteer(shift: Shift, person: User | None) -> bool:
    """A volunteer of the shift's centre: anyone else is "not found" to the coordinator."""
    return person is not None and not person.is_deleted and person.role_in(shift.centre) == VOLUNTEER

"""Availability, who could cover a shift, and personal invitations in the JSON API: parse the
request, call volunteers/availability, answer JSON. The rules live there."""

from flask import jsonify
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..availability import invitations
from ..availability.candidates import Candidate, candidates
from ..availability.invitation_tokens import ACCEPT, DECLINE, invitation_for_token
from ..availability.models import Invitation
from ..availability.services import (
    DaysAway,
    Window,
    absences_of,
    format_clock,
    parse_clock,
    parse_date,
    save_availability,
    windows_of,
)
from ..core.errors import NotFound
from ..extensions import db
from . import bp
from .helpers import id_field, integer_field, invalid, json_body, optional_json_body, require_login
from .shifts import _managed_shift, berlin_iso, signups_json

# --- answers ---------------------------------------------------------------------------


def availability_json(user: User) -> dict:
    return {
        "weekly": [
            {"weekday": w.weekday, "from": format_clock(w.starts), "to": format_clock(w.ends)} for w in windows_of(user)
        ],
        "absences": [{"from": a.first_day.isoformat(), "to": a.last_day.isoformat()} for a in absences_of(user)],
    }


def candidate_json(candidate: Candidate) -> dict:
    return {
        "volunteer_id": candidate.volunteer.id,
        "name": candidate.volunteer.name,
        "score": candidate.score,
        "reasons": [{"code": r.code, "text": r.text} for r in candidate.reasons],
        "recent_shifts": candidate.recent_shifts,
        "invited": candidate.is_invited,
    }


def invitation_json(invitation: Invitation) -> dict:
    return {
        "id": invitation.id,
        "shift_id": invitation.shift_id,
        "volunteer_id": invitation.volunteer_id,
        "status": invitation.current_status,
        "created_at": berlin_iso(invitation.created_at),
        "decided_at": berlin_iso(invitation.decided_at) if invitation.decided_at else None,
    }


# --- parsing ---------------------------------------------------------------------------


def _list(body: dict, name: str) -> list:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid(_("„%(name)s“ muss eine Liste von Objekten sein.", name=name), name)
    return value


def _window(item: dict, field: str) -> Window:
    return Window(
        weekday=integer_field(item.get("weekday"), f"{field}.weekday", minimum=1, maximum=7),
        starts=parse_clock(item.get("from"), f"{field}.from"),
        ends=parse_clock(item.get("to"), f"{field}.to"),
    )


def _absence(item: dict, field: str) -> DaysAway:
    return DaysAway(parse_date(item.get("from"), f"{field}.from"), parse_date(item.get("to"), f"{field}.to"))


# --- routes ----------------------------------------------------------------------------


@bp.get("/me/availability")
def get_availability():
    require_login()
    return jsonify(availability_json(current_user))


@bp.put("/me/availability")
def put_availability():
    require_login()
    body = json_body()
    weekly, absences = _list(body, "weekly"), _list(body, "absences")
    save_availability(
        user=current_user,
        windows=[_window(item, f"weekly[{n}]") for n, item in enumerate(weekly)],
        absences=[_absence(item, f"absences[{n}]") for n, item in enumerate(absences)],
    )
    return jsonify(availability_json(current_user))


@bp.get("/shifts/<int:shift_id>/candidates")
def shift_candidates(shift_id: int):
    shift = _managed_shift(shift_id)
    return jsonify(items=[candidate_json(c) for c in candidates(shift)])


@bp.post("/shifts/<int:shift_id>/invitations")
def invite(shift_id: int):
    shift = _managed_shift(shift_id)
    volunteer = db.session.get(User, id_field(json_body().get("volunteer_id"), "volunteer_id"))
    if not invitations.is_invitable_volunteer(shift, volunteer):
        raise NotFound(_("Diese Person gibt es in Ihrem Zentrum nicht."), code="not_found", field="volunteer_id")
    invitation = invitations.invite(shift=shift, volunteer=volunteer, by=current_user._get_current_object())
    return jsonify(invitation_json(invitation)), 201


@bp.post("/invitations/<int:invitation_id>/accept")
def accept_invitation(invitation_id: int):
    return _answer(invitation_id, ACCEPT)


@bp.post("/invitations/<int:invitation_id>/decline")
def decline_invitation(invitation_id: int):
    return _answer(invitation_id, DECLINE)


def _answer(invitation_id: int, action: str):
    """As the signed-in person, or with the button's token (a service worker, a mail link's page)
    as the person it names, answering in their language."""
    body = optional_json_body() or {}
    if "token" in body:
        invitation = invitation_for_token(
            body["token"], invitation_id=invitation_id, answer=action, signed_in=current_user
        )
    else:
        require_login()
        invitation = invitations.invitation_for(current_user, invitation_id)
    person = invitation.volunteer
    with force_locale(person.locale or "de"):
        result = invitations.answer(invitation=invitation, volunteer=person, action=action)
        answer = {**invitation_json(invitation), "message": invitations.answer_message(result)}
    if action == ACCEPT:
        answer["signup"] = signups_json([result])[0]
    return jsonify(answer)

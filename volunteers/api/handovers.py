"""Handovers in the JSON API: offer an own confirmed shift, list the offers the caller may take,
accept one, withdraw an own offer, approve or decline as the coordination. The rules live in
volunteers/shifts/handovers.py; refusals answer 422 with the policy's code."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import signed_in_person
from ..core.errors import Forbidden, NotFound
from ..shifts import handover_queries, handovers
from ..shifts.models import Handover
from ..shifts.queries import my_signup_statuses, visible_shift_or_none
from . import bp
from .helpers import require_login
from .shifts import activity_lookup, berlin_iso, shift_json, signups_json


def handover_json(offer: Handover, activities: dict | None = None) -> dict:
    shift = offer.shift
    activities = activities if activities is not None else activity_lookup([shift.centre])
    return {
        "id": offer.id,
        "status": offer.status,
        "shift_id": offer.shift_id,
        "is_mine": offer.user_id == current_user.id,
        "offered_at": berlin_iso(offer.created_at),
        "decided_at": berlin_iso(offer.decided_at) if offer.decided_at else None,
        "shift": shift_json(shift, None, activities),
    }


def _visible_offer(offer_id: int) -> Handover:
    require_login()
    offer = handover_queries.visible_offer_or_none(current_user, offer_id)
    if offer is None:
        raise NotFound(_("Dieses Angebot gibt es nicht."), code="not_found")
    return offer


@bp.post("/shifts/<int:shift_id>/handover")
def offer_handover(shift_id: int):
    require_login()
    shift = visible_shift_or_none(current_user, shift_id)
    if shift is None:
        raise NotFound(_("Diese Schicht gibt es nicht."), code="not_found")
    signup = my_signup_statuses(current_user, [shift]).get(shift.id)
    if signup is None:
        raise handovers.HandoverError(_("Sie sind für diese Schicht nicht eingetragen."), code="not_signed_up")
    offer = handovers.offer_handover(signup=signup, by=signed_in_person())
    return jsonify(handover_json(offer)), 201


@bp.get("/handovers")
def list_handovers():
    require_login()
    offers = handover_queries.offers_for(current_user)
    activities = activity_lookup(offer.shift.centre for offer in offers)
    return jsonify(items=[handover_json(offer, activities) for offer in offers])


@bp.post("/handovers/<int:offer_id>/accept")
def accept_handover(offer_id: int):
    result = handovers.accept_handover(offer=_visible_offer(offer_id), taker=signed_in_person())
    if isinstance(result, Handover):  # the centre's coordination approves first
        return jsonify(handover_json(result)), 202
    return jsonify(signups_json([result])[0]), 201


@bp.delete("/handovers/<int:offer_id>")
def withdraw_handover(offer_id: int):
    offer = _visible_offer(offer_id)
    if offer.user_id != current_user.id:
        raise Forbidden(_("Nur wer die Schicht angeboten hat, kann das Angebot zurückziehen."), code="forbidden")
    return jsonify(handover_json(handovers.withdraw_handover(offer=offer, by=signed_in_person())))


def _managed_offer(offer_id: int) -> Handover:
    offer = _visible_offer(offer_id)
    if not current_user.is_staff_of(offer.shift.centre):
        raise Forbidden(_("Nur die Koordination des Zentrums kann Übergaben bestätigen."), code="forbidden")
    return offer


@bp.post("/handovers/<int:offer_id>/approve")
def approve_handover(offer_id: int):
    signup = handovers.approve_handover(offer=_managed_offer(offer_id), by=signed_in_person())
    return jsonify(signups_json([signup])[0])


@bp.post("/handovers/<int:offer_id>/decline")
def decline_handover(offer_id: int):
    offer = handovers.decline_handover(offer=_managed_offer(offer_id), by=signed_in_person())
    return jsonify(handover_json(offer))

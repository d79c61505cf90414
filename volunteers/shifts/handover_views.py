"""The handover pages: "Übergeben" beside "Ich kann nicht", the offers a volunteer may take
("Übernahme-Angebote"), and the coordination's approval on the shift's planning page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.web import attempt, safe_next_url
from . import handover_queries, handovers
from .queries import my_signup_statuses, visible_shift_or_none

bp = Blueprint("handovers", __name__)


# The shift's planning page lists its standing offers; the cards' buttons ask the policy through
# shifts/listing.button_state.
bp.add_app_template_global(handover_queries.offers_on_shift, "handovers_on_shift")


@bp.route("/handovers")
@login_required
def offers():
    return render_template(
        "shifts/handovers.html",
        offers=handover_queries.offers_for(current_user),
        mine=handover_queries.my_offers(current_user),
    )


@bp.route("/shifts/<int:shift_id>/handover", methods=["POST"])
@login_required
def offer(shift_id):
    shift = visible_shift_or_none(current_user, shift_id)
    signup = my_signup_statuses(current_user, [shift]).get(shift_id) if shift is not None else None
    if signup is None:
        abort(404)
    ok, _offer = attempt(lambda: handovers.offer_handover(signup=signup, by=current_user))
    if ok:
        flash(_("Ihre Schicht ist zur Übernahme angeboten. Bis jemand übernimmt, bleiben Sie eingetragen."), "success")
    return redirect(_back(url_for("shifts.shift_page", shift_id=shift_id)))


def _visible_offer_or_404(offer_id: int):
    offer = handover_queries.visible_offer_or_none(current_user, offer_id)
    if offer is None:
        abort(404)
    return offer


@bp.route("/handovers/<int:offer_id>/accept", methods=["POST"])
@login_required
def accept(offer_id):
    offer = _visible_offer_or_404(offer_id)
    ok, result = attempt(lambda: handovers.accept_handover(offer=offer, taker=current_user))
    if ok and isinstance(result, handovers.Handover):
        flash(_("Danke! Die Koordination bestätigt die Übernahme noch."), "success")
    elif ok:
        flash(_("Sie haben die Schicht übernommen. Danke!"), "success")
        return redirect(url_for("shifts.shift_page", shift_id=result.shift_id))
    return redirect(url_for("handovers.offers"))


@bp.route("/handovers/<int:offer_id>/withdraw", methods=["POST"])
@login_required
def withdraw(offer_id):
    offer = _visible_offer_or_404(offer_id)
    if offer.user_id != current_user.id:
        abort(404)
    if attempt(lambda: handovers.withdraw_handover(offer=offer, by=current_user))[0]:
        flash(_("Ihr Angebot ist zurückgezogen; die Schicht bleibt Ihre."), "success")
    return redirect(_back(url_for("handovers.offers")))


def _managed_offer_or_404(offer_id: int):
    offer = _visible_offer_or_404(offer_id)
    if not current_user.is_staff_of(offer.shift.centre):
        abort(404)
    return offer


@bp.route("/handovers/<int:offer_id>/approve", methods=["POST"])
@login_required
def approve(offer_id):
    offer = _managed_offer_or_404(offer_id)
    if attempt(lambda: handovers.approve_handover(offer=offer, by=current_user))[0]:
        flash(_("Die Übernahme ist bestätigt."), "success")
    return redirect(_plan_page(offer))


@bp.route("/handovers/<int:offer_id>/decline", methods=["POST"])
@login_required
def decline(offer_id):
    offer = _managed_offer_or_404(offer_id)
    if attempt(lambda: handovers.decline_handover(offer=offer, by=current_user))[0]:
        flash(_("Die Übernahme ist abgelehnt; das Angebot steht wieder offen."), "success")
    return redirect(_plan_page(offer))


def _plan_page(offer) -> str:
    return url_for("plan.shift_detail", slug=offer.shift.centre.slug, shift_id=offer.shift_id)


def _back(default: str) -> str:
    return safe_next_url(request.form.get("next")) or default

"""The volunteers' pages, phone first: open shifts, one tap to sign up or cancel, my shifts."""

from dataclasses import replace
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.auth import signed_in_person
from ..centres.languages import language_choices
from ..centres.services import staff_of
from ..centres.stamp import current_stamps
from ..core import time
from ..core.web import attempt, parse_iso_date, safe_next_url
from ..feeds.links import personal_feed_url, subscription
from . import listing, policy, signups
from .cards import card_links, card_texts
from .models import CANCEL_REASON
from .queries import ShiftFilter, my_signup_statuses, open_shift_page, visible_shift_or_none

bp = Blueprint("shifts", __name__)

# The pages offer "sign up" and "cancel" exactly when the service would take them: they ask the same functions.
bp.add_app_template_global(policy.signup_blockers)
bp.add_app_template_global(policy.cancel_blockers)
bp.add_app_template_global(policy.is_late_cancellation)
bp.add_app_template_global(CANCEL_REASON.max_length, "cancel_reason_max")
bp.add_app_template_global(card_links)  # the cards' links and CSRF token, once per request
bp.add_app_template_global(card_texts)  # their fixed texts, once per locale
bp.add_app_template_global(listing.button_state)  # what a card's buttons offer, from the policy

LIST_WEEKS = 4
PAGE_SIZE = 40


@bp.route("/shifts")
@login_required
def open_shifts():
    today = time.to_berlin(time.now()).date()
    first_day = max(parse_iso_date(request.args.get("from"), today), today)
    start = max(time.berlin_local(datetime.combine(first_day, datetime.min.time())), time.now())
    shift_filter = ShiftFilter(
        start=start, end=start + timedelta(weeks=LIST_WEEKS), meeting_point=request.args.get("meeting_point") or None
    )
    person = signed_in_person()
    stamps = current_stamps(m.centre_id for m in person.memberships)  # before the rows (shifts.listing)
    # A page at a time: a busy centre has 150 shifts in four weeks, too much for a phone to load.
    shifts, next_day = open_shift_page(person, shift_filter, PAGE_SIZE, fetch=listing.published_rows)
    shift_filter = replace(shift_filter, language=request.args.get("language") or None)
    if shift_filter.language:  # after the cut, so that the next page starts where this one ends
        shifts = [s for s in shifts if shift_filter.language in s.languages]
    return render_template(
        "shifts/open_shifts.html",
        cards=listing.open_cards(shifts, person, request.full_path, stamps),
        first_day=first_day,
        next_day=next_day,
        filter=shift_filter,
        meeting_points=listing.meeting_point_choices(stamps),
        languages=language_choices(),
    )


def _visible_or_404(shift_id: int):
    shift = visible_shift_or_none(current_user, shift_id)
    if shift is None:
        abort(404)
    return shift


@bp.route("/shifts/<int:shift_id>")
@login_required
def shift_page(shift_id):
    shift = _visible_or_404(shift_id)
    return render_template(
        "shifts/shift.html",
        shift=shift,
        signup=my_signup_statuses(current_user, [shift]).get(shift.id),
        # How to reach the coordination: the centre keeps no contact of its own, its staff do.
        contacts=[person for person in staff_of(shift.centre) if not person.is_deleted],
    )


@bp.route("/shifts/<int:shift_id>/signup", methods=["POST"])
@login_required
def sign_up(shift_id):
    shift = _visible_or_404(shift_id)
    ok, signup = attempt(lambda: signups.sign_up(shift=shift, volunteer=current_user))
    if ok:
        messages = {
            "confirmed": _("Sie sind eingetragen. Danke!"),
            "waitlisted": _("Die Schicht ist voll. Sie stehen auf der Warteliste und rücken automatisch nach."),
            "pending": _("Ihre Anmeldung wartet auf die Bestätigung der Koordination."),
        }
        flash(messages[signup.status], "success")
    return redirect(_back(shift_id))


@bp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@login_required
def cancel(shift_id):
    """ "Ich kann nicht" (or "Von der Warteliste nehmen"), with an optional reason."""
    shift = _visible_or_404(shift_id)
    signup = my_signup_statuses(current_user, [shift]).get(shift.id)
    if signup is None:
        abort(404)
    was_waitlisted = signup.is_waitlisted
    ok, _promoted = attempt(lambda: signups.cancel_signup(signup=signup, reason=request.form.get("reason")))
    if ok:
        done = _("Sie stehen nicht mehr auf der Warteliste.") if was_waitlisted else _("Sie sind ausgetragen.")
        late = " " + _("Da die Absage kurzfristig war, ist sie vermerkt.") if signup.is_late_cancellation else ""
        flash(done + late, "success")
    return redirect(_back(shift_id))


def _back(shift_id: int) -> str:
    """Back to the list the tap came from, else the shift's page."""
    return safe_next_url(request.form.get("next")) or url_for("shifts.shift_page", shift_id=shift_id)


@bp.route("/my/shifts")
@login_required
def my_shifts():
    person = signed_in_person()
    stamps = current_stamps(m.centre_id for m in person.memberships)  # before the rows (shifts.listing)
    upcoming = listing.signup_rows(person, upcoming=True)
    past = listing.signup_rows(person, upcoming=False, limit=50)
    upcoming_cards, past_cards = listing.my_cards(upcoming, past, person, request.path, stamps)
    return render_template(
        "shifts/my_shifts.html",
        upcoming=upcoming_cards,
        past=past_cards,
        calendar=subscription(personal_feed_url(person)),
    )

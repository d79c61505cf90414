"""The calendar feeds (contracts in the specification) and their subscription controls.

A calendar server polls thousands of feeds: each request first computes a fingerprint with one
aggregate query and answers 304 when the client already has it, before any row is loaded."""

import gzip

from flask import Blueprint, abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..centres.models import MeetingPoint
from ..core.tenancy import staff_centre_or_404
from ..extensions import db
from ..shifts.queries import visible_shift_or_none
from . import queries, tokens
from .cache import body_cache
from .events import centre_events, personal_events, public_event, public_events
from .ical import build_calendar
from .models import CENTRE, PERSONAL

bp = Blueprint("feeds", __name__)
CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 900


def _not_modified(fingerprint) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(fingerprint.etag)
    since = request.if_modified_since
    return bool(since and fingerprint.last_modified and fingerprint.last_modified.replace(microsecond=0) <= since)


def serve_feed(fingerprint, render, *, public: bool = False, filename: str = "treffpunkt.ics"):
    """304 from the fingerprint alone, else the calendar, rendered or from the cache of recent
    renders (gzip if the client takes it)."""
    if _not_modified(fingerprint):
        response = make_response("", 304)
    else:
        gzipped, length = _gzipped_body(fingerprint.etag, render)
        if "gzip" in request.accept_encodings and length > 1024:
            response = make_response(gzipped)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = make_response(gzip.decompress(gzipped))
        response.headers["Content-Type"] = CONTENT_TYPE
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(fingerprint.etag, weak=True)  # weak: the same for gzip and identity
    response.headers["Vary"] = "Accept-Encoding"
    if fingerprint.last_modified:
        response.last_modified = fingerprint.last_modified
    response.cache_control.max_age = MAX_AGE
    response.cache_control.public = public
    response.cache_control.private = not public
    return response


def _gzipped_body(etag: str, render) -> tuple[bytes, int]:
    """The body for this ETag, gzipped, and its length as text; the links in it follow PUBLIC_BASE_URL."""
    cache, key = body_cache(MAX_AGE), (etag, current_app.config["PUBLIC_BASE_URL"])
    cached = cache.get(key)
    if cached is None:
        body = render()
        cached = gzip.compress(body, compresslevel=6), len(body)
        cache.put(key, *cached)
    return cached


def _found(state):
    """What a feed's URL names (owner and fingerprint), or 404: unknown, revoked, role lost."""
    if state is None:
        abort(404)
    return state


def _token_hash(token: str) -> str:
    return tokens.lookup_hash(token) or abort(404)


@bp.route("/calendar/u/<token>.ics")
def personal_feed(token: str):
    (user_id, alarm_minutes, locale), fingerprint = _found(queries.personal_state(_token_hash(token)))

    def render():
        with force_locale(locale or "de"):
            events = personal_events(queries.personal_signups(user_id), alarm_minutes)
            return build_calendar(
                name=_("Treffpunkt – Meine Schichten"), uid=f"treffpunkt-user-{user_id}", events=events
            )

    return serve_feed(fingerprint, render, filename="meine-schichten.ics")


@bp.route("/calendar/p/<slug>.ics")
def public_feed(slug: str):
    locale = request.args.get("lang") if request.args.get("lang") in ("de", "en", "ar", "uk") else "de"
    meeting_point_id, fingerprint = _found(queries.public_state(slug, locale))

    def render():
        meeting_point = db.session.get(MeetingPoint, meeting_point_id)
        with force_locale(locale):
            events = public_events(queries.public_shifts(meeting_point_id))
            return build_calendar(
                name=f"Treffpunkt – {meeting_point.name}",
                uid=f"treffpunkt-place-{slug}",
                events=events,
                description=meeting_point.address,
            )

    return serve_feed(fingerprint, render, public=True, filename=f"{slug}.ics")


@bp.route("/calendar/c/<token>.ics")
def centre_feed(token: str):
    (_user_id, centre_id, locale, slug, centre_name), fingerprint = _found(queries.centre_state(_token_hash(token)))

    def render():
        with force_locale(locale or "de"):
            events = centre_events(queries.centre_shifts(centre_id), queries.centre_signups(centre_id))
            return build_calendar(
                name=_("Treffpunkt – Plan %(centre)s", centre=centre_name),
                uid=f"treffpunkt-centre-{slug}",
                events=events,
            )

    return serve_feed(fingerprint, render, filename=f"{slug}.ics")


@bp.route("/shifts/<int:shift_id>.ics")
@login_required
def single_shift(shift_id: int):
    """One shift as a one-off download ("add to my calendar")."""
    shift = visible_shift_or_none(current_user, shift_id)
    if shift is None:
        abort(404)
    body = build_calendar(name=_("Treffpunkt"), uid=f"treffpunkt-shift-{shift.id}", events=[public_event(shift)])
    response = make_response(body)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="schicht-{shift.id}.ics"'
    return response


def _manage(kind: str, user_id: int, centre_id: int | None) -> None:
    action = request.form.get("action")
    if action == "revoke":
        tokens.revoke_token(kind=kind, user_id=user_id, centre_id=centre_id)
        flash(_("Das Kalender-Abo ist beendet; der alte Link funktioniert nicht mehr."), "success")
    elif action == "create":
        # Only someone who had a link needs to hear that it stopped working.
        had_link = tokens.feed_token(kind=kind, user_id=user_id, centre_id=centre_id) is not None
        tokens.regenerate_token(kind=kind, user_id=user_id, centre_id=centre_id)
        if had_link:
            flash(_("Ihr neuer Kalender-Link ist bereit. Ein früherer Link funktioniert nicht mehr."), "success")
        else:
            flash(_("Ihr Kalender-Link ist bereit."), "success")
    else:
        abort(400)


@bp.route("/calendar/personal", methods=["POST"])
@login_required
def manage_personal():
    _manage(PERSONAL, current_user.id, None)
    return redirect(url_for("shifts.my_shifts") + "#calendar")


@bp.route("/centres/<slug>/calendar", methods=["POST"])
@login_required
def manage_centre(slug: str):
    centre = staff_centre_or_404(slug)
    _manage(CENTRE, current_user.id, centre.id)
    return redirect(url_for("plan.week", slug=slug) + "#calendar")

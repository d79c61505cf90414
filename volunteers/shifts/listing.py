"""The volunteers' shift lists (open shifts, my shifts) from plain rows, with their cards kept.

Rows: one SELECT of the columns a card shows (the shift, its meeting point, its centre's cut-off),
as NamedTuples that read like a Shift and a Signup (they borrow the models' properties), so that
the policy (shifts/policy.py, shifts/handovers.py) answers for them what it answers for the ORM.
The open list's rows are kept too, per the stamps of the person's centres and the filter, and
from now on only briefly (`_kept_rows_key`); the person's own sign-ups are read each time.

Cards: what a card prints is a function of its shift (with its meeting point, activity name and
centre: all in the centre's change stamp, centres/stamp.py), the reader's locale and the person's
state on it (`button_state`: what the policy allows, as a hashable value). So each card is rendered
once per (shift, stamp, locale, state) and kept; the page's CSRF token and its own address, the
only parts that differ between requests, are put in as placeholders and replaced per request.
Nothing is kept for a centre that the reader's own transaction changed (`touched_in_transaction`):
its stamp moves only at the commit."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import g, get_template_attribute, request
from markupsafe import Markup, escape

from ..accounts.models import User
from ..centres.models import Centre, MeetingPoint
from ..centres.stamp import current_stamps, touched_in_transaction
from ..core import time
from ..core.lru import ExpiringLRU, app_store
from ..core.templating import reading
from ..extensions import db
from . import handovers, policy
from .cards import card_links, card_texts
from .models import ACTIVE_HANDOVER_STATUSES, ACTIVE_SIGNUP_STATUSES, PUBLISHED, Handover, Shift, Signup

CARDS = 8192  # a centre's next four weeks are about 150 shifts; a card is 1–2 KB
ROWS_FROM_NOW_FOR = timedelta(seconds=60)  # see _kept_rows_key
CSRF_HOLE = "\x1ecsrf-token\x1e"  # no page text holds these control characters
NEXT_HOLE = "\x1enext-url\x1e"


class Place(NamedTuple):
    name: str
    street: str
    postcode: str
    city: str

    address = MeetingPoint.address


class CentreCutoff(NamedTuple):
    id: int
    cancel_cutoff_hours: int


class ListShift(NamedTuple):
    """A shift as the lists show it; the policy and the card macros read it like a Shift."""

    id: int
    centre_id: int
    activity: str
    starts_at: datetime
    ends_at: datetime
    status: str
    cancel_reason: str
    capacity_min: int
    capacity_max: int
    confirmed_count: int
    languages: list
    requires_police_certificate: bool
    meeting_point: Place
    centre: CentreCutoff

    free_slots = Shift.free_slots  # the model's own rules, not copies
    is_draft = Shift.is_draft
    is_published = Shift.is_published
    is_cancelled = Shift.is_cancelled
    is_understaffed = Shift.is_understaffed


class OfferShown(NamedTuple):
    id: int
    status: str

    is_awaiting_approval = Handover.is_awaiting_approval


class ListSignup(NamedTuple):
    """A sign-up with its shift and its open handover offer (one per sign-up at most), read like a
    Signup (policy.Bookings, policy.cancel_blockers, handovers.offer_blockers)."""

    id: int
    user_id: int
    status: str
    attendance: str | None
    offer: OfferShown | None
    shift: ListShift

    @property
    def shift_id(self) -> int:
        return self.shift.id

    is_confirmed = Signup.is_confirmed
    is_waitlisted = Signup.is_waitlisted
    is_pending = Signup.is_pending
    is_cancelled = Signup.is_cancelled


SHIFT_COLUMNS = (
    Shift.id,
    Shift.centre_id,
    Shift.activity,
    Shift.starts_at,
    Shift.ends_at,
    Shift.status,
    Shift.cancel_reason,
    Shift.capacity_min,
    Shift.capacity_max,
    Shift.confirmed_count,
    Shift.languages,
    Shift.requires_police_certificate,
    MeetingPoint.name,
    MeetingPoint.street,
    MeetingPoint.postcode,
    MeetingPoint.city,
    Centre.cancel_cutoff_hours,
)
_SHIFT_WIDTH = len(SHIFT_COLUMNS)


def _with_place_and_centre(query: sa.Select) -> sa.Select:
    return query.join(MeetingPoint, MeetingPoint.id == Shift.meeting_point_id).join(
        Centre, Centre.id == Shift.centre_id
    )


def _list_shift(row) -> ListShift:
    *fields, name, street, postcode, city, cutoff = row[:_SHIFT_WIDTH]
    return ListShift(*fields, Place(name, street, postcode, city), CentreCutoff(fields[1], cutoff))


def published_rows(user: User, shift_filter, *, published_only: bool = True, limit: int | None = None):
    """queries.visible_shifts for the open-shift list (published shifts of the user's centres), as
    rows; the same signature, so that queries.open_shift_page cuts either alike. Kept per centres'
    stamps and filter (see `_kept_rows_key`)."""
    del published_only  # the list shows published shifts only
    centre_ids = sorted({m.centre_id for m in user.memberships})
    stamps = current_stamps(centre_ids)  # before the rows; brought along with the person (no statement)
    at = time.now()
    key, expires = _kept_rows_key(stamps, shift_filter, limit, at)
    # A whole day after the page's cut (limit None: queries.open_shift_page) ends at a midnight:
    # from now its key would differ at each request, so it is not kept.
    keeps = limit is not None and not touched_in_transaction().intersection(centre_ids)
    rows = kept_cards().get(key, at) if keeps else None
    if rows is None:
        rows = _published_rows(centre_ids, shift_filter, limit)
        if keeps:
            kept_cards().put(key, rows, min(expires, rows[0].starts_at) if rows else expires)
    if shift_filter.language:
        rows = [s for s in rows if shift_filter.language in s.languages]
    return rows


def _kept_rows_key(stamps: dict[int, int], shift_filter, limit: int | None, at: datetime) -> tuple:
    """The key and the lifetime of kept rows. A list from a later day is the same until a stamp
    moves. A list from now on starts at this moment, so its rows are kept only until the first of
    them starts (then it must go) and for at most ROWS_FROM_NOW_FOR: the list's far end, four weeks
    ahead, then lags at most that much."""
    from_now = shift_filter.start <= at
    window = ("now", shift_filter.end - shift_filter.start) if from_now else (shift_filter.start, shift_filter.end)
    key = ("open_rows", tuple(stamps.items()), shift_filter.meeting_point, limit, *window)
    return key, (at + ROWS_FROM_NOW_FOR if from_now else shift_filter.end)


def _published_rows(centre_ids: list[int], shift_filter, limit: int | None) -> list[ListShift]:
    query = _with_place_and_centre(
        sa.select(*SHIFT_COLUMNS)
        .where(Shift.centre_id.in_(centre_ids), Shift.status == PUBLISHED)
        .where(Shift.starts_at >= shift_filter.start, Shift.starts_at < shift_filter.end)
        .order_by(Shift.starts_at, Shift.id)
        .limit(limit)
    )
    if shift_filter.meeting_point:
        query = query.where(MeetingPoint.slug == shift_filter.meeting_point)
    return [_list_shift(row) for row in db.session.execute(query)]


def signup_rows(user: User, *, upcoming: bool, limit: int = 100) -> list[ListSignup]:
    """queries.my_signups as rows: active sign-ups, upcoming (soonest first) or past (latest first)."""
    query = _signups_query().where(Signup.user_id == user.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES)).limit(limit)
    if upcoming:
        query = query.where(Shift.ends_at >= time.now()).order_by(Shift.starts_at)
    else:
        query = query.where(Shift.ends_at < time.now()).order_by(Shift.starts_at.desc())
    return _signups(query)


def booking_rows(user: User, shifts: list[ListShift]) -> policy.Bookings:
    """policy.bookings_of around the listed shifts, as rows: read once for all their buttons."""
    if not shifts:
        return policy.Bookings(())
    where = policy.booked_between(user, shifts[0].starts_at, max(s.ends_at for s in shifts))
    return policy.Bookings(tuple(_signups(_signups_query().where(*where).order_by(Shift.starts_at, Signup.id))))


def _signups_query() -> sa.Select:
    offer = sa.and_(Handover.signup_id == Signup.id, Handover.status.in_(ACTIVE_HANDOVER_STATUSES))
    columns = (
        *SHIFT_COLUMNS,
        Signup.id,
        Signup.user_id,
        Signup.status,
        Signup.attendance,
        Handover.id,
        Handover.status,
    )
    return _with_place_and_centre(
        sa.select(*columns).join(Signup, Signup.shift_id == Shift.id).outerjoin(Handover, offer)
    )


def _signups(query) -> list[ListSignup]:
    signups = []
    for row in db.session.execute(query):
        signup_id, user_id, status, attendance, offer_id, offer_status = row[_SHIFT_WIDTH:]
        offer = None if offer_id is None else OfferShown(offer_id, offer_status)
        signups.append(ListSignup(signup_id, user_id, status, attendance, offer, _list_shift(row)))
    return signups


# --- what the person may do on a card ------------------------------------------------------------


class Blocker(NamedTuple):
    code: str
    message: str


@dataclass(frozen=True)
class ButtonState:
    """What the policy says about one person and one shift, as the card's buttons print it."""

    active: bool = False
    status: str | None = None
    blocker: Blocker | None = None
    late: bool = False
    offer: OfferShown | None = None
    can_offer: bool = False

    @property
    def is_confirmed(self) -> bool:
        return self.status == "confirmed"

    @property
    def is_waitlisted(self) -> bool:
        return self.status == "waitlisted"


def button_state(shift, signup, volunteer: User, bookings: policy.Bookings | None = None) -> ButtonState:
    """The person's buttons on a shift (a Shift or a ListShift; `signup` a Signup, ListSignup or
    None), from the same functions the services ask."""
    if signup is None or signup.is_cancelled:
        blockers = policy.signup_blockers(shift, volunteer, bookings=bookings)
        return ButtonState(blocker=_first(blockers))
    blocker = _first(policy.cancel_blockers(signup))
    if blocker is not None:
        return ButtonState(active=True, status=signup.status, blocker=blocker)
    offer = _offer_of(signup) if signup.is_confirmed else None
    can_offer = signup.is_confirmed and offer is None and not handovers.offer_blockers(signup, active_offer=None)
    return ButtonState(
        active=True,
        status=signup.status,
        late=policy.is_late_cancellation(signup),
        offer=offer and OfferShown(offer.id, offer.status),
        can_offer=can_offer,
    )


def _first(blockers: list) -> Blocker | None:
    return Blocker(blockers[0].code, blockers[0].message) if blockers else None


def _offer_of(signup):
    """The sign-up's open handover offer: a row brings it along; for a Signup the person's offers
    are read once per request."""
    if isinstance(signup, ListSignup):
        return signup.offer
    shown = g.setdefault("handover_offers_by_person", {})
    if signup.user_id not in shown:
        shown[signup.user_id] = handovers.active_offers_of_person(signup.user_id)
    return shown[signup.user_id].get(signup.id)


# --- kept cards ----------------------------------------------------------------------------------


def kept_cards() -> ExpiringLRU:
    return app_store("shift_cards", lambda: ExpiringLRU(CARDS))


class CardPrinter:
    """Prints one page's cards: kept ones where the centre's stamp allows, the others rendered with
    placeholders for the CSRF token and the page's address, kept, and filled in. The stamps must be
    read before the rows: a write committed in between then leaves newer rows under the older
    stamp, never older rows under the newer one."""

    def __init__(self, stamps: dict[int, int], next_url: str):
        self.stamps = stamps
        self.touched = touched_in_transaction()
        self.links, self.texts = card_links(), card_texts()
        self.holed_links = replace(self.links, csrf=CSRF_HOLE)
        self.fills = ((CSRF_HOLE, self.links.csrf), (NEXT_HOLE, str(escape(next_url))))
        self.prefix = (reading().code, request.script_root)
        self.kept = kept_cards()

    def card(self, macro: str, shift, variant, *args) -> Markup:
        stamp = self.stamps.get(shift.centre_id)  # None: a centre left since (a past shift of my shifts)
        keeps = stamp is not None and shift.centre_id not in self.touched
        key = (macro, shift.id, stamp, self.prefix, variant)
        html = self.kept.get(key, None) if keeps else None
        if html is None:
            html = str(get_template_attribute("shifts/_macros.html", macro)(shift, *args))
            if keeps:
                self.kept.put(key, html, None)
        for hole, value in self.fills:
            html = html.replace(hole, value)
        return Markup(html)  # nosec B704: a rendered template with escaped values put in

    def open_card(self, shift, state: ButtonState) -> Markup:
        return self.card("open_card", shift, state, state, NEXT_HOLE, self.holed_links, self.texts)

    def upcoming_card(self, signup, state: ButtonState) -> Markup:
        return self.card("upcoming_card", signup.shift, state, state, NEXT_HOLE, self.holed_links, self.texts)

    def past_card(self, signup) -> Markup:
        return self.card("past_card", signup.shift, signup.attendance, signup.attendance)


def open_cards(shifts: list[ListShift], volunteer: User, next_url: str, stamps: dict[int, int]) -> list[Markup]:
    """The open-shift list's cards (`stamps`: of the person's centres, read before the rows). Its shifts are published
    and inside the bookings' window, so the person's active sign-up on each is among them."""
    bookings = booking_rows(volunteer, shifts)
    printer = CardPrinter(stamps, next_url)
    return [printer.open_card(s, button_state(s, bookings.on(s), volunteer, bookings)) for s in shifts]


def meeting_point_choices(stamps: dict[int, int]) -> list:
    """Slug and name of the meeting points of these centres (`stamps`: theirs), by name; kept
    until one of the stamps moves."""
    key = ("meeting_points", tuple(sorted(stamps.items())))
    touched = touched_in_transaction().intersection(stamps)
    found = None if touched else kept_cards().get(key, None)
    if found is None:
        query = sa.select(MeetingPoint.slug, MeetingPoint.name).where(MeetingPoint.centre_id.in_(list(stamps)))
        found = db.session.execute(query.order_by(MeetingPoint.name)).all()
        if not touched:
            kept_cards().put(key, found, None)
    return found


def my_cards(upcoming: list[ListSignup], past: list[ListSignup], volunteer: User, next_url: str, stamps: dict):
    """My shifts' cards: upcoming ones with their buttons, past ones with the attendance
    (`stamps`: of the person's centres, read before the rows)."""
    printer = CardPrinter(stamps, next_url)
    return (
        [printer.upcoming_card(s, _upcoming_state(s, volunteer)) for s in upcoming],
        [printer.past_card(s) for s in past],
    )


def _upcoming_state(signup: ListSignup, volunteer: User) -> ButtonState:
    if signup.shift.is_cancelled:
        return ButtonState(active=True, status=signup.status)
    return button_state(signup.shift, signup, volunteer)

"""What a volunteer's first screen shows for each centre they volunteer at: the next shift with who
else comes, hours to confirm, open shifts that need their languages, their waitlist places. A
fixed number of statements however many shifts and centres there are."""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import User
from ..availability.invitations import decide_blockers
from ..availability.models import OPEN, Invitation
from ..centres.models import Centre, MeetingPoint
from ..core import time
from ..extensions import db
from ..hours.proposals import open_proposals
from ..shifts import policy
from ..shifts.models import ACTIVE_SIGNUP_STATUSES, CONFIRMED, PUBLISHED, Shift, Signup
from ..shifts.waitlist import WaitlistPlace, waitlist_places

MATCHING_DAYS = 14
MATCHING_SHOWN = 3  # per centre: a hint, the open-shift list has the rest
# Read at most this many candidates of the next two weeks (a busy centre has about 75).
MATCHING_CANDIDATES = 300


@dataclass
class NextShift:
    signup: Signup
    first_names: list[str]  # of co-volunteers who allow it (User.shows_first_name)
    others: int  # co-volunteers who don't: only counted

    @property
    def shift(self) -> Shift:
        return self.signup.shift

    @property
    def map_url(self) -> str:
        return map_url(self.shift.meeting_point)


@dataclass
class VolunteerHome:
    centre: Centre
    next_shift: NextShift | None = None
    proposals: int = 0
    matching: list[Shift] = field(default_factory=list)
    waitlist: list[WaitlistPlace] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)  # open personal requests

    @property
    def is_empty(self) -> bool:
        return self.next_shift is None and not self.waitlist


def volunteer_home(person: User) -> list[VolunteerHome]:
    """The first screen's facts, one block per centre the person volunteers at."""
    homes = {centre.id: VolunteerHome(centre) for centre in person.volunteer_centres}
    if not homes:
        return []
    for signup in _next_signups(person, homes):
        homes[signup.centre_id].next_shift = NextShift(signup, [], 0)
    _add_co_volunteers(person, [h.next_shift for h in homes.values() if h.next_shift])
    for proposal in open_proposals(person):
        if proposal.shift.centre_id in homes:
            homes[proposal.shift.centre_id].proposals += 1
    for shift in matching_open_shifts(person, homes):
        if len(homes[shift.centre_id].matching) < MATCHING_SHOWN:
            homes[shift.centre_id].matching.append(shift)
    for place in waitlist_places(person, homes):
        homes[place.signup.centre_id].waitlist.append(place)
    for invitation in open_invitations(person, homes):
        homes[invitation.centre_id].invitations.append(invitation)
    return list(homes.values())


def open_invitations(person: User, centre_ids) -> list[Invitation]:
    """The coordinators' personal requests the person can still answer, soonest first: the
    buttons shown are the ones `decide_blockers` accepts (the SQL only narrows to open requests
    for shifts still to come)."""
    candidates = db.session.scalars(
        sa.select(Invitation)
        .join(Invitation.shift)
        .where(
            Invitation.volunteer_id == person.id,
            Invitation.centre_id.in_(list(centre_ids)),
            Invitation.status == OPEN,
            Shift.starts_at > time.now(),
        )
        .options(contains_eager(Invitation.shift).joinedload(Shift.meeting_point))
        .order_by(Shift.starts_at, Invitation.id)
    )
    return [invitation for invitation in candidates if not decide_blockers(invitation)]


def _next_signups(person: User, centre_ids) -> list[Signup]:
    """Per centre, the person's confirmed sign-up for the published shift that comes (or runs) next."""
    ranked = (
        sa.select(
            Signup.id,
            sa.func.row_number()
            .over(partition_by=Signup.centre_id, order_by=(Shift.starts_at, Shift.id))
            .label("rank"),
        )
        .join(Signup.shift)
        .where(
            Signup.user_id == person.id,
            Signup.centre_id.in_(list(centre_ids)),
            Signup.status == CONFIRMED,
            Shift.status == PUBLISHED,
            Shift.ends_at > time.now(),
        )
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Signup)
            .join(ranked, sa.and_(ranked.c.id == Signup.id, ranked.c.rank == 1))
            .join(Signup.shift)
            .options(contains_eager(Signup.shift).joinedload(Shift.meeting_point))
        )
    )


def _add_co_volunteers(person: User, next_shifts: list[NextShift]) -> None:
    """Who else is confirmed: first names of those who allow it, the others counted."""
    by_shift = {n.signup.shift_id: n for n in next_shifts}
    if not by_shift:
        return
    rows = db.session.execute(
        sa.select(Signup.shift_id, User.name, User.shows_first_name)
        .join(User, User.id == Signup.user_id)
        .where(
            Signup.shift_id.in_(list(by_shift)),
            Signup.status == CONFIRMED,
            Signup.user_id != person.id,
            User.deleted_at.is_(None),
        )
        .order_by(Signup.requested_at, Signup.id)
    )
    for shift_id, name, shows_first_name in rows:
        if shows_first_name and first_name(name):
            by_shift[shift_id].first_names.append(first_name(name))
        else:
            by_shift[shift_id].others += 1


def first_name(name: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else ""


def matching_open_shifts(person: User, centre_ids) -> list[Shift]:
    """Published shifts of the next two weeks in the given centres with free seats that need a
    language the person speaks, the person not on them and allowed to sign up (shifts.policy)."""
    speaks = set(person.languages or ())
    if not speaks:
        return []
    start, end = time.now(), time.now() + timedelta(days=MATCHING_DAYS)
    mine = sa.select(Signup.shift_id).where(Signup.user_id == person.id, Signup.status.in_(ACTIVE_SIGNUP_STATUSES))
    candidates = db.session.scalars(
        sa.select(Shift)
        .where(
            Shift.centre_id.in_(list(centre_ids)),
            Shift.status == PUBLISHED,
            Shift.starts_at > start,
            Shift.starts_at < end,
            Shift.confirmed_count < Shift.capacity_max,
            Shift.id.not_in(mine),
        )
        .options(joinedload(Shift.meeting_point), joinedload(Shift.centre))
        .order_by(Shift.starts_at, Shift.id)
        .limit(MATCHING_CANDIDATES)
    )
    # Languages are a short JSON list; filtering here works alike on SQLite and PostgreSQL.
    needing = [s for s in candidates if speaks & set(s.languages or ())]
    if not needing:
        return []
    bookings = policy.bookings_of(person, needing[0].starts_at, max(s.ends_at for s in needing))
    return [s for s in needing if not policy.signup_blockers(s, person, bookings=bookings)]


def map_url(meeting_point: MeetingPoint) -> str:
    """OpenStreetMap at the meeting point: its coordinates when known, else a search for the address."""
    lat, lon = meeting_point.latitude, meeting_point.longitude
    if lat is not None and lon is not None:
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    return "https://www.openstreetmap.org/search?" + urlencode({"query": meeting_point.address})

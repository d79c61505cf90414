"""What the demo shows of availability, invitations and handovers (#18): most volunteers say when
they can usually help, one is away for a while, the coordination has asked the demo volunteer to
take an understaffed shift, and a colleague offers a shift she could take over. Every choice asks
the same policy functions as the pages, so that the demo offers only what the app would allow."""

from datetime import timedelta

import sqlalchemy as sa

from ..accounts import services as accounts
from ..availability.candidates import cover_blockers
from ..availability.invitations import invite, invite_blockers
from ..availability.services import DaysAway, Window, save_availability
from ..core import time
from ..extensions import db
from ..shifts.handovers import offer_blockers, offer_handover
from ..shifts.models import CONFIRMED, PUBLISHED, Shift, Signup

# ISO weekday and wall-clock minutes; the demo plans (plans.PATTERNS, Python's weekday numbers there)
# fall on Tuesday 16-18 h, Thursday 15-18 h and Saturday 10-13 h.
USUAL_WINDOWS = [
    Window(2, 15 * 60, 20 * 60),
    Window(4, 14 * 60, 19 * 60),
    Window(6, 9 * 60, 14 * 60),
    Window(1, 10 * 60, 16 * 60),
    Window(3, 17 * 60, 21 * 60),
    Window(5, 8 * 60, 12 * 60),
]
WITHOUT_WINDOWS_EVERY = 4  # every fourth volunteer has said nothing: "Hat keine festen Zeiten angegeben"
ABSENCE_STARTS_IN, ABSENCE_DAYS = timedelta(days=2), 10


def seed_beyond(centres_by_slug: dict, volunteers: dict[str, list]) -> None:
    """`volunteers` by centre slug; Düsseldorf's list starts with the demo volunteer (demo.services)."""
    centre = centres_by_slug["duesseldorf"]
    demo_volunteer, others = volunteers["duesseldorf"][0], volunteers["duesseldorf"][1:]
    away = others[-1]
    first_day = time.to_berlin(time.now()).date() + ABSENCE_STARTS_IN
    absence = DaysAway(first_day, first_day + timedelta(days=ABSENCE_DAYS - 1))
    for people in volunteers.values():
        for index, person in enumerate(people):
            save_availability(user=person, windows=_usual_windows(index), absences=[absence] if person is away else [])
    coordinator = accounts.find_user_by_email(f"koordination@{centre.slug}.example")
    invited = _invite_to_understaffed(centre, demo_volunteer, coordinator)
    _offer_to_take_over(centre, demo_volunteer, [p for p in others if p is not away], avoid=invited)
    db.session.flush()


def _usual_windows(index: int) -> list[Window]:
    """Two windows a week for most, by the person's place in their centre's list; none for some."""
    if index % WITHOUT_WINDOWS_EVERY == WITHOUT_WINDOWS_EVERY - 1:
        return []
    return [USUAL_WINDOWS[index % len(USUAL_WINDOWS)], USUAL_WINDOWS[(index + 2) % len(USUAL_WINDOWS)]]


def _upcoming(centre) -> list[Shift]:
    return list(
        db.session.scalars(
            sa.select(Shift)
            .where(Shift.centre_id == centre.id, Shift.status == PUBLISHED, Shift.starts_at > time.now())
            .order_by(Shift.starts_at, Shift.id)
        )
    )


def _invite_to_understaffed(centre, demo_volunteer, coordinator) -> Shift | None:
    """The soonest understaffed shift she may be asked to take: the coordination asked her."""
    for shift in _upcoming(centre):
        if shift.is_understaffed and not invite_blockers(shift, demo_volunteer):
            invite(shift=shift, volunteer=demo_volunteer, by=coordinator)
            return shift
    return None


def _offer_to_take_over(centre, demo_volunteer, colleagues, *, avoid: Shift | None) -> None:
    """A colleague's confirmed seat, still before the cut-off, that she could take: offered."""
    for shift in _upcoming(centre):
        if avoid is not None and shift.starts_at < avoid.ends_at and shift.ends_at > avoid.starts_at:
            continue  # taking it would clash with the shift she was asked to take
        if cover_blockers(shift, demo_volunteer):
            continue
        for signup in _confirmed_signups(shift, colleagues):
            if not offer_blockers(signup):
                offer_handover(signup=signup, by=signup.user)
                return


def _confirmed_signups(shift: Shift, people: list) -> list[Signup]:
    ids = [person.id for person in people]
    return list(
        db.session.scalars(
            sa.select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == CONFIRMED, Signup.user_id.in_(ids))
            .order_by(Signup.id)
        )
    )

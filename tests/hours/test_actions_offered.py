"""A page offers an action on hours exactly when the service takes it: for every state of an entry
(submitted, approved, rejected; in an open or a closed period; volunteer or staff hours; a
correction; one's own) and every role (the volunteer who logged it, a coordinator, the lead, a
coordinator of another centre), each page is rendered, the actions it offers are read off it, and
then every action is tried on the service: offered ⇔ accepted."""

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.helpers import clock_frozen_at
from volunteers.core import time
from volunteers.core.errors import DomainError
from volunteers.extensions import db
from volunteers.hours.models import (
    APPROVED,
    REJECTED,
    STAFF_HOURS,
    SUBMITTED,
    VOLUNTEER_HOURS,
    HoursEntry,
    ReportPeriod,
)
from volunteers.hours.services import HoursInput, approve, book_correction, edit_entry, reject

NOW = time.berlin_local(datetime(2026, 11, 20, 10, 0))
ACTIONS = ("approve", "reject", "edit", "correct")
# Whose entry of which kind: a volunteer's, a coordinator's own volunteering, staff hours.
OWNERS = [
    ("volunteer", VOLUNTEER_HOURS),
    ("coordinator", VOLUNTEER_HOURS),
    ("coordinator", STAFF_HOURS),
    ("lead", STAFF_HOURS),
]
ROLES = ["volunteer", "coordinator", "lead", "other_centre"]


frozen_clock = clock_frozen_at(NOW)


def entry_row(centre, owner, kind, status, day, **values) -> HoursEntry:
    """Stored as it is, past the services: some states (a waiting entry in a closed period) can
    only come from data older than today's rules, and the pages must still tell the truth."""
    entry = HoursEntry(
        centre_id=centre.id,
        user_id=owner.id,
        kind=kind,
        work_date=day,
        minutes=90,
        activity="sprachcafe",
        baustein="B",
        status=status,
        **values,
    )
    db.session.add(entry)
    return entry


@pytest.fixture
def world(make_centre, make_user):
    centre, elsewhere = make_centre("kreuztal"), make_centre()
    people = SimpleNamespace(
        volunteer=make_user("volunteer", centre),
        coordinator=make_user("coordinator", centre),
        lead=make_user("lead", centre),
        other_centre=make_user("coordinator", elsewhere),
    )
    db.session.add_all(
        [
            ReportPeriod(
                centre_id=centre.id,
                label="Oktober 2026",
                starts_on=date(2026, 10, 1),
                ends_on=date(2026, 10, 31),
                status="closed",
                frozen_figures={"checksum": "-"},
            ),
            ReportPeriod(
                centre_id=centre.id, label="November 2026", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)
            ),
        ]
    )
    entries = {}
    for first_day, period in ((date(2026, 10, 1), "closed"), (date(2026, 11, 1), "open")):
        states = [(s, o, k) for s in (SUBMITTED, APPROVED, REJECTED) for o, k in OWNERS]
        for n, (status, owner, kind) in enumerate(states):
            entry = entry_row(centre, getattr(people, owner), kind, status, first_day + timedelta(days=n))
            entries[f"{status} {kind} hours of the {owner}, {period} period"] = entry
    db.session.flush()
    original = entries["approved volunteer hours of the volunteer, closed period"]
    entries["correction of the volunteer's hours, open period"] = entry_row(
        centre, people.volunteer, VOLUNTEER_HOURS, APPROVED, date(2026, 11, 19), corrects_id=original.id
    )
    db.session.commit()
    return SimpleNamespace(centre=centre, people=people, entries={name: e.id for name, e in entries.items()})


# --- what the pages offer ----------------------------------------------------------------------


def offered_on_entry_page(client, slug: str, entry_id: int) -> set[str]:
    response = client.get(f"/centres/{slug}/hours/{entry_id}")
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = {
        "approve": f'action="/centres/{slug}/hours/{entry_id}/approve"',
        "reject": f'action="/centres/{slug}/hours/{entry_id}/reject"',
        "edit": f'href="/centres/{slug}/hours/{entry_id}/edit"',
        "correct": f'action="/centres/{slug}/hours/{entry_id}/correct"',
    }
    return {action for action, link in links.items() if link in page}


def offers_edit_form(client, slug: str, entry_id: int) -> bool:
    response = client.get(f"/centres/{slug}/hours/{entry_id}/edit")
    if response.status_code == 404:
        return False
    assert response.status_code == 200
    return 'name="reason"' in response.get_data(as_text=True)


def approvable_in_queue(client, slug: str) -> tuple[set[int], set[int]] | None:
    """The queue's entries with everything shown, and those it offers to approve (button and box)."""
    response = client.get(f"/centres/{slug}/hours?status=all")
    if response.status_code == 404:
        return None
    page = response.get_data(as_text=True)
    listed = {int(n) for n in re.findall(rf'href="/centres/{slug}/hours/(\d+)"', page)}
    buttons = {int(n) for n in re.findall(rf'formaction="/centres/{slug}/hours/(\d+)/approve"', page)}
    boxes = {int(n) for n in re.findall(r'name="entry_ids" value="(\d+)"', page)}
    assert buttons == boxes
    return listed, buttons


# --- what the services accept ------------------------------------------------------------------


def accepted(action: str, entry_id: int, by) -> bool:
    """Whether the service takes the action (tried, then undone)."""
    entry = db.session.get(HoursEntry, entry_id)
    calls = {
        "approve": lambda: approve(entry=entry, by=by),
        "reject": lambda: reject(entry=entry, by=by, reason="Schicht fand nicht statt"),
        # What the edit form sends back unchanged, with a reason.
        "edit": lambda: edit_entry(
            entry=entry,
            values=HoursInput(
                work_date=entry.work_date, minutes=entry.minutes, activity=entry.activity, note=entry.note
            ),
            by=by,
            reason="Laut Anwesenheitsliste",
        ),
        "correct": lambda: book_correction(original=entry, minutes=-10, by=by, reason="Laut Anwesenheitsliste"),
    }
    try:
        calls[action]()
    except DomainError:
        return False
    finally:
        db.session.rollback()
    return True


@pytest.mark.parametrize("role", ROLES)
def test_every_page_offers_exactly_what_the_service_accepts(client, login, world, role):
    slug, person = world.centre.slug, getattr(world.people, role)
    login(user=person)
    queue = approvable_in_queue(client, slug)
    mismatches, accepted_anything = [], False
    for name, entry_id in world.entries.items():
        person = db.session.get(type(person), person.id)
        on_page = offered_on_entry_page(client, slug, entry_id)
        takes = {action for action in ACTIONS if accepted(action, entry_id, person)}
        accepted_anything |= bool(takes)
        if on_page != takes:
            mismatches.append(f"{name}: the entry page offers {sorted(on_page)}, the service takes {sorted(takes)}")
        if offers_edit_form(client, slug, entry_id) != ("edit" in takes):
            mismatches.append(f"{name}: the edit page's form is {'not ' * ('edit' in takes)}shown")
        if queue is not None and entry_id in queue[0] and (entry_id in queue[1]) != ("approve" in takes):
            mismatches.append(f"{name}: the queue's approve button is {'not ' * ('approve' in takes)}shown")
    assert not mismatches, f"as {role}:\n" + "\n".join(mismatches)
    assert accepted_anything == (role in ("coordinator", "lead"))

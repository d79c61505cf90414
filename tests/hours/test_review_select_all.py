"""The review queue's "Alle auf dieser Seite auswählen": the page offers it only to scripts (hidden
without one), and the bulk approval it feeds stays bounded however many ids arrive. The clicking
itself is tried in a browser: tests/browser/test_review_select_all.py."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, SUBMITTED, HoursEntry
from volunteers.hours.queries import QUEUE_LIMIT

NOW = time.berlin_local(datetime(2026, 11, 18, 10, 0))
frozen_clock = clock_frozen_at(NOW)


def submitted_entries(centre, volunteer, count: int) -> list[int]:
    entries = [
        HoursEntry(
            centre_id=centre.id,
            user_id=volunteer.id,
            work_date=date(2026, 11, 2 + n % 14),
            minutes=60,
            activity="sprachcafe",
            baustein="B",
            status=SUBMITTED,
        )
        for n in range(count)
    ]
    db.session.add_all(entries)
    db.session.commit()
    return [entry.id for entry in entries]


@pytest.fixture
def queue(make_centre, make_user):
    centre = make_centre()
    return centre, make_user("volunteer", centre)


def test_the_select_all_box_is_hidden_until_the_script_shows_it(client, login, queue):
    centre, volunteer = queue
    submitted_entries(centre, volunteer, 2)
    login("coordinator", centre)
    page = client.get(f"/centres/{centre.slug}/hours").get_data(as_text=True)
    box = page.split('class="field-check select-all"', 1)[1].split("</p>", 1)[0]
    assert box.startswith(" hidden>")
    assert 'data-select-all="input.hours-select"' in box
    assert '<label for="select-all-entries">Alle auf dieser Seite auswählen</label>' in box
    assert "js/select_all.js" in page
    assert page.count('class="hours-select"') == 2


def test_without_entries_to_review_there_is_no_select_all(client, login, queue):
    centre, _volunteer = queue
    login("coordinator", centre)
    assert "select-all" not in client.get(f"/centres/{centre.slug}/hours").get_data(as_text=True)


def test_a_full_page_of_ids_is_approved(client, login, queue):
    centre, volunteer = queue
    real = submitted_entries(centre, volunteer, 3)
    login("coordinator", centre)
    ids = real + list(range(10**6, 10**6 + QUEUE_LIMIT - 3))  # ids no row of this centre has
    response = post_form(client, f"/centres/{centre.slug}/hours/approve", {"entry_ids": [str(i) for i in ids]})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(HoursEntry.status == APPROVED)) == 3


@pytest.mark.parametrize("count", [QUEUE_LIMIT - 2, 40000])
def test_more_ids_than_a_page_shows_are_refused_and_change_nothing(client, login, queue, count):
    centre, volunteer = queue
    real = submitted_entries(centre, volunteer, 3)
    login("coordinator", centre)
    ids = real + list(range(10**6, 10**6 + count))
    response = post_form(
        client, f"/centres/{centre.slug}/hours/approve", {"entry_ids": [str(i) for i in ids]}, follow_redirects=True
    )
    assert response.status_code == 200
    assert f"Höchstens {QUEUE_LIMIT} Einträge auf einmal" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(HoursEntry.status == APPROVED)) == 0


def test_the_ids_of_another_centre_are_not_approved(client, login, queue, make_centre, make_user):
    centre, volunteer = queue
    other = make_centre()
    foreign = submitted_entries(other, make_user("volunteer", other), 2)
    login("coordinator", centre)
    post_form(client, f"/centres/{centre.slug}/hours/approve", {"entry_ids": [str(i) for i in foreign]})
    assert db.session.scalar(sa.select(sa.func.count()).where(HoursEntry.status == APPROVED)) == 0

"""The poster's check-in page without JavaScript: the form post counts at the time it arrives,
once per page load (its client id), and a malformed client id changes nothing. The clock stands
at Wednesday, 18 November 2026, 10:05 in Berlin."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import CheckinScan
from volunteers.hours.proposals import CheckInError, check_in_or_out
from volunteers.shifts.models import Signup
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 18, 10, 5))
CLIENT_ID_INPUT = re.compile(r'name="client_id" value="([^"]+)"')

frozen_clock = clock_frozen_at(NOW)


@pytest.fixture
def poster(client, login, make_shift, make_user):
    with time.freeze(NOW - timedelta(days=1)):
        shift = make_shift(starts=time.berlin_local(datetime(2026, 11, 18, 10)), hours=3)
        volunteer = make_user("volunteer", shift.centre)
        sign_up(shift=shift, volunteer=volunteer)
        db.session.commit()
    login(user=volunteer)
    return f"/checkin/{shift.meeting_point.checkin_code}", volunteer


def scans() -> list[CheckinScan]:
    db.session.rollback()
    return db.session.scalars(sa.select(CheckinScan)).all()


def test_the_form_sent_twice_from_one_page_counts_once(client, poster):
    url, volunteer = poster
    page = client.get(url).get_data(as_text=True)
    client_id = CLIENT_ID_INPUT.search(page).group(1)
    assert "data-offline-checkin" in page and "js/checkin.js" in page
    for _ in range(2):  # a double tap, or the browser's "send again?"
        answer = post_form(client, url, {"client_id": client_id}, follow_redirects=True).get_data(as_text=True)
        assert "Angekommen um 10:05" in answer
    [scan] = scans()
    assert (scan.user_id, scan.client_id, scan.direction, scan.scanned_at) == (volunteer.id, client_id, "in", NOW)
    assert CLIENT_ID_INPUT.search(client.get(url).get_data(as_text=True)).group(1) != client_id  # the next tap


def test_a_malformed_client_id_changes_nothing(client, poster):
    url, volunteer = poster
    answer = post_form(client, url, {"client_id": "<script>"}, follow_redirects=True).get_data(as_text=True)
    assert "„client_id“ muss aus 1 bis 64 Buchstaben" in answer
    assert scans() == []
    assert db.session.scalar(sa.select(Signup.checked_in_at).where(Signup.user_id == volunteer.id)) is None


def test_the_service_refuses_a_scan_outside_its_window_and_replays_a_seen_client_id(poster):
    url, volunteer = poster
    code = url.rsplit("/", 1)[1]
    with pytest.raises(CheckInError) as error:
        check_in_or_out(code=code, user=volunteer, at=NOW - timedelta(hours=12, seconds=1), client_id="a")
    assert error.value.code == "scan_too_old"
    result = check_in_or_out(code=code, user=volunteer, at=NOW - timedelta(hours=1), client_id="b")
    assert (result.direction, result.is_new) == ("in", True)
    again = check_in_or_out(code=code, user=volunteer, client_id="b")  # without a time: still the first answer
    assert (again.direction, again.scanned_at, again.is_new) == ("in", NOW - timedelta(hours=1), False)

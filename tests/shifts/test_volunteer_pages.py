"""A volunteer's pages: open shifts, one tap to sign up or cancel, my shifts."""

from datetime import datetime, timedelta

import pytest

from tests import helpers
from tests.helpers import clock_frozen_at, post_form
from volunteers.core import time
from volunteers.extensions import db

NOW = time.berlin_local(datetime(2026, 11, 2, 9, 0))


frozen_clock = clock_frozen_at(NOW)


def at(day: int, hour: int):
    return time.berlin_local(datetime(2026, 11, day, hour, 0))


@pytest.fixture
def setting(make_centre, make_meeting_point, make_shift, make_user):
    centre = make_centre("hsk")
    meschede = make_meeting_point(centre, name="Ankommenstreffpunkt Meschede", languages=["de", "uk"])
    winterberg = make_meeting_point(centre, name="Treffpunkt Winterberg")
    return {
        "centre": centre,
        "ukrainian": make_shift(meschede, starts=at(3, 15), languages=["uk"], capacity_max=1),
        "arabic": make_shift(winterberg, starts=at(5, 16), languages=["ar"]),
        "draft": make_shift(meschede, starts=at(6, 10), publish=False),
        "other_centre": make_shift(starts=at(4, 10)),
        "volunteer": make_user("volunteer", centre, name="Kateryna Bondar"),
    }


def test_open_shifts_show_only_published_ones_of_my_centres(client, login, setting):
    login(user=setting["volunteer"])
    page = client.get("/shifts").get_data(as_text=True)
    assert f'/shifts/{setting["ukrainian"].id}"' in page and f'/shifts/{setting["arabic"].id}"' in page
    assert f'/shifts/{setting["draft"].id}"' not in page
    assert f'/shifts/{setting["other_centre"].id}"' not in page
    assert client.get(f"/shifts/{setting['draft'].id}").status_code == 404
    assert client.get(f"/shifts/{setting['other_centre'].id}").status_code == 404


def test_filters_by_language_and_meeting_point(client, login, setting):
    login(user=setting["volunteer"])
    page = client.get("/shifts?language=uk").get_data(as_text=True)
    assert f'/shifts/{setting["ukrainian"].id}"' in page and f'/shifts/{setting["arabic"].id}"' not in page
    slug = setting["arabic"].meeting_point.slug
    page = client.get(f"/shifts?meeting_point={slug}").get_data(as_text=True)
    assert f'/shifts/{setting["arabic"].id}"' in page and f'/shifts/{setting["ukrainian"].id}"' not in page


def test_a_busy_list_comes_a_page_of_whole_days_at_a_time(client, login, setting, make_shift):
    """40 shifts at most per page, cut between days; the link goes on where the page ended,
    keeping the filters, and the next page shows each remaining shift once."""
    meschede = setting["ukrainian"].meeting_point
    busy = [
        make_shift(meschede, starts=at(day, hour), languages=["uk"]) for day in range(9, 16) for hour in range(8, 15)
    ]  # 7 days x 7 shifts, after the three of the setting
    login(user=setting["volunteer"])
    page = client.get(f"/shifts?meeting_point={meschede.slug}").get_data(as_text=True)
    shown = [shift for shift in busy if f'/shifts/{shift.id}"' in page]
    assert len(shown) == 35 and shown == busy[:35]  # 9th to 13th: the 14th would pass 40
    assert f"from=2026-11-14&amp;meeting_point={meschede.slug}" in page
    assert "Weitere Schichten ab Sa., 14. November" in page
    rest = client.get(f"/shifts?from=2026-11-14&meeting_point={meschede.slug}").get_data(as_text=True)
    assert [shift for shift in busy if f'/shifts/{shift.id}"' in rest] == busy[35:]
    assert "Weitere Schichten" not in rest


def test_one_day_with_more_shifts_than_a_page_is_shown_whole(client, login, setting, make_shift):
    meschede = setting["ukrainian"].meeting_point
    crowded = [make_shift(meschede, starts=at(10, 8) + timedelta(minutes=10 * n), hours=0.1) for n in range(45)]
    login(user=setting["volunteer"])
    page = client.get("/shifts?from=2026-11-10").get_data(as_text=True)
    assert all(f'/shifts/{shift.id}"' in page for shift in crowded)
    assert "from=2026-11-11" in page


def test_one_tap_sign_up_then_waitlist_then_cancel(app, client, login, setting, make_user):
    shift = setting["ukrainian"]
    login(user=setting["volunteer"])
    response = post_form(client, f"/shifts/{shift.id}/signup", {"next": "/shifts"}, follow_redirects=True)
    assert "Sie sind eingetragen. Danke!" in response.get_data(as_text=True)
    db.session.refresh(shift)
    assert shift.confirmed_count == 1

    other = app.test_client()
    helpers.login(other, make_user("volunteer", setting["centre"]))
    response = post_form(other, f"/shifts/{shift.id}/signup", follow_redirects=True)
    assert "Warteliste" in response.get_data(as_text=True)

    mine = client.get("/my/shifts").get_data(as_text=True)
    assert "Ankommenstreffpunkt Meschede" in mine and "bestätigt" in mine
    response = post_form(client, f"/shifts/{shift.id}/cancel", follow_redirects=True)
    assert "Sie sind ausgetragen." in response.get_data(as_text=True)
    # The waitlisted volunteer moved up.
    assert "bestätigt" in other.get("/my/shifts").get_data(as_text=True)


def test_cancellation_after_the_cut_off_is_noted(client, login, setting):
    shift = setting["arabic"]
    login(user=setting["volunteer"])
    post_form(client, f"/shifts/{shift.id}/signup")
    with time.freeze(shift.starts_at - timedelta(hours=3)):
        response = post_form(client, f"/shifts/{shift.id}/cancel", follow_redirects=True)
    assert "kurzfristig" in response.get_data(as_text=True)


def test_certificate_requirement_explains_itself(client, login, setting, make_shift):
    shift = make_shift(setting["ukrainian"].meeting_point, starts=at(7, 10), requires_police_certificate=True)
    login(user=setting["volunteer"])
    response = post_form(client, f"/shifts/{shift.id}/signup", follow_redirects=True)
    assert "erweitertes Führungszeugnis nötig" in response.get_data(as_text=True)
    db.session.refresh(shift)
    assert shift.confirmed_count == 0


def test_past_shifts_appear_under_past(client, login, setting):
    shift = setting["ukrainian"]
    login(user=setting["volunteer"])
    post_form(client, f"/shifts/{shift.id}/signup")
    with time.freeze(shift.ends_at + timedelta(days=1)):
        page = client.get("/my/shifts").get_data(as_text=True)
    upcoming, past = page.split("Vergangene Schichten")
    assert "Ankommenstreffpunkt Meschede" in past and "Ankommenstreffpunkt Meschede" not in upcoming

"""The message after making a calendar link mentions an earlier link only when there was one."""

import pytest

from tests.helpers import post_form
from volunteers.extensions import db
from volunteers.feeds.models import CENTRE, PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token

OLD_LINK_GONE = "Ein früherer Link funktioniert nicht mehr."
READY = "Ihr Kalender-Link ist bereit."


def create_link(client, url: str) -> str:
    return post_form(client, url, {"action": "create"}, follow_redirects=True).get_data(as_text=True)


@pytest.fixture
def personal(client, login):
    volunteer = login("volunteer")
    return volunteer, "/calendar/personal", {"kind": PERSONAL, "user_id": volunteer.id}


@pytest.fixture
def centre_plan(client, login, make_centre):
    centre = make_centre()
    coordinator = login("coordinator", centre)
    return (
        coordinator,
        f"/centres/{centre.slug}/calendar",
        {"kind": CENTRE, "user_id": coordinator.id, "centre_id": centre.id},
    )


@pytest.fixture(params=["personal", "centre_plan"])
def feed(request):
    return request.getfixturevalue(request.param)


def test_first_link_says_nothing_about_an_earlier_one(client, feed):
    _, url, token = feed
    page = create_link(client, url)
    assert READY in page
    assert OLD_LINK_GONE not in page
    assert feed_token(**token) is not None


def test_new_link_warns_that_the_earlier_one_stopped(client, feed):
    _, url, token = feed
    regenerate_token(**token)
    db.session.commit()
    old = feed_token(**token)
    page = create_link(client, url)
    assert OLD_LINK_GONE in page
    assert feed_token(**token) != old


def test_after_revoking_the_next_link_is_a_first_one_again(client, feed):
    _, url, token = feed
    regenerate_token(**token)
    db.session.commit()
    post_form(client, url, {"action": "revoke"})
    page = create_link(client, url)
    assert READY in page
    assert OLD_LINK_GONE not in page

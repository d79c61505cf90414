"""The settings page: the profile form holds profile and privacy things (the first name for
co-volunteers, off by default), one "Erinnerungen" form holds everything about being reminded,
and the device panel gets what its script needs to say where the person stands."""

import hashlib
import re

import sqlalchemy as sa

from tests.helpers import csrf_token
from tests.push.push_service import Browser
from volunteers.accounts.models import User
from volunteers.extensions import db
from volunteers.push import services as push_services


def section(page: str, heading_id: str) -> str:
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_one_reminders_form_with_one_save_and_the_profile_without_it(client, login):
    login("volunteer")
    page = client.get("/settings").get_data(as_text=True)
    reminders = section(page, "notify-heading")
    assert '<h2 id="notify-heading">Erinnerungen</h2>' in reminders
    assert reminders.count("<form") == 1 and reminders.count('type="submit"') == 1
    for name in ("reminder_minutes", "quiet_start_hour", "quiet_end_hour", "notify_channel", "calendar_alarm_minutes"):
        assert f'name="notify-{name}"' in reminders
    profile = section(page, "profile-heading")
    assert "calendar_alarm_minutes" not in profile and "reminder_minutes" not in profile
    assert "Anderen Ehrenamtlichen meiner Schichten meinen Vornamen zeigen" in profile


def test_showing_the_first_name_is_off_until_the_person_ticks_it(client, login):
    volunteer = login("volunteer")
    assert volunteer.shows_first_name is False
    assert 'name="shows_first_name" type="checkbox" value="y">' in client.get("/settings").get_data(as_text=True)
    profile = {"csrf_token": csrf_token(client), "name": volunteer.name, "locale": "de"}
    assert client.post("/settings", data={**profile, "shows_first_name": "y"}).status_code == 302
    assert db.session.scalar(sa.select(User.shows_first_name).where(User.id == volunteer.id)) is True
    assert client.post("/settings", data=profile).status_code == 302
    assert db.session.scalar(sa.select(User.shows_first_name).where(User.id == volunteer.id)) is False


def test_the_panel_knows_the_digests_of_the_persons_devices_only(app, client, login, make_user):
    app.config["PUSH_ALLOW_LOOPBACK"] = True  # no name resolves on this machine
    volunteer, other = login("volunteer"), make_user()
    mine, theirs = "http://127.0.0.1:9/wpush/mine", "http://127.0.0.1:9/wpush/theirs"
    for user, endpoint in ((volunteer, mine), (other, theirs)):
        keys = Browser("fake", endpoint)
        push_services.subscribe_device(user=user, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth)
    db.session.commit()
    page = client.get("/settings").get_data(as_text=True)
    digests = re.search(r"data-push-devices='([^']*)'", page).group(1)
    assert digests == f'["{hashlib.sha256(mine.encode()).hexdigest()}"]'
    assert mine not in page and theirs not in page  # the endpoints are secrets of their push services


def test_every_state_has_its_own_text_and_no_arrow_inside_a_text(client, login):
    login("volunteer")
    panel = client.get("/settings").get_data(as_text=True).split("data-push-panel", 1)[1].split("</div>", 1)[0]
    for state in ("on", "off", "none", "denied", "unsupported", "ios", "test-sent", "test-expired", "test-refused"):
        assert f"data-msg-{state}=" in panel
    assert "→" not in panel
    assert panel.count("<li>") == 3  # the home-screen steps, one sentence each


def test_saving_the_reminders_with_a_broken_value_shows_the_page_with_the_error(client, login):
    login("volunteer")
    data = {"notify-csrf_token": csrf_token(client), "notify-quiet_start_hour": "x", "notify-quiet_end_hour": "7"}
    response = client.post("/settings/notifications", data={**data, "notify-notify_channel": "push"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in section(response.get_data(as_text=True), "notify-heading")


def test_a_profile_sent_back_with_errors_keeps_the_reminders_as_they_are(client, login):
    login("volunteer")
    response = client.post("/settings", data={"csrf_token": csrf_token(client), "name": "", "locale": "de"})
    assert response.status_code == 422
    reminders = section(response.get_data(as_text=True), "notify-heading")
    assert re.search(r'checked[^>]*value="1440"|value="1440"[^>]*checked', reminders)

"""The pages through HTTP, without JavaScript: "Wann ich helfen kann" with its fixed rows, the
ranked list with "Anfragen" on the coordinator's shift page, and the volunteer's invitation page
with "Zusagen" / "Absagen". The shift lies on the day after the test's day (tests/clock.py)."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import post_form
from volunteers.availability.models import Invitation, WeeklyWindow
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.models import Signup


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift, today):
    centre = make_centre("duesseldorf")
    tomorrow_at_four = datetime.combine(today + timedelta(days=1), datetime.min.time()).replace(hour=16)
    shift = make_shift(make_meeting_point(centre), starts=time.berlin_local(tomorrow_at_four), languages=["ar"])
    amal = make_user("volunteer", centre, name="Amal Haddad")
    amal.languages = ["ar"]
    db.session.commit()
    return {"centre": centre, "shift": shift, "amal": amal, "coordinator": make_user("coordinator", centre)}


def test_the_availability_page_saves_windows_and_absences(client, world, today):
    away_from, away_to = (today + timedelta(days=d) for d in (30, 44))
    helpers.login(client, world["amal"])
    page = client.get("/availability").get_data(as_text=True)
    assert 'name="window-6-weekday"' in page and 'for="absence-2-to"' in page
    answer = post_form(
        client,
        "/availability",
        {
            "window-0-weekday": "4",
            "window-0-from": "15:00",
            "window-0-to": "00:00",
            "window-1-weekday": "",
            "absence-0-from": away_from.isoformat(),
            "absence-0-to": away_to.isoformat(),
        },
    )
    assert answer.status_code == 302
    [window] = db.session.scalars(sa.select(WeeklyWindow)).all()
    assert (window.weekday, window.starts, window.ends) == (4, 900, 1440)  # "bis 00:00": until midnight
    page = client.get("/availability").get_data(as_text=True)
    assert 'value="15:00"' in page and f'value="{away_to.isoformat()}"' in page
    refused = post_form(
        client, "/availability", {"window-0-weekday": "4", "window-0-from": "18:00", "window-0-to": "17:00"}
    )
    assert refused.status_code == 422 and "nach „von“" in refused.get_data(as_text=True)
    assert 'id="window-0-from" name="window-0-from" value="18:00" aria-invalid="true"' in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WeeklyWindow)) == 1  # nothing changed
    assert "/availability" in client.get("/settings").get_data(as_text=True)


def test_the_coordinator_asks_from_the_shift_page_and_the_volunteer_accepts(client, app, world):
    shift, amal = world["shift"], world["amal"]
    helpers.login(client, world["coordinator"])
    detail = f"/centres/duesseldorf/shifts/{shift.id}"
    page = client.get(detail).get_data(as_text=True)
    assert "Wer könnte einspringen?" in page and "Amal Haddad" in page and "Spricht Arabisch" in page
    answer = post_form(client, f"{detail}/invitations", {"volunteer_id": str(amal.id)})
    assert answer.status_code == 302
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert "Angefragt" in client.get(detail).get_data(as_text=True)
    assert post_form(client, f"{detail}/invitations", {"volunteer_id": "x' or 1=1"}).status_code == 302

    volunteer_client = app.test_client()
    helpers.login(volunteer_client, amal)
    page = volunteer_client.get(f"/invitations/{invitation.id}").get_data(as_text=True)
    assert "Zusagen" in page and "Absagen" in page
    assert post_form(volunteer_client, f"/invitations/{invitation.id}/accept").status_code == 302
    assert db.session.scalars(sa.select(Signup.status).where(Signup.user_id == amal.id)).one() == "confirmed"
    page = volunteer_client.get(f"/invitations/{invitation.id}").get_data(as_text=True)
    assert "zugesagt" in page and "Zusagen</button>" not in page


def test_someone_elses_invitation_and_shift_are_not_found(client, world, make_user, make_centre):
    from volunteers.availability.invitations import invite

    invitation = invite(shift=world["shift"], volunteer=world["amal"], by=world["coordinator"])
    db.session.commit()
    helpers.login(client, make_user("volunteer", world["centre"]))
    assert client.get(f"/invitations/{invitation.id}").status_code == 404
    assert post_form(client, f"/invitations/{invitation.id}/decline").status_code == 404
    helpers.login(client, make_user("coordinator", make_centre("duisburg")))
    answer = post_form(
        client, f"/centres/duesseldorf/shifts/{world['shift'].id}/invitations", {"volunteer_id": str(world["amal"].id)}
    )
    assert answer.status_code == 404
    assert db.session.scalar(sa.select(Invitation.status)) == "open"

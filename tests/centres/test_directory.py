"""The volunteer directory: search, filters (each and combined), the CSV export and its audit, and
nothing of it from another centre's side."""

import csv
import io
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
import sqlalchemy as sa

from tests import helpers
from tests.helpers import clock_frozen_at
from volunteers.accounts.models import Membership
from volunteers.audit.models import AuditEvent
from volunteers.core import time
from volunteers.extensions import db
from volunteers.hours.models import APPROVED, REJECTED, SUBMITTED, HoursEntry
from volunteers.shifts.signups import sign_up

NOW = time.berlin_local(datetime(2026, 11, 18, 10, 0))
frozen_clock = clock_frozen_at(NOW)
TODAY = date(2026, 11, 18)
INJECTION = '=HYPERLINK("http://evil.example")'


def _membership(user, centre):
    return db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.centre_id == centre.id)
    )


def _hours(user, centre, *, day, minutes, activity="sprachcafe", status=APPROVED):
    db.session.add(
        HoursEntry(
            centre_id=centre.id,
            user_id=user.id,
            work_date=day,
            minutes=minutes,
            activity=activity,
            baustein="B",
            status=status,
        )
    )


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift):
    centre, other = make_centre(), make_centre()
    people = {
        "anna": make_user("volunteer", centre, name="Anna Müller"),
        "bernd": make_user("volunteer", centre, name="Bernd Öztürk"),
        "carla": make_user("volunteer", centre, name="Carla Schmidt"),
        "evil": make_user("volunteer", centre, name=INJECTION),
        "stranger": make_user("volunteer", other, name="Anna Fremd"),
    }
    people["anna"].languages, people["anna"].phone, people["anna"].shares_phone = ["ar", "de"], "+49 170 1111", True
    people["bernd"].languages, people["bernd"].phone = ["uk"], "0170 2222"  # not shared
    people["evil"].languages = ["ar"]
    _membership(people["anna"], centre).certificate_verified_on = date(2024, 5, 2)  # valid for years
    _membership(people["bernd"], centre).certificate_verified_on = date(2021, 12, 20)  # expires 20.12.2026
    _membership(people["evil"], centre).certificate_verified_on = date(2021, 6, 1)  # expired
    # Anna: a Sprachcafé a month ago (active) and 90 approved minutes this year.
    point = make_meeting_point(centre)
    with time.freeze(NOW - timedelta(days=40)):
        past = make_shift(point, starts=NOW - timedelta(days=30), activity="sprachcafe")
        sign_up(shift=past, volunteer=people["anna"])
    _hours(people["anna"], centre, day=TODAY - timedelta(days=30), minutes=90)
    _hours(people["anna"], centre, day=date(2025, 12, 1), minutes=600)  # last year: not in this year's sum
    # Carla: sport hours eight months ago (inactive), still waiting; Bernd: only rejected hours.
    _hours(
        people["carla"], centre, day=TODAY - timedelta(days=240), minutes=120, activity="sport-verein", status=SUBMITTED
    )
    _hours(people["bernd"], centre, day=TODAY - timedelta(days=3), minutes=60, status=REJECTED)
    # Evil: an upcoming shift counts as active.
    upcoming = make_shift(point, starts=NOW + timedelta(days=2), activity="dolmetschen")
    sign_up(shift=upcoming, volunteer=people["evil"])
    # The other centre's volunteer has everything Anna has: none of it may show.
    stranger_point = make_meeting_point(other)
    stranger_shift = make_shift(stranger_point, starts=NOW + timedelta(days=2), activity="sprachcafe")
    sign_up(shift=stranger_shift, volunteer=people["stranger"])
    people["stranger"].languages = ["ar", "uk"]
    db.session.commit()
    return centre, other, people


def _names(client, centre, query=""):
    response = client.get(f"/centres/{centre.slug}/volunteers{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = ("Anna Müller", "Bernd Öztürk", "Carla Schmidt", "HYPERLINK", "Anna Fremd")
    return {name for name in names if name in body}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Anna Müller", "Bernd Öztürk", "Carla Schmidt", "HYPERLINK"}),
        ("?q=anna", {"Anna Müller"}),
        ("?q=M%C3%9CLL", {"Anna Müller"}),  # MÜLL: case-insensitive beyond ASCII
        ("?q=%C3%B6zt", {"Bernd Öztürk"}),
        ("?language=ar", {"Anna Müller", "HYPERLINK"}),
        ("?language=uk", {"Bernd Öztürk"}),
        ("?certificate=valid", {"Anna Müller"}),
        ("?certificate=expiring", {"Bernd Öztürk"}),
        ("?certificate=missing", {"Carla Schmidt", "HYPERLINK"}),
        ("?activity=sprachcafe", {"Anna Müller"}),  # Bernd's rejected Sprachcafé hours do not count
        ("?activity=sport-verein", {"Carla Schmidt"}),
        ("?activity=dolmetschen", {"HYPERLINK"}),
        ("?state=active", {"Anna Müller", "HYPERLINK"}),
        ("?state=inactive", {"Bernd Öztürk", "Carla Schmidt"}),
        ("?language=ar&state=active&certificate=missing", {"HYPERLINK"}),
        ("?language=ar&certificate=valid&activity=sprachcafe&q=m%C3%BCller", {"Anna Müller"}),
        ("?language=uk&state=active", set()),
    ],
)
def test_each_filter_and_their_combinations(client, login, world, query, expected):
    centre, _other, _people = world
    login("coordinator", centre)
    assert _names(client, centre, query) == expected


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?certificate=forged", 200),
        ("?state=sleeping&language=xx", 200),
        ("?activity=" + "a" * 500, 200),
        ("?q=" + "x" * 101, 200),
        ("?language[]=ar&state=", 200),
        ("?q=%00%ff&language=%00", 400),  # not text at all: refused before the view (core/intake.py)
    ],
)
def test_bad_parameters_are_left_out_with_a_message_never_a_server_error(client, login, world, query, status):
    centre, _other, _people = world
    login("coordinator", centre)
    page = client.get(f"/centres/{centre.slug}/volunteers{query}")
    download = _download(client, centre, dict(parse_qsl(query[1:], keep_blank_values=True)))
    for response in (page, download):
        assert response.status_code == status
        if status == 200:
            assert "Anna Müller" in response.get_data(as_text=True)


def test_an_unknown_filter_and_a_too_long_search_are_named(client, login, world):
    centre, _other, _people = world
    login("coordinator", centre)
    page = client.get(f"/centres/{centre.slug}/volunteers?certificate=forged&q={'x' * 101}").get_data(as_text=True)
    assert "Der Filter „forged“ ist unbekannt und wurde nicht angewandt." in page
    assert "Der Suchbegriff ist zu lang (höchstens 100 Zeichen)." in page


def test_the_other_centres_volunteers_never_show(client, login, world):
    centre, _other, _people = world
    login("coordinator", centre)
    assert "Anna Fremd" not in client.get(f"/centres/{centre.slug}/volunteers?q=anna").get_data(as_text=True)


def _download(client, centre, data=None):
    return helpers.post_form(client, f"/centres/{centre.slug}/volunteers.csv", data or {})


@pytest.mark.parametrize("data", [None, {}, {"q": "anna"}])
def test_another_centres_coordinator_or_a_volunteer_gets_not_found(app, client, login, world, data):
    centre, other, people = world
    login("coordinator", other)
    volunteer = app.test_client()
    helpers.login(volunteer, people["anna"])
    for someone in (client, volunteer):
        if data is None:
            assert someone.get(f"/centres/{centre.slug}/volunteers").status_code == 404
        else:
            assert _download(someone, centre, data).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def _csv_rows(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_is_only_downloaded_by_post_with_a_csrf_token(client, login, world):
    centre, _other, _people = world
    login("coordinator", centre)
    assert client.get(f"/centres/{centre.slug}/volunteers.csv").status_code == 405
    assert client.post(f"/centres/{centre.slug}/volunteers.csv", data={}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_the_csv_holds_the_filtered_list_with_shared_phones_only(client, login, world):
    centre, _other, people = world
    login("lead", centre)
    response = _download(client, centre, {"language": "ar"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="ehrenamtliche-{centre.slug}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv_rows(response)
    assert rows[0] == [
        "Name",
        "E-Mail",
        "Telefon",
        "Sprachen",
        "Führungszeugnis geprüft am",
        "Letzte Schicht",
        "Stunden in diesem Jahr",
    ]
    anna = next(row for row in rows if row[0] == "Anna Müller")
    assert anna == [
        "Anna Müller",
        people["anna"].email,
        "'+49 170 1111",  # shared; a leading + would be read as a formula
        "Arabisch, Deutsch",
        "02.05.2024",
        "19.10.2026",
        "1,50",
    ]
    assert len(rows) == 3  # header, Anna and the injection: Arabic speakers only


def test_the_csv_defuses_formulas_and_hides_unshared_phones(client, login, world):
    centre, _other, people = world
    login("coordinator", centre)
    rows = _csv_rows(_download(client, centre))
    assert "'" + INJECTION in [row[0] for row in rows]
    assert not any(cell[:1] in "=+-@" for row in rows[1:] for cell in row[:6] if cell)
    bernd = next(row for row in rows if row[0] == "Bernd Öztürk")
    assert bernd[2] == "" and "2222" not in str(rows)
    assert bernd[6] == "0,00"  # rejected hours are no hours


def test_each_csv_download_is_audited_with_its_filter(client, login, world):
    centre, _other, _people = world
    coordinator = login("coordinator", centre)
    assert _download(client, centre, {"state": "active", "certificate": "forged"}).status_code == 200
    event = db.session.scalar(sa.select(AuditEvent))
    assert (event.centre_id, event.actor_id, event.entity, event.action) == (
        centre.id,
        coordinator.id,
        "centre",
        "volunteers_exported",
    )
    assert event.after == {"filter": {"state": "active"}, "rows": 2}

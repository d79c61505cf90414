"""DSGVO: the export holds everything stored about the person (Art. 15/20), and deleting the account
(Art. 17) leaves nothing personal anywhere: not in any row, not in the SQLite file or its
write-ahead log, not in the instance folder's mail outbox. Checked by searching the raw bytes of
every file (SQLite) and every text column of every table (PostgreSQL) for the person's name,
address and phone number, after a real deletion through the API."""

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import IsolatedClient, config_for_tests
from tests.helpers import PASSWORD, login
from volunteers import create_app
from volunteers.accounts import services as accounts
from volunteers.centres import services as centres
from volunteers.core import time
from volunteers.core.mail import send_mail
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours, reject
from volunteers.mail.services import queue_mail
from volunteers.push.services import queue_notification, subscribe_device
from volunteers.shifts.planning import ShiftValues, create_shift
from volunteers.shifts.signups import sign_up

NAME, EMAIL, PHONE = "Zofia Quandt-Wiśniewska", "zofia.quandt@example.org", "+49 171 5550199"
NEIGHBOUR_EMAIL = "olena.kowalenko@example.org"
NOTE = "Zofias Begleitung zum Ausländeramt"
# A real P-256 point and auth secret, as a browser sends them.
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def person_and_neighbour(client) -> SimpleNamespace:
    """A volunteer with everything Treffpunkt can store about a person, and a neighbour who stays."""
    client.application.config["PUSH_ALLOW_LOOPBACK"] = True  # a device on a local push service
    centre = centres.create_centre(
        name="Kommunales Integrationszentrum Duisburg",
        district="Duisburg",
        regierungsbezirk="Düsseldorf",
        slug="duisburg",
    )
    place = centres.create_meeting_point(
        centre=centre,
        name="Flachsmarkt",
        municipality="Duisburg",
        street="Flachsmarkt 15",
        postcode="47051",
        city="Duisburg",
    )
    person = accounts.create_user(email=EMAIL, name=NAME, password=PASSWORD, role="volunteer", centre=centre)
    neighbour = accounts.create_user(
        email=NEIGHBOUR_EMAIL, name="Olena Kowalenko", password=PASSWORD, role="volunteer", centre=centre
    )
    coordinator = accounts.create_user(
        email="koordination@duisburg.example",
        name="Käthe Brüggemann",
        password=PASSWORD,
        role="coordinator",
        centre=centre,
    )
    person.phone, person.shares_phone, person.languages, person.locale = PHONE, True, ["de", "pl"], "de"
    person.consent_version, person.consent_at, person.last_login_at = "2026-01", time.now(), time.now()
    person.reminder_minutes, person.quiet_start_hour, person.notify_channel = [60], 21, "both"
    starts = time.now() + timedelta(days=3)
    shift = create_shift(
        centre=centre,
        values=ShiftValues(meeting_point=place, activity="sprachcafe", capacity_min=1, capacity_max=3),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        publish=True,
    )
    past = create_shift(
        centre=centre,
        values=ShiftValues(meeting_point=place, activity="sprachcafe", capacity_min=1, capacity_max=3),
        starts_at=time.now() - timedelta(days=3),
        ends_at=time.now() - timedelta(days=3) + timedelta(hours=2),
        publish=True,
    )
    sign_up(shift=shift, volunteer=person)
    sign_up(shift=shift, volunteer=neighbour)
    day = time.to_berlin(time.now()).date() - timedelta(days=3)
    entry, _new = log_hours(
        centre=centre,
        person=person,
        values=HoursInput(work_date=day, minutes=120, activity="sprachcafe", note=NOTE, meeting_point=place),
    )
    entry.shift_id = past.id  # as the hours proposed after a shift are linked to it
    approve(entry=entry, by=coordinator)
    rejected, _new = log_hours(
        centre=centre, person=person, values=HoursInput(work_date=day, minutes=30, activity="sport-verein")
    )
    reject(entry=rejected, by=coordinator, reason="Doppelt")
    log_hours(centre=centre, person=neighbour, values=HoursInput(work_date=day, minutes=45, activity="sprachcafe"))
    queue_notification(
        user=person, kind="reminder", title=f"Hallo {NAME}", body=f"Ihre Schicht, {PHONE}", url=f"/shifts/{shift.id}"
    )
    subscribe_device(
        user=person,
        endpoint="http://127.0.0.1:9/push/zofia",
        p256dh=P256DH,
        auth=AUTH,
        user_agent="Zofias Handy",
    )
    db.session.commit()
    for to in (EMAIL, NEIGHBOUR_EMAIL):
        queue_mail(to=to, subject="Treffpunkt: Passwort", body=f"Hallo, Ihr Link für {to}")  # not yet sent
    db.session.commit()
    for to in (EMAIL, NEIGHBOUR_EMAIL):  # as the outbox of a development instance keeps them
        send_mail(to=to, subject="Treffpunkt: Passwort", body=f"Hallo, Ihr Link für {to}")
    token = client.post(
        "/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD, "label": "Zofias Telefon"}
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    feed = client.post("/api/v1/me/calendar-feed", headers=bearer)
    assert feed.status_code == 201
    return SimpleNamespace(
        person=person, neighbour=neighbour, bearer=bearer, token=token, feed_url=feed.get_json()["url"], entry=entry
    )


def delete_through_the_api(client, world) -> None:
    response = client.delete("/api/v1/me", headers=world.bearer, json={"password": PASSWORD})
    assert response.status_code == 204


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


# --- the export --------------------------------------------------------------------------------


def test_the_export_holds_everything_stored_about_the_person(app, client):
    world = person_and_neighbour(client)
    other_device = app.test_client()
    login(other_device, EMAIL)  # a login: the last-login time
    response = client.get("/api/v1/me/export", headers=world.bearer)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["profile"]["name"], data["profile"]["phone"], data["profile"]["consent_version"]) == (
        NAME,
        PHONE,
        "2026-01",
    )
    assert data["notification_settings"] == {
        "channel": "both",
        "reminder_minutes": [60],
        "quiet_start_hour": 21,
        "quiet_end_hour": 7,
    }
    assert ("reminder", f"Hallo {NAME}") in [(n["kind"], n["title"]) for n in data["notifications"]]
    assert [t["label"] for t in data["api_tokens"]] == ["Zofias Telefon"]
    assert data["api_tokens"][0]["created_at"] and "last_used_at" in data["api_tokens"][0]
    assert [(f["kind"], f["centre"]) for f in data["calendar_feeds"]] == [("user", None)]
    approved = next(h for h in data["hours"] if h["status"] == "approved")
    assert (approved["shift_id"], approved["meeting_point_name"], approved["centre"]) == (
        world.entry.shift_id,
        "Flachsmarkt",
        "duisburg",
    )
    actions = sorted((e["hours_entry_id"], e["action"], e["by_me"]) for e in data["audit_events"])
    ids = (world.entry.id, world.entry.id + 1)
    assert actions == [
        (ids[0], "approved", False),
        (ids[0], "created", True),
        (ids[1], "created", True),
        (ids[1], "rejected", False),
    ]
    assert any(e["reason"] == "Doppelt" for e in data["audit_events"])
    assert [d["user_agent"] for d in data["devices"]] == ["Zofias Handy"]
    text = json.dumps(data, ensure_ascii=False)
    secrets = [world.token, urlsplit(world.feed_url).path.rsplit("/", 1)[1].removesuffix(".ics")]
    secrets += list(db.session.scalars(sa.text("SELECT token_hash FROM api_tokens")))
    secrets += list(db.session.scalars(sa.text("SELECT nonce FROM calendar_tokens")))
    secrets += list(db.session.scalars(sa.text("SELECT token_hash FROM calendar_tokens")))
    for secret in secrets:
        assert secret not in text
    assert NEIGHBOUR_EMAIL not in text and "Olena" not in text


# --- deletion on SQLite: the bytes of every file -------------------------------------------------


@pytest.fixture
def own_sqlite_app(tmp_path):
    """An app on a database file of its own, so that no other test's rows lie in its pages."""
    folder = tmp_path / "instance"
    folder.mkdir()
    app = create_app(config_for_tests(f"sqlite:///{folder / 'treffpunkt.sqlite'}", folder))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app, folder
        db.session.remove()
        db.engine.dispose()


def every_file(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def test_deletion_leaves_nothing_in_the_sqlite_files_or_the_instance_folder(own_sqlite_app):
    app, folder = own_sqlite_app
    client = app.test_client()
    world = person_and_neighbour(client)
    before = every_file(folder)
    for value in (NAME, EMAIL, PHONE, NOTE):
        assert value.encode() in before, value  # the search can find them (not vacuous)
    assert (folder / "treffpunkt.sqlite-wal").exists()

    delete_through_the_api(client, world)

    found = every_file(folder)  # the database, its -wal and -shm files, the mail outbox
    for value in (NAME, EMAIL, PHONE, NOTE, "Zofias"):
        for encoded in encodings(value):
            assert encoded not in found, (value, encoded)
    assert NEIGHBOUR_EMAIL.encode() in found  # the neighbour, their mail and rows stay
    assert [p.read_bytes().count(NEIGHBOUR_EMAIL.encode()) > 0 for p in (folder / "mail").glob("*.eml")] == [True]
    with app.test_request_context():
        pragma = db.session.execute(sa.text("PRAGMA secure_delete")).scalar()
    assert pragma == 1


def test_the_cli_pseudonymising_inactive_accounts_erases_the_copies_too(own_sqlite_app):
    app, folder = own_sqlite_app
    world = person_and_neighbour(app.test_client())
    db.session.execute(sa.update(db.metadata.tables["users"]).values(last_login_at=None))
    db.session.commit()
    with time.travel(time.now() + timedelta(days=3 * 365)):
        result = app.test_cli_runner().invoke(args=["privacy", "pseudonymise-inactive", "--yes"])
    assert result.exit_code == 0, result.output
    assert world.person.id  # the rows stay, pseudonymised
    found = every_file(folder)
    for value in (NAME, EMAIL, PHONE):
        assert value.encode() not in found, value


# --- deletion on PostgreSQL: every text column of every table ------------------------------------


def text_columns() -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
        )
    )
    return [(table, column) for table, column in rows]


def rows_holding(value: str) -> list[tuple[str, str]]:
    holding = []
    for table, column in text_columns():
        count = db.session.execute(
            sa.text(f'SELECT count(*) FROM "{table}" WHERE strpos(lower("{column}"::text), lower(:value)) > 0'),
            {"value": value},
        ).scalar()
        if count:
            holding.append((table, column))
    return holding


@pytest.mark.database("postgresql")
def test_deletion_leaves_nothing_in_any_text_column_on_postgresql(app, client):
    world = person_and_neighbour(client)
    assert ("users", "email") in rows_holding(EMAIL)  # the search finds what is there
    assert ("notifications", "title") in rows_holding(NAME)

    delete_through_the_api(client, world)

    db.session.commit()
    for value in (NAME, EMAIL, PHONE, NOTE, "Zofias"):
        assert rows_holding(value) == [], value
    assert ("users", "email") in rows_holding(NEIGHBOUR_EMAIL)
    mails = list(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert [EMAIL.encode() in mail.read_bytes() for mail in mails] == [False]

"""Benchmark data for the calendar feeds, made through the app's own migrations and services.

    python bench/feeds/make_data.py /tmp/feeds.sqlite           # a fresh SQLite file, paths in /tmp/feeds.json
    DATABASE_URL=postgresql+psycopg://… python bench/feeds/make_data.py --out feeds.json   # an empty database

One centre with one meeting point that has a published shift every day for a year (from
tomorrow, 16–18 h Berlin); a volunteer signed up to 150 of them (every other day); a few other
volunteers so that the coordinators' feed names people; a coordinator. SECRET_KEY (environment)
must be the one the server runs with, since feed tokens are derived from it. TREFFPUNKT_ROOT
(environment) names the project tree to use if not this one."""

import argparse
import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

# The app to measure: this checkout, or another tree of it (run.py --app-root) named by TREFFPUNKT_ROOT.
sys.path.insert(0, os.environ.get("TREFFPUNKT_ROOT") or str(Path(__file__).resolve().parents[2]))

import flask_migrate
import sqlalchemy as sa

from volunteers import create_app
from volunteers.accounts import services as accounts
from volunteers.centres import services as centres
from volunteers.centres.models import Centre
from volunteers.core import time
from volunteers.core.database import begin_write
from volunteers.extensions import db
from volunteers.feeds.models import CENTRE, PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token
from volunteers.shifts.planning import ShiftValues, create_shift
from volunteers.shifts.signups import sign_up

DAYS = 366
PERSONAL_SIGNUPS = 150
OTHER_VOLUNTEERS = 4  # each on every fourth shift: about one more name per shift in the centre feed
CENTRE_SLUG = "bench-feeds"


def app_config(sqlite_path: Path | None) -> dict:
    config = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SERVER_NAME": None}
    if sqlite_path is not None:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{sqlite_path}"
    return config


def fresh_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)


def make_place():
    centre = centres.create_centre(
        name="Kommunales Integrationszentrum Benchmark",
        district="Kreis Benchmark",
        regierungsbezirk="Arnsberg",
        slug=CENTRE_SLUG,
        street="Marktplatz 1",
        postcode="57072",
        city="Siegen",
    )
    meeting_point = centres.create_meeting_point(
        centre=centre,
        name="Ankommenstreffpunkt Bahnhof",
        municipality="Siegen",
        street="Bahnhofstraße 12",
        postcode="57072",
        city="Siegen",
        latitude=50.8756,
        longitude=8.0167,
        languages=["de", "ar", "uk"],
        opening_notes="Eingang neben der Bäckerei, bitte klingeln.",
    )
    return centre, meeting_point


def make_people(centre):
    def person(role, n):
        return accounts.create_user(
            email=f"{role}{n}@bench.example",
            name=f"{role.title()} {n}",
            password="bench-password",
            role=role,
            centre=centre,
        )

    volunteer = person("volunteer", 0)
    volunteer.calendar_alarm_minutes = 60  # as set on the profile page: every event carries an alarm
    others = [person("volunteer", n) for n in range(1, OTHER_VOLUNTEERS + 1)]
    return volunteer, others, person("coordinator", 0)


def make_shifts(centre, meeting_point) -> list:
    values = ShiftValues(
        meeting_point=meeting_point,
        activity="sprachcafe",
        capacity_min=2,
        capacity_max=4,
        languages=["de", "ar"],
        notes="Bitte 10 Minuten früher da sein.",
    )
    first_day = time.to_berlin(time.now()).date() + timedelta(days=1)
    shifts = []
    for offset in range(DAYS):
        starts = time.berlin_local(
            datetime.combine(first_day + timedelta(days=offset), datetime.min.time()).replace(hour=16)
        )
        shifts.append(
            create_shift(
                centre=centre, values=values, starts_at=starts, ends_at=starts + timedelta(hours=2), publish=True
            )
        )
    return shifts


def make_signups(shifts, volunteer, others) -> None:
    for shift in shifts[: 2 * PERSONAL_SIGNUPS : 2]:
        sign_up(shift=shift, volunteer=volunteer)
    for n, other in enumerate(others):
        for shift in shifts[n :: len(others)]:
            sign_up(shift=shift, volunteer=other)


def feed_paths(centre, meeting_point, volunteer, coordinator) -> dict:
    regenerate_token(kind=PERSONAL, user_id=volunteer.id)
    regenerate_token(kind=CENTRE, user_id=coordinator.id, centre_id=centre.id)
    personal = feed_token(kind=PERSONAL, user_id=volunteer.id)
    centre_token = feed_token(kind=CENTRE, user_id=coordinator.id, centre_id=centre.id)
    return {
        "personal": f"/calendar/u/{personal}.ics",
        "public": f"/calendar/p/{meeting_point.slug}.ics",
        "centre": f"/calendar/c/{centre_token}.ics",
    }


def build() -> dict:
    flask_migrate.upgrade()
    begin_write(db.session)
    if db.session.scalar(sa.select(Centre.id).where(Centre.slug == CENTRE_SLUG)):
        raise SystemExit("The database already holds benchmark data: give an empty one.")
    centre, meeting_point = make_place()
    volunteer, others, coordinator = make_people(centre)
    shifts = make_shifts(centre, meeting_point)
    make_signups(shifts, volunteer, others)
    paths = feed_paths(centre, meeting_point, volunteer, coordinator)
    db.session.commit()
    return {
        **paths,
        "shifts": len(shifts),
        "personal_signups": PERSONAL_SIGNUPS,
        "database": db.engine.url.render_as_string(hide_password=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sqlite_path", nargs="?", type=Path, help="SQLite file to create (else DATABASE_URL)")
    parser.add_argument("--out", type=Path, help="JSON file for the feed paths (default: next to the SQLite file)")
    args = parser.parse_args()
    if args.sqlite_path is None and not (os.environ.get("DATABASE_URL") and args.out):
        parser.error("give a SQLite path, or DATABASE_URL (an empty database) and --out")
    if args.sqlite_path is not None:
        args.sqlite_path = args.sqlite_path.resolve()
        fresh_sqlite(args.sqlite_path)
    out = args.out or args.sqlite_path.with_suffix(".json")
    if not os.environ.get("SECRET_KEY"):
        parser.error("set SECRET_KEY to the key the server will run with")
    with create_app(app_config(args.sqlite_path)).app_context():
        result = build()
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

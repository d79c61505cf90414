"""The race benchmark's data, made through the app's migrations and services in an empty database.

One centre with one meeting point, a coordinator, N volunteers (no quiet hours, so that reminders
fall when the shift says), each with one push subscription at the local push service and an API
token, and 20 published shifts with 1 to 3 places in three groups:

- "2h": starting a little over two hours from now, so that the 2-hour reminders of those who sign up
  early fall due while the load runs (the 24-hour ones would be in the past and are skipped);
- "24h": starting a little over a day from now: their 24-hour reminders fall due during the run;
- "later": in three days, two hours apart: their reminders stay pending (not yet due).

Within the first two groups the shifts overlap (a volunteer can hold only one of each group);
the due times are spread over `due_window` seconds after `due_from` seconds from now."""

import os
from datetime import timedelta

import flask_migrate
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.security import generate_password_hash

from tests.push.push_service import b64url
from volunteers.accounts import services as accounts
from volunteers.centres import services as centres
from volunteers.centres.models import Centre, MeetingPoint
from volunteers.core import time
from volunteers.core.database import begin_write
from volunteers.extensions import db
from volunteers.push.services import subscribe_device
from volunteers.shifts.planning import ShiftValues, create_shift

GROUPS = (("2h", 8, timedelta(hours=2)), ("24h", 6, timedelta(hours=24)), ("later", 6, timedelta(days=3)))
SHIFT_LENGTH = timedelta(hours=1)
BATCH = 100


def make_browsers(count: int) -> dict:
    """Browser name -> (P-256 private value hex, auth secret hex): the fake browsers' keys."""
    browsers = {}
    for n in range(count):
        private = ec.generate_private_key(ec.SECP256R1())
        browsers[f"v{n}"] = (f"{private.private_numbers().private_value:064x}", os.urandom(16).hex())
    return browsers


def _public_parts(private_hex: str, auth_hex: str) -> tuple[str, str]:
    public = ec.derive_private_key(int(private_hex, 16), ec.SECP256R1()).public_key()
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point), b64url(bytes.fromhex(auth_hex))


def require_empty_database() -> None:
    tables = sa.inspect(db.engine).get_table_names()
    if tables:
        raise SystemExit(f"The database is not empty ({len(tables)} tables): give a freshly created one.")


def _place():
    centre = centres.create_centre(
        name="Kommunales Integrationszentrum Wettlauf",
        district="Kreis Wettlauf",
        regierungsbezirk="Arnsberg",
        slug="bench-race",
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
    )
    return centre, meeting_point


def _volunteers(centre, browsers: dict, origin: str) -> list[dict]:
    password_hash = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
    people = []
    for n, (name, keys) in enumerate(browsers.items()):
        user = accounts.create_user(
            email=f"volunteer{n}@bench.example",
            name=f"Volunteer {n}",
            password="",
            password_hash=password_hash,
            role="volunteer",
            centre=centre,
        )
        user.quiet_start_hour = user.quiet_end_hour = 0  # as set on the settings page: no quiet hours
        p256dh, auth = _public_parts(*keys)
        subscribe_device(
            user=user, endpoint=f"{origin}/wpush/v2/{name}", p256dh=p256dh, auth=auth, user_agent="Benchmark"
        )
        people.append({"user_id": user.id, "browser": name, "token": accounts.issue_api_token(user=user)})
        if n % BATCH == BATCH - 1:
            db.session.commit()
            begin_write(db.session)
    return people


def _shifts(centre, meeting_point, due_from: float, due_window: float) -> list[dict]:
    """The shifts, interleaved by group (2h, 24h, later, 2h, …) so that any run of them mixes groups."""
    at, shifts, made = time.now(), {}, 0
    for group, count, lead in GROUPS:
        for n in range(count):
            if group == "later":
                starts = at + lead + n * 2 * SHIFT_LENGTH
            else:
                starts = at + lead + timedelta(seconds=due_from + due_window * n / max(count - 1, 1))
            starts, capacity, made = starts.replace(microsecond=0), 1 + made % 3, made + 1
            values = ShiftValues(
                meeting_point=meeting_point,
                activity="sprachcafe",
                capacity_min=1,
                capacity_max=capacity,
                languages=["de"],
            )
            shift = create_shift(
                centre=centre, values=values, starts_at=starts, ends_at=starts + SHIFT_LENGTH, publish=True
            )
            shifts.setdefault(group, []).append(
                {
                    "id": shift.id,
                    "group": group,
                    "capacity": capacity,
                    "starts_at": starts.isoformat(),
                    "ends_at": shift.ends_at.isoformat(),
                }
            )
    columns = [shifts[group] for group, _count, _lead in GROUPS]
    return [row[n] for n in range(max(map(len, columns))) for row in columns if n < len(row)]


def build(browsers: dict, origin: str) -> dict:
    """Migrations, people, subscriptions and tokens; the shifts come later (make_shifts), right before
    the load, so that their reminders fall due while it runs. Returns what the load needs."""
    require_empty_database()
    # The models, not the migrations, while the work tree holds models whose migration is not merged
    # (several Alembic heads); BENCH_RACE_MIGRATIONS=1 to migrate.
    if os.environ.get("BENCH_RACE_MIGRATIONS"):
        flask_migrate.upgrade()
    else:
        db.create_all()
    begin_write(db.session)
    centre, meeting_point = _place()
    coordinator = accounts.create_user(
        email="coordinator@bench.example",
        name="Koordination",
        password="",
        password_hash=generate_password_hash("x", method="pbkdf2:sha256:1000"),
        role="coordinator",
        centre=centre,
    )
    coordinator_token = accounts.issue_api_token(user=coordinator)
    data = {
        "centre_id": centre.id,
        "meeting_point_id": meeting_point.id,
        "coordinator_token": coordinator_token,
        "volunteers": _volunteers(centre, browsers, origin),
    }
    db.session.commit()
    return data


def make_shifts(data: dict, *, due_from: float, due_window: float) -> list[dict]:
    """The 20 shifts (see above), published; returns id, group, capacity and times of each."""
    begin_write(db.session)
    centre = db.session.get(Centre, data["centre_id"])
    shifts = _shifts(centre, db.session.get(MeetingPoint, data["meeting_point_id"]), due_from, due_window)
    db.session.commit()
    return shifts

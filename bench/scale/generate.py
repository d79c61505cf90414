"""NRW-scale data for the scale benchmark: every Kommunales Integrationszentrum of the state in one
installation, a year of shifts around today.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/treffpunkt_bench_scale SECRET_KEY=… \
        .venv/bin/python bench/scale/generate.py --out scale.json     # an empty database
    DATABASE_URL=sqlite:////tmp/scale.sqlite SECRET_KEY=… .venv/bin/python bench/scale/generate.py --out scale.json

What it makes (`--scale 1`): 54 centres (the Kreise and kreisfreie Städte of NRW, by
Regierungsbezirk), 400 meeting points, 5,000 volunteers (one in twenty in a second centre), a lead
and two coordinators per centre, ~100,000 shifts (every meeting point on weekdays, from half a
year ago to half a year ahead, 3 % cancelled, a few future drafts), ~300,000 sign-ups (3 % on the
waiting list, 8 % withdrawn; past ones with attendance), one million hour entries in the last 365
days (those of attended shifts, the rest entered by hand; approved, submitted or rejected by age),
staff hours and the grants of this year and the last.

The schema comes from the app's migrations; rows go in through SQLAlchemy Core in batches with
explicit ids (the app's services would take hours for this), then ANALYZE. For the load test it
adds, through the app's own services, feed tokens and a "Lasttest" meeting point whose future
shifts and 60 fresh volunteers take the measured sign-ups. It writes what the load needs (logins,
tokens, ids) as JSON to --out. SECRET_KEY must be the server's: feed tokens derive from it."""

import argparse
import json
import os
import random
import sys
import time as wall
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import flask_migrate
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from volunteers import create_app
from volunteers.accounts.models import User
from volunteers.activities.models import DEFAULT_ACTIVITIES
from volunteers.centres import services as centres
from volunteers.centres.models import Centre
from volunteers.core import time
from volunteers.extensions import db
from volunteers.feeds.models import PERSONAL
from volunteers.feeds.tokens import feed_token, regenerate_token
from volunteers.shifts.planning import ShiftValues, create_shift

PASSWORD = "bench-scale-password"
BATCH = 5_000
SIGNUP_VOLUNTEERS, SIGNUP_SHIFTS = 60, 360
LANGUAGES = ("de", "ar", "fa", "uk", "ru", "tr", "en", "ku", "ti", "fr")
# The 54 Kommunale Integrationszentren: one per Kreis or kreisfreie Stadt (Aachen has two).
CENTRES = {
    "Düsseldorf": [
        "Düsseldorf",
        "Duisburg",
        "Essen",
        "Krefeld",
        "Mönchengladbach",
        "Mülheim an der Ruhr",
        "Oberhausen",
        "Remscheid",
        "Solingen",
        "Wuppertal",
        "Kreis Kleve",
        "Kreis Mettmann",
        "Rhein-Kreis Neuss",
        "Kreis Viersen",
        "Kreis Wesel",
    ],
    "Köln": [
        "Aachen",
        "Städteregion Aachen",
        "Bonn",
        "Köln",
        "Leverkusen",
        "Kreis Düren",
        "Rhein-Erft-Kreis",
        "Kreis Euskirchen",
        "Kreis Heinsberg",
        "Oberbergischer Kreis",
        "Rheinisch-Bergischer Kreis",
        "Rhein-Sieg-Kreis",
    ],
    "Münster": [
        "Bottrop",
        "Gelsenkirchen",
        "Münster",
        "Kreis Borken",
        "Kreis Coesfeld",
        "Kreis Recklinghausen",
        "Kreis Steinfurt",
        "Kreis Warendorf",
    ],
    "Detmold": [
        "Bielefeld",
        "Kreis Gütersloh",
        "Kreis Herford",
        "Kreis Höxter",
        "Kreis Lippe",
        "Kreis Minden-Lübbecke",
        "Kreis Paderborn",
    ],
    "Arnsberg": [
        "Bochum",
        "Dortmund",
        "Hagen",
        "Hamm",
        "Herne",
        "Ennepe-Ruhr-Kreis",
        "Hochsauerlandkreis",
        "Märkischer Kreis",
        "Kreis Olpe",
        "Kreis Siegen-Wittgenstein",
        "Kreis Soest",
        "Kreis Unna",
    ],
}
ACTIVITY_BAUSTEIN = {slug: baustein for slug, _name, baustein in DEFAULT_ACTIVITIES}
SHIFT_TIMES = ((9, 0, 180), (10, 0, 150), (14, 0, 180), (15, 30, 150), (17, 0, 120))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Counts:
    centres: int = 54
    meeting_points: int = 400
    volunteers: int = 5_000
    hour_entries: int = 1_000_000
    weekday_skip: float = 0.04  # share of weekdays a meeting point has no shift: ~100,000 shifts

    def scaled(self, factor: float) -> "Counts":
        return Counts(
            self.centres,
            max(self.centres, round(self.meeting_points * factor)),
            round(self.volunteers * factor),
            round(self.hour_entries * factor),
            self.weekday_skip,
        )


@dataclass
class World:
    """Ids and facts later steps need, kept in memory while generating."""

    today: date
    centre_ids: list[int] = field(default_factory=list)
    centre_slugs: dict[int, str] = field(default_factory=dict)
    points_by_centre: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # (id, baustein)
    volunteers_by_centre: dict[int, list[int]] = field(default_factory=dict)
    staff_by_centre: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    attended: list[tuple] = field(
        default_factory=list
    )  # (centre, user, shift, point, day, minutes, activity, baustein)
    ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]


# --- writing ---------------------------------------------------------------------------------


def insert(table_name: str, rows) -> int:
    """Insert dictionaries in batches; every column the model requires must be given."""
    table = db.metadata.tables[table_name]
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            count += _flush(table, batch)
            batch = []
    if batch:
        count += _flush(table, batch)
    return count


def _flush(table: sa.Table, batch: list[dict]) -> int:
    columns = set(batch[0])
    missing = [
        c.name
        for c in table.columns
        if not c.nullable and c.name not in columns and c.server_default is None and c.default is None
    ]
    if missing:
        raise SystemExit(f"{table.name}: no value for {missing}")
    db.session.execute(table.insert(), batch)
    db.session.commit()
    return len(batch)


def stamp(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# --- the state's structure -------------------------------------------------------------------


def centres_and_points(world: World, counts: Counts, rng: random.Random) -> None:
    names = [(bezirk, name) for bezirk, names in CENTRES.items() for name in names][: counts.centres]
    created = stamp(world.today - timedelta(days=900))
    centre_rows, point_rows = [], []
    for number, (bezirk, district) in enumerate(names, start=1):
        slug = f"ki-{number:02d}"
        world.centre_ids.append(number)
        world.centre_slugs[number] = slug
        centre_rows.append(
            {
                "id": number,
                "slug": slug,
                "name": f"Kommunales Integrationszentrum {district}",
                "district": district,
                "is_district_free_city": not district.startswith(
                    ("Kreis", "Rhein", "Ober", "Hoch", "Städte", "Märk", "Ennepe")
                ),
                "regierungsbezirk": bezirk,
                "street": "Rathausplatz 1",
                "postcode": f"{40000 + number * 97}",
                "city": district.removeprefix("Kreis "),
                "cancel_cutoff_hours": 12,
                "no_show_limit": 3,
                "created_at": created,
            }
        )
    # Spread meeting points as evenly as the count allows (400 over 54: 22 centres have 8, the rest 7).
    per_centre = [
        counts.meeting_points // counts.centres + (1 if n < counts.meeting_points % counts.centres else 0)
        for n in range(counts.centres)
    ]
    for centre_id, many in zip(world.centre_ids, per_centre, strict=True):
        world.points_by_centre[centre_id] = []
        for n in range(many):
            point_id = world.next_id("meeting_points")
            baustein = "A" if n % 3 else "B"
            world.points_by_centre[centre_id].append((point_id, baustein))
            point_rows.append(
                {
                    "id": point_id,
                    "centre_id": centre_id,
                    "slug": f"atp-{centre_id:02d}-{n + 1}",
                    "name": f"Ankommenstreffpunkt {n + 1}",
                    "municipality": f"Gemeinde {point_id}",
                    "street": f"Marktstraße {n + 1}",
                    "postcode": f"{40000 + point_id}",
                    "city": f"Gemeinde {point_id}",
                    "latitude": 50.5 + rng.random() * 1.5,
                    "longitude": 6.0 + rng.random() * 3.0,
                    "opening_notes": "Dienstag und Donnerstag, Eingang über den Hof",
                    "languages": rng.sample(LANGUAGES, 3),
                    "default_baustein": baustein,
                    "is_closed": False,
                    "booked_hours_per_week": 12.0,
                    "checkin_code": f"bench-checkin-{point_id}",
                    "created_at": created,
                }
            )
    insert("centres", centre_rows)
    # Each centre's change stamp, as the migration gives existing centres (centres/stamp.py).
    insert("centre_stamps", ({"centre_id": c["id"], "stamp": 1, "changed_at": c["created_at"]} for c in centre_rows))
    insert("meeting_points", point_rows)


def people(world: World, counts: Counts, rng: random.Random) -> None:
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    created = stamp(world.today - timedelta(days=400))

    def user(email: str, name: str, global_role=None) -> dict:
        return {
            "id": world.next_id("users"),
            "email": email,
            "name": name,
            "password_hash": password_hash,
            "global_role": global_role,
            "phone": "",
            "shares_phone": False,
            "languages": ["de", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))],
            "calendar_alarm_minutes": None,
            "reminder_minutes": [1440, 120],
            "quiet_start_hour": 22,
            "quiet_end_hour": 7,
            "notify_channel": "push",
            "locale": None,
            "consent_version": "2026-01",
            "consent_at": created,
            "created_at": created,
            "session_version": 1,
        }

    users, memberships = [], []

    def member(user_id: int, centre_id: int, role: str) -> None:
        memberships.append(
            {
                "id": world.next_id("memberships"),
                "user_id": user_id,
                "centre_id": centre_id,
                "role": role,
                "certificate_verified_on": world.today - timedelta(days=200),
                "created_at": created,
            }
        )

    for centre_id in world.centre_ids:
        world.volunteers_by_centre[centre_id] = []
        world.staff_by_centre[centre_id] = {"lead": [], "coordinator": []}
        for role, many in (("lead", 1), ("coordinator", 2)):
            for n in range(1, many + 1):
                row = user(f"{role}{n}.{centre_id}@bench.example", f"{role.title()} {n} KI {centre_id}")
                users.append(row)
                member(row["id"], centre_id, role)
                world.staff_by_centre[centre_id][role].append(row["id"])
    users.append(user("land@bench.example", "Landesstelle", global_role="state"))
    for n in range(counts.volunteers):
        row = user(f"volunteer{n + 1}@bench.example", f"Ehrenamt {n + 1}")
        users.append(row)
        homes = [world.centre_ids[n % len(world.centre_ids)]]
        if n % 20 == 0:
            homes.append(rng.choice([c for c in world.centre_ids if c != homes[0]]))
        for centre_id in homes:
            member(row["id"], centre_id, "volunteer")
            world.volunteers_by_centre[centre_id].append(row["id"])
    insert("users", users)
    insert("memberships", memberships)


# --- a year of shifts and sign-ups ------------------------------------------------------------


def shifts_and_signups(world: World, counts: Counts, rng: random.Random) -> tuple[int, int]:
    now = time.now()
    first, last = world.today - timedelta(days=182), world.today + timedelta(days=182)
    busy: set[tuple[int, date]] = set()  # (volunteer, day): one shift a day each, so nobody overlaps
    shift_total = signup_total = 0
    for centre_id in world.centre_ids:
        shift_rows, signup_rows = [], []
        volunteers = world.volunteers_by_centre[centre_id]
        for point_id, point_baustein in world.points_by_centre[centre_id]:
            hour, minute, duration = SHIFT_TIMES[point_id % len(SHIFT_TIMES)]
            day = first
            while day <= last:
                if day.weekday() < 5 and rng.random() >= counts.weekday_skip:
                    shift, signups = _shift(
                        world,
                        rng,
                        centre_id,
                        point_id,
                        point_baustein,
                        day,
                        (hour, minute, duration),
                        volunteers,
                        busy,
                        now,
                    )
                    shift_rows.append(shift)
                    signup_rows.extend(signups)
                day += timedelta(days=1)
        shift_total += insert("shifts", shift_rows)
        signup_total += insert("signups", signup_rows)
    return shift_total, signup_total


def _shift(world, rng, centre_id, point_id, point_baustein, day, clock, volunteers, busy, now):
    hour, minute, duration = clock
    starts = time.berlin_local(datetime(day.year, day.month, day.day, hour, minute))
    ends = starts + timedelta(minutes=duration)
    activity = rng.choice(list(ACTIVITY_BAUSTEIN))
    baustein = ACTIVITY_BAUSTEIN[activity] or point_baustein
    capacity_min = rng.randint(1, 2)
    capacity_max = capacity_min + rng.randint(1, 3)
    is_past = ends < now
    status = "published"
    if rng.random() < 0.03:
        status = "cancelled"
    elif not is_past and day > world.today + timedelta(days=35) and rng.random() < 0.1:
        status = "draft"
    shift_id = world.next_id("shifts")
    created = starts - timedelta(days=40)
    signups, confirmed = [], 0
    if status != "draft":
        wanted = (
            min(len(volunteers), capacity_max + (1 if rng.random() < 0.08 else 0))
            if rng.random() < 0.85
            else rng.randint(0, capacity_min)
        )
        for user_id in rng.sample(volunteers, min(len(volunteers), wanted + 3)):
            if len(signups) == wanted:
                break
            if (user_id, day) in busy:
                continue
            busy.add((user_id, day))
            state = "cancelled" if rng.random() < 0.08 else ("confirmed" if confirmed < capacity_max else "waitlisted")
            attendance = None
            if state == "confirmed":
                confirmed += 1
                if is_past and status == "published":
                    attendance = "attended" if rng.random() < 0.93 else "no_show"
                    if attendance == "attended":
                        world.attended.append(
                            (centre_id, user_id, shift_id, point_id, day, duration, activity, baustein)
                        )
            requested = created + timedelta(hours=rng.randint(1, 900))
            signups.append(
                {
                    "id": world.next_id("signups"),
                    "centre_id": centre_id,
                    "shift_id": shift_id,
                    "user_id": user_id,
                    "status": state,
                    "requested_at": requested,
                    "cancelled_at": requested + timedelta(hours=2) if state == "cancelled" else None,
                    "is_late_cancellation": False,
                    "attendance": attendance,
                    "created_at": requested,
                    "updated_at": requested,
                }
            )
    shift = {
        "id": shift_id,
        "centre_id": centre_id,
        "meeting_point_id": point_id,
        "series_id": None,
        "occurrence_date": None,
        "is_detached": False,
        "starts_at": starts,
        "ends_at": ends,
        "status": status,
        "cancel_reason": "Raum nicht verfügbar" if status == "cancelled" else "",
        "confirmed_count": confirmed,
        "participants_count": rng.randint(3, 25) if is_past and status == "published" else None,
        "sequence": 1 if status == "cancelled" else 0,
        "created_at": created,
        "updated_at": created,
        "activity": activity,
        "baustein": baustein,
        "capacity_min": capacity_min,
        "capacity_max": capacity_max,
        "languages": rng.sample(LANGUAGES, rng.randint(1, 2)),
        "requires_police_certificate": rng.random() < 0.2,
        "notes": "",
    }
    return shift, signups


# --- hours -----------------------------------------------------------------------------------


def hours(world: World, counts: Counts, rng: random.Random) -> int:
    """Entries of the attended shifts first, then hand-entered ones up to the wanted count."""
    total = insert("hours_entries", (_hours_row(world, rng, *item) for item in world.attended))
    volunteer_homes = [
        (user_id, centre_id) for centre_id, users in world.volunteers_by_centre.items() for user_id in users
    ]
    manual = max(counts.hour_entries - total - _staff_entries(counts), 0)

    def manual_rows():
        for _ in range(manual):
            user_id, centre_id = rng.choice(volunteer_homes)
            point_id, point_baustein = rng.choice(world.points_by_centre[centre_id])
            activity = rng.choice(list(ACTIVITY_BAUSTEIN))
            day = world.today - timedelta(days=rng.randint(0, 364))
            yield _hours_row(
                world,
                rng,
                centre_id,
                user_id,
                None,
                point_id,
                day,
                rng.choice((30, 60, 90, 120, 180)),
                activity,
                ACTIVITY_BAUSTEIN[activity] or point_baustein,
            )

    def staff_rows():
        for centre_id in world.centre_ids:
            staff = world.staff_by_centre[centre_id]["coordinator"]
            for n in range(_staff_entries(counts) // len(world.centre_ids)):
                yield _hours_row(
                    world,
                    rng,
                    centre_id,
                    staff[n % len(staff)],
                    None,
                    None,
                    world.today - timedelta(days=n % 365),
                    240,
                    "sonstiges",
                    "D",
                    kind="staff",
                )

    total += insert("hours_entries", manual_rows())
    return total + insert("hours_entries", staff_rows())


def _staff_entries(counts: Counts) -> int:
    return counts.hour_entries // 50


def _hours_row(world, rng, centre_id, user_id, shift_id, point_id, day, minutes, activity, baustein, kind="volunteer"):
    age = (world.today - day).days
    roll = rng.random()
    if age > 30:
        status = "approved" if roll < 0.93 else ("rejected" if roll < 0.96 else "submitted")
    else:
        status = "submitted" if roll < 0.6 else "approved"
    created = stamp(day, 18)
    reviewer = world.staff_by_centre[centre_id]["coordinator"][0]
    return {
        "id": world.next_id("hours_entries"),
        "centre_id": centre_id,
        "user_id": user_id,
        "kind": kind,
        "client_id": None,
        "work_date": day,
        "minutes": minutes,
        "activity": activity,
        "baustein": baustein,
        "meeting_point_id": point_id,
        "shift_id": shift_id,
        "note": "",
        "status": status,
        "review_reason": "nicht nachvollziehbar" if status == "rejected" else "",
        "reviewed_by_id": reviewer if status != "submitted" else None,
        "reviewed_at": created + timedelta(days=3) if status != "submitted" else None,
        "corrects_id": None,
        "created_by_id": user_id,
        "created_at": created,
        "updated_at": created,
    }


def grants(world: World) -> None:
    rows = [
        {
            "id": world.next_id("grants"),
            "centre_id": centre_id,
            "programme": "KommAn-NRW",
            "year": year,
            "amount_eur": Decimal(120_000 + centre_id * 2_500),
            "valuation_rate_eur": Decimal("15.00"),
            "in_kind_cap_share": Decimal("0.200"),
            "eligible_costs_eur": None,
            "created_at": stamp(date(year, 1, 15)),
        }
        for centre_id in world.centre_ids
        for year in (world.today.year - 1, world.today.year)
    ]
    insert("grants", rows)


# --- after loading ---------------------------------------------------------------------------


def reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences: move them past the explicit ids given here."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns:
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608: our own table names
                    f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
            )
    db.session.commit()


def analyse() -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE")


def load_fixtures(world: World, rng: random.Random) -> dict:
    """What the load test needs: logins, personal feed tokens, and a meeting point whose future
    shifts take the measured sign-ups of volunteers who have none elsewhere."""
    centre = db.session.get(Centre, world.centre_ids[0])
    pool = world.volunteers_by_centre[centre.id]
    volunteers = rng.sample(pool, min(20, len(pool)))
    tokens = [feed_token_for(user_id) for user_id in volunteers]
    emails = dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(volunteers))).all())
    point = centres.create_meeting_point(
        centre=centre,
        name="Lasttest",
        municipality="Lasttest",
        street="Teststraße 1",
        postcode="40001",
        city="Lasttest",
    )
    values = ShiftValues(meeting_point=point, activity="sprachcafe", capacity_min=1, capacity_max=10)
    signup_shifts = []
    for offset in range(2, 2 + SIGNUP_SHIFTS):
        day = world.today + timedelta(days=offset)
        starts = time.berlin_local(datetime(day.year, day.month, day.day, 11, 0))
        shift = create_shift(
            centre=centre, values=values, starts_at=starts, ends_at=starts + timedelta(hours=2), publish=True
        )
        signup_shifts.append(shift.id)
    db.session.commit()
    return {
        "centre_slug": centre.slug,
        "centre_id": centre.id,
        "password": PASSWORD,
        "volunteers": [emails[user_id] for user_id in volunteers],
        "personal_tokens": tokens,
        "lead": f"lead1.{centre.id}@bench.example",
        "coordinator": f"coordinator1.{centre.id}@bench.example",
        "state": "land@bench.example",
        "signup_volunteers": signup_volunteers(world, centre.id),
        "signup_meeting_point": point.slug,
        "signup_shifts": signup_shifts,
    }


def feed_token_for(user_id: int) -> str:
    regenerate_token(kind=PERSONAL, user_id=user_id)
    return feed_token(kind=PERSONAL, user_id=user_id)


def signup_volunteers(world: World, centre_id: int) -> list[str]:
    """Fresh members of the centre with no sign-up anywhere: the measured sign-ups never overlap."""
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    users, memberships, emails = [], [], []
    for n in range(1, SIGNUP_VOLUNTEERS + 1):
        user_id = world.next_id("users")
        emails.append(f"signup{n}@bench.example")
        users.append(
            {
                "id": user_id,
                "email": emails[-1],
                "name": f"Lasttest {n}",
                "password_hash": password_hash,
                "phone": "",
                "shares_phone": False,
                "languages": ["de"],
                "reminder_minutes": [1440, 120],
                "quiet_start_hour": 22,
                "quiet_end_hour": 7,
                "notify_channel": "push",
                "created_at": time.now(),
                "session_version": 1,
            }
        )
        memberships.append(
            {
                "id": world.next_id("memberships"),
                "user_id": user_id,
                "centre_id": centre_id,
                "role": "volunteer",
                "created_at": time.now(),
            }
        )
    insert("users", users)
    insert("memberships", memberships)
    reset_sequences()
    return emails


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the load test's JSON")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = NRW; 0.1 for a quick try")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    counts = Counts().scaled(args.scale)
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"], "SERVER_NAME": None})
    with app.app_context():
        started = wall.monotonic()
        flask_migrate.upgrade()
        world = World(today=time.to_berlin(time.now()).date())
        steps = [
            ("centres and meeting points", lambda: centres_and_points(world, counts, rng)),
            ("people", lambda: people(world, counts, rng)),
            ("shifts and sign-ups", lambda: shifts_and_signups(world, counts, rng)),
            ("hours", lambda: hours(world, counts, rng)),
            ("grants", lambda: grants(world)),
            ("sequences", reset_sequences),
        ]
        for name, step in steps:
            log(f"{name}: {step() or ''} ({wall.monotonic() - started:.0f} s)")
        fixtures = load_fixtures(world, rng)
        analyse()
        table_counts = {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables[name]))
            for name in ("centres", "meeting_points", "users", "memberships", "shifts", "signups", "hours_entries")
        }
        log(f"rows: {table_counts} in {wall.monotonic() - started:.0f} s")
    args.out.write_text(
        json.dumps({**fixtures, "rows": table_counts, "seed": args.seed, "scale": args.scale}, indent=1)
    )


if __name__ == "__main__":
    main()

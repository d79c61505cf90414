"""What still stands between the feeds and the 304 target, measured in-process on the benchmark
data: a request's cost taken apart step by step, and prototypes of changes outside the feed code
(not applied to the app).

    DATABASE_URL=sqlite:////tmp/feeds.sqlite SECRET_KEY=… python bench/feeds/whatif.py /tmp/feeds.json

CPU time per request (µs, this process only, so that other load on the machine counts less),
through the test client, median of rounds in which the steps take turns:
1. bare Flask /hello (bare.py);
2. a Treffpunkt route that does nothing: the extensions' hooks (Flask-Login, CSRF, the session
   cookie) and the six security headers;
3. + SELECT 1 on a Core connection, as the feeds' fingerprint statements run;
4. + SELECT 1 through the ORM session: /healthz;
5. each feed's 304 as the app answers it;
6. the same with `pool_pre_ping` off (config.py pinged the database at every checkout until
   session 9; now the app has it off as well, core/liveness.py, and 5 and 6 measure the same);
7. a 304 from a point lookup: what a feed stamp kept up to date on every write (a column the
   services set) would cost instead of aggregating a year of rows;
8. a 304 without the database: the fingerprint remembered in process memory, as a short-lived
   cache of fingerprints would answer (at the price of a revoked link or a change showing only
   when its entry expires).
`register` mounts the prototypes at /whatif/… for whatif_app.py under gunicorn.
Prints a markdown table."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("TREFFPUNKT_ROOT") or str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa
from flask import abort

from volunteers import create_app
from volunteers.centres.models import MeetingPoint
from volunteers.extensions import db
from volunteers.feeds import queries
from volunteers.feeds.views import serve_feed

NO_PRE_PING = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}}
POINT = sa.select(MeetingPoint.id, MeetingPoint.created_at).where(MeetingPoint.slug == sa.bindparam("slug"))


def nothing():
    return "ok"


def select_one_core():
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    return "ok"


def point_feed(slug: str):
    """A 304 as it would be with a kept feed stamp: one row by its unique key (the meeting point's
    created_at stands in for the stamp), then the app's own serve_feed."""
    with db.engine.connect() as connection:
        row = connection.execute(POINT, {"slug": slug}).one_or_none()
    if row is None:
        abort(404)
    return serve_feed(queries._fingerprint((0, 0, row.created_at), slug), lambda: b"", public=True)


_remembered = {}  # slug: the public feed's fingerprint, from its first request


def remembered_feed(slug: str):
    if slug not in _remembered:
        _remembered[slug] = queries.public_state(slug, "de")[1]
    return serve_feed(_remembered[slug], lambda: b"", public=True)


def register(app) -> None:
    app.add_url_rule("/whatif/nothing", "whatif_nothing", nothing)
    app.add_url_rule("/whatif/select-one", "whatif_select_one", select_one_core)
    app.add_url_rule("/whatif/p/<slug>.ics", "whatif_point_feed", point_feed)
    app.add_url_rule("/whatif/remembered/<slug>.ics", "whatif_remembered_feed", remembered_feed)


def cpu_us(cases: list[tuple], runs: int, rounds: int) -> list[tuple[str, float]]:
    """Median over rounds of CPU µs per request; the cases take turns within each round, so that
    the machine's changing load weighs on all of them alike."""
    for _label, client, path, headers, expected in cases:
        for _ in range(20):
            assert client.get(path, headers=headers).status_code == expected, path
    samples = {case[0]: [] for case in cases}
    for _ in range(rounds):
        for label, client, path, headers, _expected in cases:
            started = time.process_time()
            for _ in range(runs):
                client.get(path, headers=headers)
            samples[label].append((time.process_time() - started) / runs * 1e6)
    return [(label, statistics.median(values)) for label, values in samples.items()]


def cases(paths: dict) -> list[tuple]:
    from bare import app as bare_app

    apps = {}
    for name, config in (("app", {}), ("no pre-ping", NO_PRE_PING)):
        apps[name] = create_app({"SERVER_NAME": None, **config})
        register(apps[name])
    client, lean = apps["app"].test_client(), apps["no pre-ping"].test_client()
    slug = paths["public"].removeprefix("/calendar/p/").removesuffix(".ics")
    etags = {feed: client.get(paths[feed]).headers["ETag"] for feed in ("personal", "public", "centre")}
    point = f"/whatif/p/{slug}.ics"
    point_etag = client.get(point).headers["ETag"]
    rows = [
        ("1. bare Flask /hello", bare_app.test_client(), "/hello", {}, 200),
        ("2. Treffpunkt route without the database", client, "/whatif/nothing", {}, 200),
        ("3. + SELECT 1 on a Core connection", client, "/whatif/select-one", {}, 200),
        ("4. + SELECT 1 through the ORM session (/healthz)", client, "/healthz", {}, 200),
    ]
    rows += [(f"5. {feed} feed 304", client, paths[feed], {"If-None-Match": etag}, 304) for feed, etag in etags.items()]
    rows.append(("6. /healthz, pool_pre_ping off", lean, "/healthz", {}, 200))
    rows += [
        (f"6. {feed} feed 304, pool_pre_ping off", lean, paths[feed], {"If-None-Match": etag}, 304)
        for feed, etag in etags.items()
    ]
    rows.append(
        (
            "7. a 304 from a point lookup (kept feed stamp), pool_pre_ping off",
            lean,
            point,
            {"If-None-Match": point_etag},
            304,
        )
    )
    rows.append(
        (
            "8. a 304 without the database (fingerprint remembered)",
            client,
            f"/whatif/remembered/{slug}.ics",
            {"If-None-Match": etags["public"]},
            304,
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths_json", type=Path, help="the file make_data.py wrote")
    parser.add_argument("--runs", type=int, default=100, help="requests per case and round")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rows = cpu_us(cases(json.loads(args.paths_json.read_text())), args.runs, args.rounds)
    bare = rows[0][1]
    print("| step | CPU µs per request | × bare |\n| --- | ---: | ---: |")
    for label, micros in rows:
        print(f"| {label} | {micros:.0f} | {micros / bare:.1f} |")


if __name__ == "__main__":
    main()

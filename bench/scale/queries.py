"""SQL statements per request for the measured pages, in-process through Flask's test client on
the benchmark's database (generate.py), for several subjects each: different volunteers, weeks
and feeds show different numbers of rows, the statements must stay the same.

    DATABASE_URL=… SECRET_KEY=… .venv/bin/python bench/scale/queries.py META.json   # prints JSON

The sign-up rows sign up for real; run.py clears those sign-ups before it measures them."""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa

from volunteers import create_app
from volunteers.extensions import db
from volunteers.feeds.cache import body_cache

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBJECTS = 3


def bench_app():
    """The app on the benchmark's database (DATABASE_URL) for Flask's test client, which speaks plain
    HTTP: no Secure session cookie, no https (CSRF would want a Referer)."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
            "SERVER_NAME": None,
            "SESSION_COOKIE_SECURE": False,
            "PREFERRED_URL_SCHEME": "http",
        }
    )


def logged_in(app, email: str, password: str):
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"login of {email} failed: {response.status_code}")
    return client


def csrf(client) -> str:
    return CSRF_INPUT.search(client.get("/privacy").get_data(as_text=True)).group(1)


def counted(engine: sa.Engine, send) -> dict:
    """Statements of one request (after the same request once unmeasured, so that caches of the
    first request in a process do not count), and what it answered."""
    send()
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = send()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    body = response.get_data()
    return {
        "statements": len(statements),
        "status": response.status_code,
        "bytes": len(body),
        "events": body.count(b"BEGIN:VEVENT"),
    }


def main() -> None:
    meta = json.loads(Path(sys.argv[1]).read_text())
    app = bench_app()
    password, slug = meta["password"], meta["centre_slug"]
    volunteers = [logged_in(app, email, password) for email in meta["volunteers"][:SUBJECTS]]
    coordinator, lead = logged_in(app, meta["coordinator"], password), logged_in(app, meta["lead"], password)
    state = logged_in(app, meta.get("state", "land@bench.example"), password)
    signer = logged_in(app, meta["signup_volunteers"][0], password)
    token = csrf(signer)
    shifts = iter(meta["signup_shifts"])

    def feed(path, **headers):
        def send():
            with app.app_context():
                body_cache(0).clear()  # a render each time, not the cache of rendered bodies
            return app.test_client().get(path, headers=headers)

        return send

    def etag_of(path):
        return app.test_client().get(path).headers["ETag"]

    feeds = [f"/calendar/u/{t}.ics" for t in meta["personal_tokens"][:SUBJECTS]]
    cases = {
        "open-shift list": [lambda c=c: c.get("/shifts") for c in volunteers],
        "my shifts": [lambda c=c: c.get("/my/shifts") for c in volunteers],
        "week plan": [
            lambda w=w: coordinator.get(f"/centres/{slug}/plan?week={w}") for w in meta["plan_weeks"][:SUBJECTS]
        ],
        "sign-up": [
            lambda: signer.post(f"/shifts/{next(shifts)}/signup", data={"csrf_token": token}) for _ in range(SUBJECTS)
        ],
        "personal iCal, full (200)": [feed(path) for path in feeds],
        "personal iCal, 304": [feed(path, **{"If-None-Match": etag_of(path)}) for path in feeds],
        "centre report": [lambda: lead.get(f"/reports/centre/{slug}")],
        "state report (all centres)": [lambda: state.get("/reports/state")],
    }
    with app.app_context():
        engine = db.engine
    print(json.dumps({name: [counted(engine, send) for send in sends] for name, sends in cases.items()}))


if __name__ == "__main__":
    main()

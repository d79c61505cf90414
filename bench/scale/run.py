"""The scale benchmark in one command: NRW-scale data, statements per request, then gunicorn under
wrk for each measured page next to a bare Flask endpoint served the same way, in one run.

    .venv/bin/python bench/scale/run.py --database-url postgresql+psycopg://postgres@127.0.0.1/treffpunkt_bench_scale
    .venv/bin/python bench/scale/run.py                          # SQLite in --work
    .venv/bin/python bench/scale/run.py --reuse …                # the data of an earlier run in --work
    .venv/bin/python bench/scale/run.py --reuse --only report --before /tmp/before --rounds 3 --port-base 8411 …

--before serves another tree (e.g. `git archive HEAD | tar -x -C /tmp/before`) on the same data, and
each of its pages is measured right after the same page of this tree ("…, before" rows); --rounds
repeats the selected pages, so that the rows of the two trees take turns.

A PostgreSQL database is dropped and created anew unless --reuse is given. Prints markdown tables
to stdout (progress to stderr) and, with --json, the raw numbers. Servers are stopped at the end,
also on Ctrl+C or an error."""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from harness import gunicorn, load_average, log, stop, wait_for, warm_up, worker_memory, wrk

# Servers and their ports: --port-base plus the offset (8111 … 8115 by default).
PORT_OFFSETS = {"treffpunkt": 0, "bare": 1, "render": 2, "unkept": 3, "before": 4}
SECRET_KEY = "bench-scale-secret"  # feed tokens derive from it: the same for generating and serving
SHARE_TARGET, P99_TARGET_MS = 0.25, 100
TARGETS = {"centre report": (0.15, 20)}  # issue #16: the centre report's repeat view, × bare and p99 ms
DRAIN_SECONDS = 3
CSRF_INPUT = r'name="csrf_token"[^>]*value="([^"]+)"'
# One User-Agent for the login and for every request wrk sends, as a real browser keeps its own:
# Flask-Login's session protection ties the session to it, and a different one makes it rewrite
# the session cookie on every answer, which no real client would see.
USER_AGENT = "Mozilla/5.0 (treffpunkt-bench; like the phone that logged in)"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL database to (re)create; default: SQLite in --work")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/treffpunkt-bench-scale"),
        help="folder for the SQLite file, the generator's JSON and the server logs",
    )
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run (in --work)")
    parser.add_argument("--scale", type=float, default=1.0, help="generate.py --scale")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, for every server")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c for the throughput runs")
    parser.add_argument("--moderate", type=int, default=2, help="wrk -c for the moderate-load runs (p99 target)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--only", help="comma-separated words: measure only the pages whose names contain one (e.g. report)"
    )
    parser.add_argument("--before", type=Path, help="another tree to serve and measure after each page, same data")
    parser.add_argument("--rounds", type=int, default=1, help="measure the selected pages this many times in turn")
    parser.add_argument("--port-base", type=int, default=8111, help="first of the five ports the servers use")
    return parser.parse_args()


# --- data ------------------------------------------------------------------------------------


def prepare_database(args) -> tuple[str, Path]:
    """The database URL the servers use, and the generator's JSON (made now unless --reuse)."""
    args.work.mkdir(parents=True, exist_ok=True)
    kind = "pg" if args.database_url else "sqlite"
    url = args.database_url or f"sqlite:///{args.work / 'scale.sqlite'}"
    meta = args.work / f"{kind}.json"
    if args.reuse:
        if not meta.exists():
            raise SystemExit(f"--reuse: {meta} is missing; run once without --reuse")
        return url, meta
    if kind == "pg":
        recreate_postgres(url)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.work / 'scale.sqlite'}{suffix}").unlink(missing_ok=True)
    log(f"generating data (scale {args.scale}) …")
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), "--out", str(meta), "--scale", str(args.scale)],
        env=app_env(url),
        check=True,
    )
    return url, meta


def recreate_postgres(url: str) -> None:
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def app_env(url: str) -> dict:
    # Plain HTTP on 127.0.0.1 (production has TLS at the proxy): the session cookie must come back.
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "PYTHONPATH": str(PROJECT),
        "SESSION_COOKIE_SECURE": "0",
    }


def plan_weeks(count: int = 4) -> list[str]:
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    return [(monday + timedelta(weeks=n)).isoformat() for n in range(count)]


def reset_signups(engine: sa.Engine, meta: dict) -> None:
    """The measured sign-ups start from none, so that every run signs up the same way."""
    with engine.begin() as connection:
        users = (
            sa.select(sa.text("id"))
            .select_from(sa.text("users"))
            .where(sa.text("email IN :emails").bindparams(sa.bindparam("emails", expanding=True)))
        )
        ids = [row.id for row in connection.execute(users, {"emails": meta["signup_volunteers"]})]
        for table in ("notifications", "signups"):
            connection.execute(
                sa.text(f"DELETE FROM {table} WHERE user_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),  # nosec B608: fixed names
                {"ids": ids},
            )
        connection.execute(
            sa.text("UPDATE shifts SET confirmed_count = 0 WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": meta["signup_shifts"]},
        )
        # A write past the app's session: it raises the centres' change stamps itself, as the app
        # would (centres/stamp.py), or the servers would keep figures and feed ETags of before.
        connection.execute(sa.text("UPDATE centre_stamps SET stamp = stamp + 1"))


def signup_check(engine: sa.Engine, meta: dict) -> dict:
    """How many measured sign-ups were stored, and whether any shift is overbooked or its count wrong."""
    ids = sa.bindparam("ids", expanding=True)
    with engine.connect() as connection:
        stored = connection.scalar(
            sa.text("SELECT count(*) FROM signups WHERE shift_id IN :ids").bindparams(ids),
            {"ids": meta["signup_shifts"]},
        )
        wrong = connection.scalar(
            sa.text(
                "SELECT count(*) FROM shifts s WHERE s.id IN :ids AND (s.confirmed_count > s.capacity_max OR "
                "s.confirmed_count <> (SELECT count(*) FROM signups g "
                "WHERE g.shift_id = s.id AND g.status = 'confirmed'))"
            ).bindparams(ids),
            {"ids": meta["signup_shifts"]},
        )
    return {"stored": stored, "overbooked_or_miscounted": wrong}


# --- sessions and the requests wrk sends ---------------------------------------------------------


class Browser:
    """A logged-in session over HTTP: its Cookie header and CSRF token."""

    def __init__(self, base: str, email: str, password: str):
        self.jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        opener.addheaders = [("User-Agent", USER_AGENT)]
        login_page = opener.open(f"{base}/login", timeout=30).read().decode()
        form = {"csrf_token": re.search(CSRF_INPUT, login_page).group(1), "email": email, "password": password}
        opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=30).read()
        page = opener.open(f"{base}/privacy", timeout=30).read().decode()
        if "/logout" not in page:
            raise SystemExit(f"login of {email} failed")
        self.csrf = re.search(CSRF_INPUT, page).group(1)
        self.cookie = "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in self.jar)


def request_lines(meta: dict, base: str, browsers: dict) -> dict[str, list[tuple]]:
    """Per case: (method, path, headers, body) for wrk to send in turn."""
    slug = meta["centre_slug"]
    volunteers, signers = browsers["volunteers"], browsers["signers"]
    feeds = personal_feeds(meta)
    form = "Content-Type: application/x-www-form-urlencoded"
    signups = [
        (
            "POST",
            f"/shifts/{shift}/signup",
            [signer.cookie, form],
            urllib.parse.urlencode({"csrf_token": signer.csrf, "next": "/shifts"}),
        )
        for shift in meta["signup_shifts"]
        for signer in signers
    ]
    full_feeds = [("GET", path, [], "") for path in feeds]
    return {
        "bare /hello": [("GET", "/hello", [], "")],
        "(for scale: /healthz, one SELECT 1)": [("GET", "/healthz", [], "")],
        "open-shift list": [("GET", "/shifts", [v.cookie], "") for v in volunteers],
        "my shifts": [("GET", "/my/shifts", [v.cookie], "") for v in volunteers],
        "week plan": [
            ("GET", f"/centres/{slug}/plan?week={week}", [browsers["coordinator"].cookie], "")
            for week in meta["plan_weeks"]
        ],
        "sign-up": signups,
        "personal iCal, full (200)": full_feeds,
        "personal iCal, full (200), rendered each time": full_feeds,  # on the server without the body cache
        "personal iCal, 304": [],  # conditional_feed_lines(), right before the row
        "centre report": [("GET", f"/reports/centre/{slug}", [browsers["lead"].cookie], "")],
        "centre report, figures not kept": [("GET", f"/reports/centre/{slug}", [browsers["lead"].cookie], "")],
        "state report (all centres)": [("GET", "/reports/state", [browsers["state"].cookie], "")],
        "state report, figures not kept": [("GET", "/reports/state", [browsers["state"].cookie], "")],
    }


def personal_feeds(meta: dict) -> list[str]:
    return [f"/calendar/u/{token}.ics" for token in meta["personal_tokens"]]


def conditional_feed_lines(meta: dict, base: str) -> list[tuple]:
    """The personal feeds with their ETags as of now: the sign-up row moves the change stamp of the
    centre the feeds' owners signed up in, and with it their ETags."""
    feeds = personal_feeds(meta)
    etags = [urllib.request.urlopen(base + path, timeout=60).headers["ETag"] for path in feeds]
    return [("GET", path, [f"If-None-Match: {etag}"], "") for path, etag in zip(feeds, etags, strict=True)]


CASES = (  # name, server, expected status of the first line (warm-up)
    ("bare /hello", "bare", 200),
    ("(for scale: /healthz, one SELECT 1)", "treffpunkt", 200),
    ("open-shift list", "treffpunkt", 200),
    ("my shifts", "treffpunkt", 200),
    ("week plan", "treffpunkt", 200),
    ("sign-up", "treffpunkt", 302),
    ("personal iCal, full (200)", "treffpunkt", 200),
    ("personal iCal, full (200), rendered each time", "render", 200),
    ("personal iCal, 304", "treffpunkt", 304),
    ("centre report", "treffpunkt", 200),
    ("centre report, figures not kept", "unkept", 200),  # on the server that computes them each time
    ("state report (all centres)", "treffpunkt", 200),
    ("state report, figures not kept", "unkept", 200),
)
BEFORE = ", before"  # the suffix of a page measured on the --before tree
STATE_VIEWER = "land@bench.example"  # generate.py's Landesstelle (older data sets have no "state" in their meta)


def selected(args) -> tuple:
    """The cases --only names (all without it), each followed by the same page of the --before tree
    if one is given; the bare endpoint is measured before each anyway."""
    words = [word.strip().lower() for word in (args.only or "").split(",") if word.strip()]
    cases = [case for case in CASES if not words or any(word in case[0].lower() for word in words)]
    if args.before:
        cases = [
            twin
            for name, server, status in cases
            for twin in [(name, server, status)]
            + ([(name + BEFORE, "before", status)] if server == "treffpunkt" else [])
        ]
    return tuple(cases)


def write_lines(path: Path, lines: list[tuple]) -> None:
    path.write_text(
        "".join(
            f"{method}\t{target}\t{' || '.join([f'User-Agent: {USER_AGENT}', *headers])}\t{body}\n"
            for method, target, headers, body in lines
        )
    )


# --- load ------------------------------------------------------------------------------------


def measure(
    name: str, port: int, expected: int, lines: list[tuple], args, engine, meta, levels=("throughput", "moderate")
) -> dict:
    file = args.work / f"lines-{re.sub('[^a-z0-9]+', '-', name.lower())}.tsv"
    write_lines(file, lines)
    method, path, headers, body = lines[0]
    url = f"http://127.0.0.1:{port}"
    if name != "sign-up":
        warm_up(url + path, headers, expected, method=method)
    result = {"name": name, "lines": len(lines)}
    for level in levels:
        connections = args.connections if level == "throughput" else args.moderate
        if name == "sign-up":
            reset_signups(engine, meta)
        log(f"wrk {name} ({level}, -c{connections})")
        result[level] = wrk(
            url + "/",
            threads=args.threads,
            connections=connections,
            seconds=args.duration,
            script=HERE / "load.lua",
            script_args=[str(file), str(args.threads)],
        )
        if name == "sign-up":
            time.sleep(DRAIN_SECONDS)  # requests still in flight when wrk stopped finish first
            result[level]["signups"] = signup_check(engine, meta)
    return result


def start_servers(args, url: str) -> dict:
    """server → (process, port, path that answers when it is up)."""
    env, logs, ports = app_env(url), args.work, {name: args.port_base + at for name, at in PORT_OFFSETS.items()}
    servers = {
        "treffpunkt": (PROJECT, "wsgi:app", logs / "app.log", None, "/healthz"),
        "render": (HERE, "render_wsgi:app", logs / "render.log", str(PROJECT), "/healthz"),  # feed bodies not cached
        "unkept": (HERE, "unkept_wsgi:app", logs / "unkept.log", str(PROJECT), "/healthz"),  # report figures not kept
        "bare": (HERE.parent / "feeds", "bare:app", logs / "bare.log", None, "/hello"),
    }
    if args.before:
        servers["before"] = (args.before.resolve(), "wsgi:app", logs / "before.log", None, "/healthz")
    needed = {"treffpunkt", "bare"} | {server for _name, server, _status in selected(args)}
    started = {}
    for name, (chdir, module, logfile, pythonpath, path) in servers.items():
        if name not in needed:
            continue
        own_env = {**env, "PYTHONPATH": str(chdir)} if name == "before" else env
        process = gunicorn(chdir, module, ports[name], args.workers, own_env, logfile, pythonpath)
        started[name] = (process, ports[name], path)
    return started


def run_load(args, url: str, meta: dict) -> tuple[list[dict], dict]:
    servers = start_servers(args, url)
    engine = sa.create_engine(url)
    try:
        for process, port, path in servers.values():
            wait_for(f"http://127.0.0.1:{port}{path}", process, seconds=180)  # 4 workers each, a loaded machine
        base = f"http://127.0.0.1:{servers['treffpunkt'][1]}"
        browsers = {
            "volunteers": [Browser(base, email, meta["password"]) for email in meta["volunteers"]],
            "signers": [Browser(base, email, meta["password"]) for email in meta["signup_volunteers"]],
            "coordinator": Browser(base, meta["coordinator"], meta["password"]),
            "lead": Browser(base, meta["lead"], meta["password"]),
            "state": Browser(base, meta.get("state", STATE_VIEWER), meta["password"]),
        }
        lines = request_lines(meta, base, browsers)
        bare_port = servers["bare"][1]
        results, bare = [], None
        for round_ in range(1, args.rounds + 1):
            for name, server, expected in selected(args):
                if server != "bare":  # the bare endpoint again right before each case: the machine's load moves
                    bare = measure(
                        "bare /hello", bare_port, 200, lines["bare /hello"], args, engine, meta, ("throughput",)
                    )
                page = lines[name.removesuffix(BEFORE)]
                if name.startswith("personal iCal, 304"):
                    page = conditional_feed_lines(meta, f"http://127.0.0.1:{servers[server][1]}")
                result = measure(name, servers[server][1], expected, page, args, engine, meta)
                results.append({**result, "bare": bare or result, "round": round_})
        memory = {name: worker_memory(process) for name, (process, _, _) in servers.items()}
    finally:
        stop([process for process, _, _ in servers.values()])
        engine.dispose()
    return results, memory


# --- report ----------------------------------------------------------------------------------


def markdown(results: list[dict], statements: dict, memory: dict, loadavg: list[str], args, rows: dict) -> str:
    lines = [
        f"Rows: {', '.join(f'{name} {count:,}' for name, count in rows.items())}",
        f"Load average (1, 5, 15 min) before: {loadavg[0]}; after: {loadavg[1]}. "
        f"gunicorn {args.workers} sync workers per server; wrk -t{args.threads} -d{args.duration}s, "
        f"throughput -c{args.connections}, moderate -c{args.moderate}.",
        "",
        "| round | page | req/s | bare req/s | × bare | machine CPU ms/request | × bare by CPU | steal | p50 ms "
        "| p99 ms | moderate: req/s | p50 ms | p99 ms | errors | statements | target |",
        "| ---: | --- " + "| ---: " * 14 + "| --- |",
    ]
    for row in results:
        top, calm, bare = row["throughput"], row["moderate"], row["bare"]["throughput"]
        share = top["rps"] / bare["rps"]
        # queries.py empties the body cache before each feed request: its "full" is a render as well
        counts = statements.get(row["name"].removesuffix(", rendered each time"), [])
        shown = "–".join(sorted({str(c["statements"]) for c in counts})) if counts else ""
        if row["name"].endswith(BEFORE):
            shown = ""  # queries.py counts this tree's statements
        verdict = ""
        if not row["name"].startswith(("bare", "(", "state report")):  # the state report: no target of its own
            share_target, p99_target = TARGETS.get(row["name"].removesuffix(BEFORE), (SHARE_TARGET, P99_TARGET_MS))
            met = share >= share_target and calm["p99_us"] / 1000 <= p99_target and top["errors"] == 0
            verdict = "met" if met else "MISSED"
        lines.append(
            f"| {row.get('round', 1)} | {row['name']} | {top['rps']:.0f} | {bare['rps']:.0f} | {share:.2f} | "
            f"{top['cpu_ms']:.2f} | {bare['cpu_ms'] / top['cpu_ms']:.2f} | {top['steal']:.0%} | "
            f"{top['p50_us'] / 1000:.1f} | {top['p99_us'] / 1000:.1f} | {calm['rps']:.0f} | "
            f"{calm['p50_us'] / 1000:.1f} | {calm['p99_us'] / 1000:.1f} | {top['errors'] + calm['errors']} | "
            f"{shown} | {verdict} |"
        )
    signups = [row for row in results if row["name"] == "sign-up"]
    for row in signups:
        for level in ("throughput", "moderate"):
            run = row[level]
            lines.append(
                f"\nSign-ups ({level}): {run['requests']} answered, {run['signups']['stored']} stored "
                f"(a request still in flight when wrk stops is stored but not counted), "
                f"{run['signups']['overbooked_or_miscounted']} shifts overbooked or miscounted."
            )
    lines += [
        "",
        "Statements per request (in-process, one per subject; rows shown differ between subjects):",
        "",
        "| page | statements | bytes | calendar events |",
        "| --- | --- | --- | --- |",
    ]
    for name, subjects in statements.items():
        lines.append(
            f"| {name} | {', '.join(str(s['statements']) for s in subjects)} | "
            f"{', '.join(str(s['bytes']) for s in subjects)} | "
            f"{', '.join(str(s['events']) for s in subjects) if 'iCal' in name else ''} |"
        )
    lines += [
        "",
        "Gunicorn workers after the load, MiB:",
        "",
        "| server | peak RSS per worker | RSS now |",
        "| --- | --- | --- |",
    ]
    for server, workers in memory.items():
        peaks = ", ".join(f"{w['peak_mib']:.0f}" for w in workers)
        now = ", ".join(f"{w['rss_mib']:.0f}" for w in workers)
        lines.append(f"| {server} | {peaks} | {now} |")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers
    url, meta_path = prepare_database(args)
    meta = json.loads(meta_path.read_text())
    meta["plan_weeks"] = plan_weeks()
    meta_path.write_text(json.dumps(meta, indent=1))
    engine = sa.create_engine(url)
    reset_signups(engine, meta)  # queries.py's sign-ups must be new ones, as in the load
    engine.dispose()
    log("statements per request …")
    statements = json.loads(
        subprocess.run(
            [sys.executable, str(HERE / "queries.py"), str(meta_path)],
            env=app_env(url),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    )
    loadavg = [load_average()]
    results, memory = run_load(args, url, meta)
    loadavg.append(load_average())
    print(markdown(results, statements, memory, loadavg, args, meta["rows"]))
    if args.json:
        raw = {
            "load": results,
            "statements": statements,
            "memory": memory,
            "loadavg": loadavg,
            "settings": {**vars(args), "work": str(args.work), "json": str(args.json)},
            "rows": meta["rows"],
        }
        args.json.write_text(json.dumps(raw, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()

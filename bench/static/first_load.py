"""What a volunteer's phone transfers for its first and its next page: the demo installation served
by gunicorn, once with the app compressing its answers and once without (COMPRESS_RESPONSES=0, as
before #16), both in the same run, measured in headless Chromium from the bytes on the wire
(Chrome DevTools Protocol: encodedDataLength, headers included).

    .venv/bin/python bench/static/first_load.py [--page /shifts]

First load: an empty browser cache and no service worker (what a new phone gets after logging in).
Next page: the same browser with the HTTP cache the first page left, another page opened (the
service worker bypassed, as it answers the files from its own cache anyway)."""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VOLUNTEER, PASSWORD = "ehrenamt@example.org", "treffpunkt-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(env: dict, compress: bool):
    port = free_port()
    env = {**env, "COMPRESS_RESPONSES": "1" if compress else "0"}
    command = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def transferred(page, cdp, url: str) -> tuple[int, int, int]:
    """(bytes on the wire, decoded body bytes, answers that came over the network) for opening
    `url` in `page`; answers from the browser's cache have no bytes on the wire."""
    sizes, bodies = {}, {}

    def finished(event):
        sizes[event["requestId"]] = event["encodedDataLength"]

    def received(event):
        bodies[event["requestId"]] = bodies.get(event["requestId"], 0) + event["dataLength"]

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.dataReceived", received)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    return sum(sizes.values()), sum(bodies.values()), sum(1 for size in sizes.values() if size)


def measure(base: str, path: str, browser) -> dict:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(VOLUNTEER)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # First load: nothing cached, no service worker answering.
    cdp.send("Network.setBypassServiceWorker", {"bypass": True})
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    first = transferred(page, cdp, base + path)
    # Next page: the browser's HTTP cache as the first page left it (the service worker still
    # bypassed: its own fetches are not seen from the page, and it answers from its cache anyway).
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    following = transferred(page, cdp, base + "/my/shifts")
    context.close()
    return {"first": first, "next": following}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", default="/shifts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
            "SECRET_KEY": "bench",
            "TREFFPUNKT_DEV": "1",  # plain http on 127.0.0.1
            "PUBLIC_BASE_URL": "http://127.0.0.1",
        }
        for command in (["db", "upgrade"], ["seed-demo"]):
            flask = [str(BIN / "flask"), "--app", "wsgi", *command]
            subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)
        rows = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for compress in (False, True):
                with served(env, compress) as base:
                    rows[compress] = measure(base, args.page, browser)
            browser.close()
    print(f"| {args.page} | COMPRESS_RESPONSES=0 | compressed (the default) |")
    print("| --- | --- | --- |")
    for key, label in (("first", "first load"), ("next", "next page (/my/shifts)")):
        cells = []
        for compress in (False, True):
            wire, body, requests = rows[compress][key]
            cells.append(
                f"{wire / 1024:.1f} KB on the wire ({body / 1024:.1f} KB decoded), {requests} over the network"
            )
        print(f"| {label} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()

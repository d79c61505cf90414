"""Screenshots of the main pages on a phone and a desktop, for the README (`make screenshots`).

Starts the app on 127.0.0.1 with a fresh SQLite database seeded by `flask seed-demo`, signs in as
the demo accounts and lets headless Chromium (Debian's, never a downloaded one) photograph the
first screen of each page into docs/screenshots/, as small palette PNGs."""

import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=de-DE",  # date fields as 02.12.2026: they follow the browser's own language, not the page's
]
PASSWORD = "treffpunkt-demo"
SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
# (file name, account, path): what a volunteer and a coordinator see first.
PAGES = [
    ("volunteer-home", "ehrenamt@example.org", "/"),
    ("open-shifts", "ehrenamt@example.org", "/shifts"),
    ("my-shifts", "ehrenamt@example.org", "/my/shifts"),
    ("hours", "ehrenamt@example.org", "/hours"),
    ("coordinator-home", "koordination@duesseldorf.example", "/"),
    ("week-plan", "koordination@duesseldorf.example", "/centres/duesseldorf/plan"),
    ("review-queue", "koordination@duesseldorf.example", "/centres/duesseldorf/hours"),
    ("centre-report", "lead@duesseldorf.example", "/reports/centre/duesseldorf"),
]
COLOURS = 96  # a palette this size keeps text crisp and a desktop screen near 100 KB


def prepare_database(directory: Path) -> dict:
    """The environment of a fresh demo installation in `directory`, migrated and seeded."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'screenshots.db'}",
        "MAIL_OUTBOX_DIR": str(directory / "mail"),
        "TREFFPUNKT_DEV": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    # "heads": also while parallel work has left migrations that are not chained yet
    for command in (["db", "upgrade", "heads"], ["seed-demo"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)  # nosec B603
    return env


def serve(env: dict):
    """The app in a thread on a free port of 127.0.0.1; returns (base URL, server)."""
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "MAIL_OUTBOX_DIR", "TREFFPUNKT_DEV")})
    sys.path.insert(0, str(ROOT))
    from werkzeug.serving import make_server

    from volunteers import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def photograph(browser, base: str) -> list[Path]:
    taken = []
    for screen, options in SCREENS.items():
        contexts = {}
        for name, email, path in PAGES:
            if email not in contexts:
                contexts[email] = browser.new_context(**options, locale="de-DE", timezone_id="Europe/Berlin")
                log_in(contexts[email].new_page(), base, email)
            page = contexts[email].pages[0]
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            file = OUT / f"{name}-{screen}.png"
            page.screenshot(path=str(file), animations="disabled", caret="hide")
            taken.append(file)
        for context in contexts.values():
            context.close()
    return taken


def shrink(file: Path) -> None:
    """A palette PNG, compressed as far as zlib goes: a tenth of Chromium's RGB file."""
    from PIL import Image

    with Image.open(file) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(file, optimize=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="treffpunkt-screenshots-") as directory:
        base, server = serve(prepare_database(Path(directory)))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                taken = photograph(browser, base)
                browser.close()
        finally:
            server.shutdown()
    for file in taken:
        shrink(file)
    total = sum(file.stat().st_size for file in taken)
    print(f"{len(taken)} screenshots in {OUT.relative_to(ROOT)}, {total / 1024:.0f} KB together")


if __name__ == "__main__":
    main()

"""BITV 2.0 / WCAG 2.1 AA in the browser: axe-core over every page each role can reach (pages
walked from app.url_map, arguments filled from the demo data), no sideways scrolling on a phone,
mirrored Arabic layout, skip link, visible focus, a sign-up by keyboard alone, states written out
instead of shown by colour alone, and the accessibility statement."""

import itertools
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.helpers import PASSWORD
from volunteers.accounts.services import find_user_by_email, password_reset_token
from volunteers.centres.models import Centre, MeetingPoint
from volunteers.core import time
from volunteers.demo.data import DEMO_PASSWORD
from volunteers.extensions import db
from volunteers.hours.models import HoursEntry, ReportPeriod
from volunteers.hours.periods import create_period
from volunteers.shifts.models import PUBLISHED, Shift, ShiftSeries
from volunteers.shifts.planning import cancel_shift

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Plus WCAG 2.2's minimum touch target (24 px, 2.5.8): volunteers use the app on phones.
AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
    rules: {'target-size': {enabled: true}}, resultTypes: ['violations']})"""
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}}
# Every page of every role must fit these phone widths without sideways scrolling (WCAG 1.4.10).
PHONE_WIDTHS = (360, 320)
ROLES = [  # (role, demo account, screen): volunteers and visitors come on phones, staff at desks
    ("anonymous", None, PHONE),
    ("volunteer", "ehrenamt@example.org", PHONE),
    ("coordinator", "koordination@duesseldorf.example", DESK),
    ("lead", "lead@duesseldorf.example", DESK),
    ("state", "land@nrw.example", DESK),
    ("admin", "admin@treffpunkt.example", DESK),
]
# Each role really sees its pages: a broken login or URL must not pass as "no violations".
MINIMUM_PAGES = {"anonymous": 6, "volunteer": 8, "coordinator": 25, "lead": 25, "state": 3, "admin": 3}
# Long words and names as real centres have them: nothing may push a phone screen sideways.
LONG_NAME = "Begegnungszentrumsnachbarschaftsinitiativenräumlichkeiten Düsseldorf-Oberbilk"
LONG_PERSON = "Maximiliane Wilhelmine Mustermann-Schnarrenberger-Leutheusser"
# Files, not pages: nothing of these is rendered as HTML.
NOT_PAGES = {"static"}


@pytest.fixture(scope="module")
def axe_source():
    if AXE.exists():
        return AXE.read_text(encoding="utf-8")
    reason = f"{AXE.relative_to(AXE.parents[2])} is missing: run `npm ci` (make install does)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason + ("" if shutil.which("npm") else "; npm is not installed"))


@pytest.fixture
def demo(demo_data):
    centre = db.session.scalar(sa.select(Centre).where(Centre.slug == "duesseldorf"))
    # The demo has no report period; with one, the periods page shows its table and status.
    create_period(centre=centre, label="2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    db.session.scalar(in_centre_of(MeetingPoint, centre).order_by(MeetingPoint.id)).name = LONG_NAME
    find_user_by_email("ehrenamt@example.org").name = LONG_PERSON
    db.session.commit()
    return centre


def in_centre_of(model, centre):
    return sa.select(model).where(model.centre_id == centre.id)


def argument_values(centre) -> dict[str, list]:
    """Values from Düsseldorf's demo data for every URL argument that GET pages use."""

    def in_centre(model):
        return in_centre_of(model, centre)

    now = time.now()
    volunteer = find_user_by_email("ehrenamt@example.org")
    meeting_point = db.session.scalar(in_centre(MeetingPoint).order_by(MeetingPoint.id))
    upcoming = db.session.scalar(
        in_centre(Shift)
        .where(Shift.status == PUBLISHED, Shift.starts_at > now)
        .order_by(Shift.confirmed_count.desc(), Shift.starts_at)
    )
    past = db.session.scalar(in_centre(Shift).where(Shift.starts_at < now).order_by(Shift.starts_at.desc()))
    return {
        "slug": [centre.slug],
        "meeting_point_id": [meeting_point.id],
        "user_id": [volunteer.id],
        "shift_id": [upcoming.id, past.id],  # before: sign-ups; after: attendance
        "series_id": [db.session.scalar(in_centre(ShiftSeries).order_by(ShiftSeries.id)).id],
        "entry_id": [db.session.scalar(in_centre(HoursEntry).order_by(HoursEntry.id)).id],
        "period_id": [db.session.scalar(in_centre(ReportPeriod)).id],
        "year": [time.to_berlin(now).year],  # the demo's grant
        "code": [meeting_point.checkin_code],
        "token": [password_reset_token(volunteer)],  # feed tokens it does not fit answer 404: skipped
        "certificate_id": [1],  # a PDF download, not a page (test_engagement.py walks its pages)
        "invitation_id": [1],  # the demo has none (404, skipped): tests/browser/test_candidates.py checks it
    }


def page_paths(app, values: dict) -> list[str]:
    """Every GET route with its arguments filled in; a new route is walked without anyone adding it."""
    paths = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        missing = rule.arguments - values.keys()
        assert not missing, f"{rule.rule}: add a demo value for {missing} in argument_values()"
        names = sorted(rule.arguments)
        for combination in itertools.product(*(values[name] for name in names)):
            path = rule.rule
            for name, value in zip(names, combination, strict=True):
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
            paths.append(path)
    return list(dict.fromkeys(paths))


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def is_html_page(context, url: str) -> bool:
    """200 with HTML: redirects, 403/404 and JSON, iCal, CSV, PDF or XLSX answers are not pages."""
    response = context.request.get(url, max_redirects=0)
    return response.status == 200 and response.headers.get("content-type", "").startswith("text/html")


def axe_problems(page, label: str) -> list[str]:
    # From the top: axe measures targets as far as they are on screen, and a page that moved the
    # focus to its first invalid field has scrolled the header partly away.
    page.evaluate("window.scrollTo(0, 0)")
    result = page.evaluate(AXE_RUN, AXE_TAGS)
    return [
        f"{label}: {v['id']} ({v['impact']}) – {v['help']}, {len(v['nodes'])} element(s):\n      "
        + "\n      ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:6])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# The innermost elements that reach past the screen's edge, unless a scrolling box holds them.
OVERFLOWING = """(width) => {
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const scrolledAway = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible' && !sticksOut(up)) return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  return [...document.body.querySelectorAll('*')]
    .filter((el) => sticksOut(el) && ![...el.children].some(sticksOut) && !scrolledAway(el))
    .slice(0, 4).map((el) => `${name(el)} to ${Math.round(el.getBoundingClientRect().right)} px`);
}"""


def overflow_problems(page, label: str) -> list[str]:
    """Sideways scrolling at each phone width, with the elements that cause it."""
    problems, screen = [], page.viewport_size
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if page_width > width:
            culprits = ", ".join(page.evaluate(OVERFLOWING, width))
            problems.append(f"{label}: {page_width} px wide on a {width} px screen ({culprits})")
    page.set_viewport_size(screen)
    return problems


def check_page(page, label: str) -> list[str]:
    return axe_problems(page, label) + overflow_problems(page, label)


def walk_role(browser, base, axe_source, paths, role, email, screen) -> tuple[list[str], int]:
    # Without the service worker every request goes straight to the server: faster, same pages.
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", service_workers="block", **screen)
    context.add_init_script(axe_source)  # in every document, before the CSP could object
    page = context.new_page()
    if email:
        log_in(page, base, email)
    problems, checked = [], 0
    for path in paths:
        if not is_html_page(context, base + path):
            continue
        page.goto(base + path)
        problems += check_page(page, f"{role} {path}")
        checked += 1
    if role == "anonymous":
        problems += check_error_states(page, base)
    context.close()
    return problems, checked


def check_error_states(page, base: str) -> list[str]:
    """The not-found page and a form that comes back with errors."""
    page.goto(base + "/no-such-page")
    problems = check_page(page, "anonymous 404 page")
    page.goto(base + "/register")
    page.get_by_label("Name").fill("Test")
    page.get_by_label("E-Mail-Adresse").fill("test@example.org")
    page.get_by_label("Passwort", exact=True).fill("kurz-aber-lang-genug-1")
    page.get_by_label("Passwort wiederholen").fill("etwas-anderes-123")
    page.get_by_label("Kommunales Integrationszentrum").select_option("duesseldorf")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Konto anlegen").click()
    page.wait_for_selector("[aria-invalid=true]")
    page.wait_for_load_state()  # axe checks the whole page, not only its first field
    return problems + check_page(page, "anonymous /register with errors")


@pytest.mark.parametrize(("role", "email", "screen"), ROLES, ids=[role for role, *_ in ROLES])
def test_every_page_passes_axe_and_fits_a_phone(app, live_server, browser, demo, axe_source, role, email, screen):
    paths = page_paths(app, argument_values(demo))
    problems, checked = walk_role(browser, live_server, axe_source, paths, role, email, screen)
    assert checked >= MINIMUM_PAGES[role], checked
    assert not problems, "\n" + "\n".join(problems)


# --- language, keyboard, focus, colour --------------------------------------------------------


def test_arabic_pages_are_right_to_left_and_mirrored(live_server, browser, make_centre, axe_source):
    make_centre("duesseldorf")
    context = browser.new_context(locale="de-DE", service_workers="block", **DESK)
    context.add_init_script(axe_source)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="العربية").click()
    # A locator, not a polled script: during the redirect there is a moment without a document.
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.wait_for_load_state()  # the boxes below are measured with the stylesheet applied
    assert page.get_attribute("html", "lang") == "ar"
    header, brand = page.locator(".site-header").bounding_box(), page.locator(".brand").bounding_box()
    nav = page.locator(".site-header nav").bounding_box()
    # The brand sits at the right edge, the navigation follows it towards the left.
    assert header["x"] + header["width"] - (brand["x"] + brand["width"]) < 40, (header, brand)
    assert nav["x"] + nav["width"] <= brand["x"] + 1, (nav, brand)
    assert axe_problems(page, "anonymous / in Arabic") == []
    context.close()


def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(live_server, page):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("class") == "skip-link"
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside main, not back in the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


FOCUS_STYLE = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40),
          visible: outline || style.boxShadow !== 'none'};
}"""


@pytest.mark.parametrize("path", ["/", "/login"])
def test_every_link_and_button_shows_where_the_focus_is(live_server, page, make_centre, path):
    make_centre("duesseldorf")
    page.goto(live_server + path)
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        stops.append(page.evaluate(FOCUS_STYLE))
    assert {stop["tag"] for stop in stops} >= {"A", "BUTTON"}, stops
    assert [stop for stop in stops if not stop["visible"]] == []


FOCUSED_NAME = """() => {
  const el = document.activeElement;
  return ((el.labels && el.labels[0] && el.labels[0].innerText) || el.getAttribute('aria-label')
          || el.innerText || '').trim();
}"""


def tab_to(page, name: str, presses: int = 60) -> None:
    """Press Tab until the focused element's label or text starts with `name`, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_volunteer_signs_up_for_a_shift_with_the_keyboard_only(
    live_server, page, make_centre, make_meeting_point, make_user, make_shift
):
    centre = make_centre("duesseldorf")
    make_shift(make_meeting_point(centre))
    volunteer = make_user("volunteer", centre)
    page.goto(live_server + "/login")
    tab_to(page, "E-Mail-Adresse")
    page.keyboard.type(volunteer.email)
    tab_to(page, "Passwort")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/")
    tab_to(page, "Offene Schichten")
    page.keyboard.press("Enter")
    page.wait_for_url("**/shifts")
    tab_to(page, "Eintragen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Sie sind eingetragen. Danke!")


def test_the_week_plan_writes_out_every_state_its_colours_show(
    live_server, page, make_centre, make_meeting_point, make_user, make_shift
):
    centre = make_centre("duesseldorf")
    coordinator = make_user("coordinator", centre)
    understaffed = make_shift(make_meeting_point(centre), capacity_min=2, capacity_max=3)
    make_shift(make_meeting_point(centre), publish=False)
    cancel_shift(shift=make_shift(make_meeting_point(centre)), reason="Raum nicht verfügbar")
    db.session.commit()
    log_in(page, live_server, coordinator.email, PASSWORD)
    day = time.to_berlin(understaffed.starts_at).date().isoformat()
    page.goto(f"{live_server}/centres/duesseldorf/plan?week={day}")
    expect(page.locator("li.plan-shift")).to_have_count(3)
    # Every style that colours a shift comes with its word, so nothing depends on seeing colour.
    for selector, word in [
        ("li.plan-shift-low", "unterbesetzt"),
        ("li.plan-shift-cancelled", "abgesagt"),
        ("li.plan-shift:has(.badge-draft)", "Entwurf"),
    ]:
        expect(page.locator(selector)).to_have_count(1)
        expect(page.locator(selector)).to_contain_text(word)


def test_the_accessibility_statement_is_linked_from_every_page(live_server, page):
    page.goto(live_server + "/privacy")
    page.get_by_role("contentinfo").get_by_role("link", name="Barrierefreiheit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erklärung zur Barrierefreiheit")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        [
            "Stand der Vereinbarkeit mit den Anforderungen",
            "Nicht barrierefreie Inhalte",
            "Erstellung dieser Erklärung",
            "Barrieren melden: Kontakt",
            "Durchsetzungsverfahren",
        ]
    )
    main = page.locator("main")
    for text in [
        "Teilweise vereinbar.",
        "1. Dezember 2026",
        "axe-core",
        "Ombudsstelle für barrierefreie Informationstechnik",
    ]:
        expect(main).to_contain_text(text)

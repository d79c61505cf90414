"""A volunteer on a phone sees how far they are from the Ehrenamtskarte and downloads a certificate;
the public check page shows only the allowed facts. axe finds nothing serious on either page."""

from datetime import timedelta

import pytest

from tests.browser.test_accessibility import AXE, AXE_RUN, AXE_TAGS, PHONE
from tests.helpers import PASSWORD
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours

pytestmark = pytest.mark.browser


@pytest.fixture
def olena(app, today, make_centre, make_meeting_point, make_user):
    app.config["HOURS_MAX_DAYS_BACK"] = 1200
    centre = make_centre("siegen-browser", name="KI Kreis Siegen-Wittgenstein")
    place = make_meeting_point(centre, name="Treffpunkt Kreishaus")
    coordinator = make_user("coordinator", centre, email="koordination@example.org")
    volunteer = make_user("volunteer", centre, name="Олена Коваленко", email="olena@example.org")
    for days_ago, minutes in ((800, 60), (10, 600), (11, 600), (12, 300)):
        entry, _new = log_hours(
            centre=centre,
            person=volunteer,
            values=HoursInput(
                work_date=today - timedelta(days=days_ago), minutes=minutes, activity="sprachcafe", meeting_point=place
            ),
        )
        approve(entry=entry, by=coordinator)
    db.session.commit()
    return volunteer


def serious_axe_problems(page) -> list[str]:
    result = page.evaluate(AXE_RUN, AXE_TAGS)
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_volunteer_on_a_phone_sees_progress_downloads_a_certificate_and_the_check_page_says_little(
    live_server, browser, olena
):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run npm ci")
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", service_workers="block", **PHONE)
    context.add_init_script(AXE.read_text(encoding="utf-8"))  # before the CSP could object
    page = context.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail-Adresse").fill("olena@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server + "/")
    page.get_by_role("link", name="Mein Engagement").first.click()
    page.wait_for_url(live_server + "/engagement")
    progress = page.locator(".engagement-progress")
    assert "25:00 h von 200 h" in progress.inner_text()
    assert "Es fehlen noch 175:00 h" in progress.inner_text()
    assert serious_axe_problems(page) == [] and fits_the_screen(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Nachweis als PDF herunterladen").click()
    download = download_info.value
    assert download.suggested_filename.startswith("ehrenamtsnachweis-") and download.suggested_filename.endswith(".pdf")
    page.goto(live_server + "/engagement")
    code = page.locator(".cards code").first.inner_text()

    anonymous = browser.new_context(locale="de-DE", service_workers="block", **PHONE)
    anonymous.add_init_script(AXE.read_text(encoding="utf-8"))
    stranger = anonymous.new_page()
    stranger.goto(f"{live_server}/verify/{code}")
    text = stranger.locator("main").inner_text()
    assert "Das Zentrum hat diesen Nachweis ausgestellt." in text
    assert "Олена Коваленко" in text and "KI Kreis Siegen-Wittgenstein" in text and "25:00 h" in text
    for private in ("olena@example.org", "Sprachcafé", "Treffpunkt Kreishaus"):
        assert private not in stranger.content()
    assert serious_axe_problems(stranger) == [] and fits_the_screen(stranger)
    anonymous.close()
    context.close()


def test_the_coordinators_ehrenamtskarte_list_and_settings_pass_axe_on_a_phone(live_server, browser, olena):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run npm ci")
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", service_workers="block", **PHONE)
    context.add_init_script(AXE.read_text(encoding="utf-8"))
    page = context.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server + "/")  # "/**" would match /login itself
    page.goto(live_server + "/centres/siegen-browser/")
    page.get_by_role("link", name="Ehrenamtskarte").click()
    page.wait_for_url(live_server + "/centres/siegen-browser/ehrenamtskarte")
    assert "Bald so weit" in page.locator("main").inner_text()
    assert serious_axe_problems(page) == [] and fits_the_screen(page)
    page.goto(live_server + "/centres/siegen-browser/settings")
    assert page.get_by_label("Ehrenamtskarte: Stunden im Jahr").input_value() == "200"
    assert serious_axe_problems(page) == [] and fits_the_screen(page)
    context.close()

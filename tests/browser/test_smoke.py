from playwright.sync_api import expect

from tests.helpers import PASSWORD
from tests.mail.mailbox import deliver_mails, link_path


def test_volunteer_registers_on_a_phone_and_switches_language(app, live_server, page, console_errors, make_centre):
    make_centre("duesseldorf", name="Kommunales Integrationszentrum Düsseldorf")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server + "/register")
    page.get_by_label("Name").fill("Yusuf Al-Hassan")
    page.get_by_label("E-Mail-Adresse").fill("yusuf@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Kommunales Integrationszentrum").select_option("duesseldorf")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen").check()
    page.get_by_role("button", name="Konto anlegen").click()
    page.wait_for_url(live_server + "/register/sent")
    assert "Wir haben Ihnen eine E-Mail geschickt" in page.get_by_role("status").inner_text()
    # The worker sends the confirmation mail; its link opens a page with the button that confirms.
    [mail] = deliver_mails(app)
    page.goto(live_server + link_path(mail, "/register/confirm/"))
    page.get_by_role("button", name="Registrierung abschließen").click()
    page.wait_for_url(live_server + "/")
    assert "Hallo Yusuf Al-Hassan" in page.inner_text("h1")
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="العربية").click()
    # wait_for_load_state() would return at once on the page before the redirect.
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.get_attribute("html", "lang") == "ar"
    assert console_errors == []


def test_wrong_password_shows_the_german_message(live_server, page, console_errors, make_user):
    user = make_user()
    page.goto(live_server + "/login")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert page.get_by_role("alert").inner_text() == "E-Mail-Adresse oder Passwort ist falsch."
    # The 401 is expected; nothing else may complain.
    assert [e for e in console_errors if "401" not in e] == []

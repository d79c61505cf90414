"""Done means, tried as a new user would: a coordinator plans a month of recurring shifts, a
volunteer takes one from a phone-sized screen."""

from playwright.sync_api import expect

from tests.helpers import PASSWORD


def log_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def test_coordinator_plans_a_month_and_a_volunteer_signs_up_on_a_phone(
    live_server, browser, make_centre, make_meeting_point, make_user
):
    centre = make_centre("duesseldorf", name="Kommunales Integrationszentrum Düsseldorf")
    make_meeting_point(centre, name="Treffpunkt Oberbilk", languages=["de", "ar"])
    coordinator = make_user("coordinator", centre, email="koordination@duesseldorf.example")
    volunteer = make_user("volunteer", centre, email="ehrenamt@example.org", name="Maria Schneider")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE").new_page()
    errors = []
    desk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(desk, live_server, coordinator.email)
    desk.get_by_role("link", name="Kommunales Integrationszentrum Düsseldorf").first.click()
    desk.get_by_role("link", name="Wochenplan").click()
    desk.get_by_role("link", name="Neue Serie (wiederkehrend)").click()
    desk.get_by_label("Erster Termin").fill("2030-03-05")
    desk.get_by_label("Wiederholung").select_option("weekly")
    desk.get_by_label("Bis einschließlich").fill("2030-04-02")
    desk.get_by_label("Tätigkeit").select_option("sprachcafe")
    desk.get_by_label("Beginn").fill("16:00")
    desk.get_by_label("Ende", exact=True).fill("18:00")
    desk.get_by_label("Höchstens Plätze").fill("3")
    desk.get_by_label("Arabisch").check()
    desk.get_by_label("Sofort veröffentlichen").check()
    desk.get_by_role("button", name="Serie anlegen").click()
    expect(desk.get_by_role("status")).to_have_text("Die Serie ist angelegt.")
    expect(desk.locator("main li", has_text="0 von 3 Plätzen belegt")).to_have_count(5)
    assert errors == []

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="de-DE", is_mobile=True, has_touch=True
    ).new_page()
    log_in(phone, live_server, volunteer.email)
    phone.get_by_role("button", name="Menü").tap()  # on a phone the navigation sits behind it
    phone.get_by_role("navigation").get_by_role("link", name="Offene Schichten").click()
    phone.get_by_label("ab").fill("2030-03-01")
    phone.get_by_role("button", name="Anzeigen").click()
    phone.wait_for_url("**from=2030-03-01**")
    first_card = phone.locator(".shift-card").first
    assert "5. März" in first_card.inner_text()
    first_card.get_by_role("button", name="Eintragen").tap()
    expect(phone.get_by_role("status")).to_have_text("Sie sind eingetragen. Danke!")
    phone.wait_for_load_state()  # the whole new page, not only its message
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("button", name="Menü").tap()
    phone.get_by_role("navigation").get_by_role("link", name="Meine Schichten").click()
    expect(phone.locator("main .badge-confirmed")).to_have_text("bestätigt")

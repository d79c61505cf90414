"""The centre lead's grant pages, through the test client: entering this year's grant changes the
report, changing one is in the audit trail, invalid values change nothing, and only the lead (and
the admin) may open them."""

from decimal import Decimal

import pytest

from tests.grants.records import grant_events, stored_grants
from tests.helpers import post_form
from volunteers.extensions import db
from volunteers.grants.services import GrantValues, set_grant
from volunteers.hours.services import HoursInput, approve, log_hours

FORM = {
    "programme": "KommAn-NRW",
    "amount_eur": "223.000,00",
    "valuation_rate_eur": "12,50",
    "cap_kind": "none",
    "in_kind_cap_amount_eur": "",
    "in_kind_cap_percent": "",
    "eligible_costs_eur": "",
    "note": "Bescheid vom 3. März",
}


def page_text(response) -> str:
    return response.get_data(as_text=True).replace("\u00a0", " ")


def a_grant(world, year: int, **values):
    grant, _created = set_grant(
        centre=world.home,
        year=year,
        values=GrantValues(**{"amount_eur": Decimal("100000"), "valuation_rate_eur": Decimal("10"), **values}),
        by=world.lead,
    )
    db.session.commit()
    return grant


def test_a_lead_enters_this_years_grant_and_the_report_values_the_hours(client, login, world, today):
    volunteer_entry, _created = log_hours(
        centre=world.home,
        person=world.volunteer,
        values=HoursInput(work_date=today, minutes=150, activity="sprachcafe"),
    )
    approve(entry=volunteer_entry, by=world.coordinator)
    db.session.commit()
    login(user=world.lead)
    report = f"/reports/centre/{world.home.slug}?format=json"
    assert client.get(report).get_json()["in_kind_value_eur"] in (0, None)  # no grant, no rate

    overview = page_text(client.get(f"/centres/{world.home.slug}/"))
    assert f'href="/centres/{world.home.slug}/grants"' in overview
    form = client.get(f"/centres/{world.home.slug}/grants/new")
    assert form.status_code == 200 and f'value="{today.year}"' in page_text(form)
    response = post_form(client, f"/centres/{world.home.slug}/grants/new", {**FORM, "year": str(today.year)})
    assert response.status_code == 302, page_text(response)[:2000]

    assert client.get(report).get_json()["in_kind_value_eur"] == 31.25  # 2.5 hours at 12.50 EUR
    [grant] = stored_grants()
    assert (grant.year, grant.amount_eur, grant.valuation_rate_eur) == (today.year, Decimal("223000"), Decimal("12.5"))
    assert grant.in_kind_cap_eur is None and grant.note == "Bescheid vom 3. März"
    listing = page_text(client.get(response.headers["Location"]))
    assert "223.000,00 €" in listing and "12,50 €" in listing and "Bescheid vom 3. März" in listing


def test_the_lead_changes_a_grant_and_the_audit_trail_says_who_and_what(client, login, world):
    grant = a_grant(world, 2026)
    login(user=world.lead)
    page = client.get(f"/centres/{world.home.slug}/grants/2026")
    assert page.status_code == 200 and 'value="100.000,00"' in page_text(page)
    changes = {
        **FORM,
        "amount_eur": "100.000",
        "valuation_rate_eur": "15",
        "cap_kind": "percent",
        "in_kind_cap_percent": "20",
        "eligible_costs_eur": "80.000,00",
        "note": "",
    }
    response = post_form(client, f"/centres/{world.home.slug}/grants/2026", changes)
    assert response.status_code == 302, page_text(response)[:2000]

    [stored] = stored_grants()
    assert (stored.valuation_rate_eur, stored.in_kind_cap_percent) == (Decimal("15"), Decimal("20"))
    assert stored.in_kind_cap_eur == Decimal("16000.00")  # 20 % of the eligible costs
    created, updated = grant_events()
    assert (created.action, updated.action) == ("created", "updated")
    assert updated.actor_id == world.lead.id and updated.entity_id == grant.id and updated.created_at
    assert updated.before["valuation_rate_eur"] == "10.00" and updated.after["valuation_rate_eur"] == "15.00"
    assert (updated.before["in_kind_cap_percent"], updated.after["in_kind_cap_percent"]) == (None, "20.00")
    assert updated.after["eligible_costs_eur"] == "80000.00"
    history = page_text(client.get(f"/centres/{world.home.slug}/grants/2026"))
    assert "Leiterin Özdemir" in history and "10,00 € → 15,00 €" in history
    assert "20 % von 80.000,00 € = 16.000,00 €" in page_text(client.get(f"/centres/{world.home.slug}/grants"))


def test_a_cap_as_an_amount_replaces_a_percentage(client, login, world):
    a_grant(world, 2026, in_kind_cap_percent=Decimal("20"), eligible_costs_eur=Decimal("50000"))
    login(user=world.lead)
    changes = {**FORM, "cap_kind": "amount", "in_kind_cap_amount_eur": "5.000", "in_kind_cap_percent": "20"}
    assert post_form(client, f"/centres/{world.home.slug}/grants/2026", changes).status_code == 302
    [stored] = stored_grants()
    assert (stored.in_kind_cap_amount_eur, stored.in_kind_cap_percent, stored.eligible_costs_eur) == (
        Decimal("5000"),
        None,
        None,
    )
    assert stored.in_kind_cap_eur == Decimal("5000")


def test_saving_the_same_values_again_adds_no_audit_event(client, login, world):
    a_grant(world, 2026, note="Bescheid")
    login(user=world.lead)
    same = {**FORM, "amount_eur": "100.000,00", "valuation_rate_eur": "10,00", "note": "Bescheid"}
    assert post_form(client, f"/centres/{world.home.slug}/grants/2026", same).status_code == 302
    assert [event.action for event in grant_events()] == ["created"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"amount_eur": "-5"}, "Bitte einen Betrag ab 0 angeben."),
        ({"amount_eur": "12,345"}, "Bitte höchstens zwei Nachkommastellen angeben."),
        ({"amount_eur": "1.000.000.000"}, "Bitte höchstens 100.000.000,00 € angeben."),
        ({"amount_eur": "zweihundert"}, "Bitte eine Zahl wie 223.000,00 angeben."),
        ({"amount_eur": ""}, "Bitte füllen Sie dieses Feld aus."),
        ({"valuation_rate_eur": "0"}, "Der Wert einer Stunde muss größer als 0 sein."),
        ({"valuation_rate_eur": "501"}, "Bitte höchstens 500,00 € angeben."),
        ({"cap_kind": "percent", "in_kind_cap_percent": "101"}, "Bitte einen Prozentsatz von 0 bis 100 angeben."),
        ({"cap_kind": "percent", "in_kind_cap_percent": "20", "eligible_costs_eur": "-1"}, "Betrag ab 0"),
        ({"cap_kind": "percent"}, "Bitte geben Sie den Prozentsatz an."),
        ({"cap_kind": "amount"}, "Bitte geben Sie den Höchstbetrag an."),
        ({"cap_kind": "amount", "in_kind_cap_amount_eur": "0,001"}, "zwei Nachkommastellen"),
        ({"year": "1999"}, "Bitte ein Jahr von 2000 bis"),
        ({"year": "zwanzig"}, "Zahl"),
        ({"programme": " "}, "Bitte füllen Sie dieses Feld aus."),
        ({"programme": "P" * 61}, "Höchstens 60 Zeichen."),
        ({"note": "x" * 501}, "Höchstens 500 Zeichen."),
    ],
)
def test_invalid_values_change_nothing_and_say_why_in_german(client, login, world, today, changes, message):
    login(user=world.lead)
    response = post_form(client, f"/centres/{world.home.slug}/grants/new", {**FORM, "year": today.year, **changes})
    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    assert 'aria-invalid="true"' in text
    assert stored_grants() == [] and grant_events() == []


def test_every_problem_is_shown_at_once(client, login, world, today):
    login(user=world.lead)
    bad = {**FORM, "year": today.year, "amount_eur": "-1", "valuation_rate_eur": "0", "note": "x" * 501}
    text = page_text(post_form(client, f"/centres/{world.home.slug}/grants/new", bad))
    for message in ("Betrag ab 0", "größer als 0", "Höchstens 500 Zeichen."):
        assert message in text


def test_invalid_changes_leave_the_grant_as_it_was(client, login, world):
    a_grant(world, 2026)
    login(user=world.lead)
    response = post_form(client, f"/centres/{world.home.slug}/grants/2026", {**FORM, "valuation_rate_eur": "-3"})
    assert response.status_code == 422
    [stored] = stored_grants()
    assert stored.valuation_rate_eur == Decimal("10")
    assert [event.action for event in grant_events()] == ["created"]


def test_a_second_grant_for_the_same_year_is_refused(client, login, world):
    a_grant(world, 2026)
    login(user=world.lead)
    response = post_form(client, f"/centres/{world.home.slug}/grants/new", {**FORM, "year": "2026"})
    assert response.status_code == 422
    assert "Für 2026 ist schon eine Förderung eingetragen." in page_text(response)
    [stored] = stored_grants()
    assert stored.amount_eur == Decimal("100000")


def test_a_year_without_grant_leads_to_the_new_form(client, login, world):
    login(user=world.lead)
    response = client.get(f"/centres/{world.home.slug}/grants/2027")
    assert response.status_code == 302 and response.headers["Location"].endswith("/grants/new?year=2027")
    assert 'value="2027"' in page_text(client.get(response.headers["Location"]))


def test_numbers_are_read_as_the_page_language_writes_them(client, login, world):
    login(user=world.lead)
    client.set_cookie("locale", "en")
    page = page_text(client.get(f"/centres/{world.home.slug}/grants/new"))
    assert "Hourly value of volunteer work in euros" in page
    english = {**FORM, "year": "2026", "amount_eur": "1,234.50", "valuation_rate_eur": "12.5"}
    response = post_form(client, f"/centres/{world.home.slug}/grants/new", english)
    assert response.status_code == 302, page_text(response)[:2000]
    [stored] = stored_grants()
    assert (stored.amount_eur, stored.valuation_rate_eur) == (Decimal("1234.5"), Decimal("12.5"))


def test_the_admin_manages_any_centres_grants(client, login, world):
    login("admin")
    assert client.get(f"/centres/{world.home.slug}/grants").status_code == 200
    response = post_form(client, f"/centres/{world.home.slug}/grants/new", {**FORM, "year": "2026"})
    assert response.status_code == 302
    [event] = grant_events()
    assert event.action == "created" and event.actor.is_admin


@pytest.mark.parametrize(
    "who, status",
    [("lead", 200), ("admin", 200), ("coordinator", 403), ("volunteer", 404), ("state", 404), ("other_lead", 404)],
)
@pytest.mark.parametrize("path", ["/grants", "/grants/new", "/grants/2026"])
def test_who_may_open_the_grant_pages(client, login, make_user, world, who, status, path):
    a_grant(world, 2026)
    user = getattr(world, who, None) or make_user(who)
    login(user=user)
    assert client.get(f"/centres/{world.home.slug}{path}").status_code == status


@pytest.mark.parametrize("who, status", [("coordinator", 403), ("volunteer", 404), ("other_lead", 404)])
def test_who_may_not_save_a_grant(client, login, world, who, status):
    login(user=getattr(world, who))
    response = post_form(client, f"/centres/{world.home.slug}/grants/new", {**FORM, "year": "2026"})
    assert response.status_code == status
    assert stored_grants() == []


def test_the_centre_overview_links_the_grants_for_the_lead_only(client, login, world):
    login(user=world.coordinator)
    assert "/grants" not in page_text(client.get(f"/centres/{world.home.slug}/"))


def test_visitors_are_sent_to_the_login(client, world):
    response = client.get(f"/centres/{world.home.slug}/grants")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

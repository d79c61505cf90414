"""The Ehrenamtskarte rule (engagement/policy.py) on its own, and as the page and the
coordinators' list show it, counted as the KommAn report counts hours."""

from datetime import date, datetime, timedelta

import pytest

from tests.helpers import login, post_form
from volunteers.core import time
from volunteers.engagement.policy import Criteria, anniversary, ehrenamtskarte_progress, last_twelve_months
from volunteers.engagement.queries import progress_of, volunteers_progress
from volunteers.extensions import db
from volunteers.hours.services import HoursInput, approve, log_hours
from volunteers.reports.documents import hours_list
from volunteers.reports.figures import Period, centre_figures

NRW = Criteria(hours_per_year=200, hours_per_week=4, min_years=2)
TODAY = date(2026, 11, 18)  # the rule on its own takes the day as an argument: the clock plays no part


def progress(minutes, first_day, criteria=NRW, today=TODAY):
    return ehrenamtskarte_progress(criteria=criteria, minutes_last_year=minutes, first_day=first_day, today=today)


def test_200_hours_in_12_months_and_two_years_meet_the_criteria():
    met = progress(200 * 60, date(2024, 11, 18))
    assert met.is_met and met.missing_minutes == 0 and met.years_engaged == 2.0


def test_one_minute_short_of_200_hours_is_not_met_and_says_what_is_missing():
    short = progress(200 * 60 - 1, date(2024, 11, 18))
    # 11,999 minutes over 52 weeks is under 4 h a week too
    assert not short.is_met and short.missing_minutes == 1 and not short.meets_weekly_hours


def test_two_years_less_one_day_is_not_enough_and_names_the_day_it_will_be():
    young = progress(300 * 60, date(2024, 11, 19))
    assert not young.is_met and not young.meets_duration
    assert young.duration_reached_on == date(2026, 11, 19) and young.years_engaged == 1.9


def test_the_weekly_average_counts_only_the_weeks_since_the_first_hours():
    # Started eight weeks ago, 4 h every week: 32 h, far from 200 h, but 4 h a week on average.
    recent = progress(32 * 60, TODAY - timedelta(days=55), criteria=Criteria(200, 4, 0))
    assert recent.meets_weekly_hours and recent.is_met and recent.weekly_minutes == 240


def test_the_centre_sets_its_own_criteria():
    assert not progress(210 * 60, date(2020, 1, 1), criteria=Criteria(250, 5, 2)).is_met
    assert progress(260 * 60, date(2020, 1, 1), criteria=Criteria(250, 5, 2)).is_met


@pytest.mark.parametrize(
    ("today", "first_day", "last_day"),
    [
        (date(2028, 2, 29), date(2027, 3, 1), date(2028, 2, 29)),  # 366 days: the window holds the leap day
        (date(2028, 2, 28), date(2027, 3, 1), date(2028, 2, 28)),
        (date(2028, 3, 1), date(2027, 3, 2), date(2028, 3, 1)),
        (date(2029, 2, 28), date(2028, 2, 29), date(2029, 2, 28)),
        (date(2027, 1, 1), date(2026, 1, 2), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_the_last_12_months_end_today_and_start_the_day_after_a_year_before(today, first_day, last_day):
    assert last_twelve_months(today) == (first_day, last_day)


def test_the_weekly_average_of_a_leap_window_counts_its_366_days():
    # 210 h are 241 minutes a week over 366 days, 242 over 365.
    assert progress(210 * 60, date(2020, 1, 1), today=date(2028, 2, 29)).weekly_minutes == 241
    assert progress(210 * 60, date(2020, 1, 1), today=date(2027, 2, 28)).weekly_minutes == 242


@pytest.mark.parametrize(
    ("first_day", "years", "reached_on"),
    [
        (date(2028, 2, 29), 2, date(2030, 3, 1)),  # no 29 February in 2030: the two years end on the 28th
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
        (date(2028, 2, 28), 2, date(2030, 2, 28)),
        (date(2026, 12, 31), 2, date(2028, 12, 31)),
    ],
)
def test_the_duration_is_reached_on_the_day_it_says_and_not_before(first_day, years, reached_on):
    criteria = Criteria(200, 4, years)
    assert anniversary(first_day, years) == reached_on
    on_the_day = progress(300 * 60, first_day, criteria=criteria, today=reached_on)
    day_before = progress(300 * 60, first_day, criteria=criteria, today=reached_on - timedelta(days=1))
    assert on_the_day.is_met and on_the_day.duration_reached_on == reached_on
    assert on_the_day.years_engaged == years
    assert not day_before.meets_duration and day_before.years_engaged == years - 0.1


def test_nobody_without_hours_is_close_or_met():
    nothing = progress(0, None)
    assert not nothing.is_met and not nothing.is_close and nothing.years_engaged == 0.0


def test_close_means_three_quarters_of_hours_and_of_duration():
    assert progress(150 * 60, date(2024, 1, 1)).is_close
    assert not progress(149 * 60, date(2024, 1, 1)).is_close
    assert not progress(300 * 60, date(2025, 6, 1)).is_close  # 1.4 of 2 years


def test_only_approved_hours_count_exactly_as_in_the_kommAn_report(world, today):
    world.hours(world.volunteer, 10, 120)
    world.hours(world.volunteer, 20, 90, activity="behoerdenbegleitung")
    world.hours(world.volunteer, 30, 600, decide="reject")
    world.hours(world.volunteer, 40, 600, decide=None)  # still waiting
    world.hours(world.volunteer, 400, 60)  # more than 12 months ago: only the start counts
    found = progress_of(world.centre, world.volunteer, today)
    window = Period(time.years_before(today, 1) + timedelta(days=1), today)
    report = centre_figures(world.centre, window)
    assert found.minutes_last_year == 210 == report["volunteer_minutes"]
    assert found.minutes_last_year == sum(e.minutes for e in hours_list(world.centre, world.volunteer, window))
    assert found.first_day == today - timedelta(days=400)


def test_hours_in_another_centre_do_not_count_here(world, today, make_centre, make_user):
    world.hours(world.volunteer, 10, 120)
    other = make_centre("anderswo")
    assert progress_of(other, world.volunteer, today).minutes_last_year == 0


# --- the pages -------------------------------------------------------------------------------


def test_the_volunteer_sees_progress_and_what_is_missing(world, client):
    world.hours(world.volunteer, 800, 60)
    world.spread(world.volunteer, 150 * 60)
    login(client, world.volunteer)
    page = client.get("/engagement").get_data(as_text=True)
    assert "Ehrenamtskarte NRW" in page and "Noch nicht erfüllt" in page
    assert "150:00 h von 200 h" in page
    assert "Es fehlen noch 50:00 h" in page
    assert "Kommune" in page  # the municipality decides; other organisations may add hours


def test_the_volunteer_who_meets_the_criteria_is_told(world, client):
    world.hours(world.volunteer, 800, 60)
    world.spread(world.volunteer, 200 * 60)
    login(client, world.volunteer)
    assert "Voraussetzungen erfüllt" in client.get("/engagement").get_data(as_text=True)


def test_the_coordinators_list_shows_who_meets_and_who_is_close(world, client, make_user):
    almost = make_user("volunteer", world.centre, name="Amal Haddad")
    far = make_user("volunteer", world.centre, name="Fern Weit")
    world.hours(world.volunteer, 800, 60)
    world.spread(world.volunteer, 200 * 60)
    world.hours(almost, 800, 60)
    world.spread(almost, 160 * 60)
    world.hours(far, 5, 60)
    rows = {row.user.name: row.progress for row in volunteers_progress(world.centre, world.today)}
    login(client, world.coordinator)
    page = client.get(f"/centres/{world.centre.slug}/ehrenamtskarte").get_data(as_text=True)
    met, close = page.split("Bald so weit")
    assert "Олена Коваленко" in met and "Amal Haddad" not in met
    assert "Amal Haddad" in close and "Fern Weit" not in page
    assert "1 weitere Person" in close
    assert rows["Олена Коваленко"].is_met and rows["Amal Haddad"].is_close and not rows["Fern Weit"].is_close


def test_another_centres_coordinator_sees_no_list_and_no_confirmation(world, client, make_centre, make_user):
    world.hours(world.volunteer, 5, 60)
    stranger = make_user("coordinator", make_centre("fremd"))
    login(client, stranger)
    assert client.get(f"/centres/{world.centre.slug}/ehrenamtskarte").status_code == 404
    assert client.get(f"/centres/{world.centre.slug}/ehrenamtskarte/{world.volunteer.id}.pdf").status_code == 404
    assert client.get(f"/centres/fremd/ehrenamtskarte/{world.volunteer.id}.pdf").status_code == 404


def test_a_volunteer_cannot_open_the_coordinators_list(world, client):
    login(client, world.volunteer)
    assert client.get(f"/centres/{world.centre.slug}/ehrenamtskarte").status_code == 404


def test_the_confirmation_pdf_states_kind_and_extent_and_is_in_the_audit_trail(world, client):
    from volunteers.audit.models import AuditEvent
    from volunteers.audit.words import describe_event

    world.spread(world.volunteer, 200 * 60, activity="dolmetschen")
    login(client, world.coordinator)
    response = client.get(f"/centres/{world.centre.slug}/ehrenamtskarte/{world.volunteer.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Bestätigung über Art und Umfang der ehrenamtlichen Tätigkeit" in text
    assert "Олена Коваленко" in text and "Dolmetschen" in text and "200:00 Std." in text
    assert "Lena Leitung" in text and "KI Kreis Siegen-Wittgenstein" in text
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.entity == "ehrenamtskarte_confirmation")).one()
    assert describe_event(event, "de") == "Bestätigung für die Ehrenamtskarte von Олена Коваленко erstellt"


# --- the centre's settings -------------------------------------------------------------------


def test_the_criteria_are_settings_of_the_centre_with_nrw_defaults(world, client):
    assert (world.centre.ehrenamtskarte_hours_per_year, world.centre.ehrenamtskarte_hours_per_week) == (200, 4)
    assert world.centre.ehrenamtskarte_min_years == 2
    login(client, world.coordinator)
    values = {"cancel_cutoff_hours": 12, "no_show_limit": 3}
    criteria = {"ehrenamtskarte_hours_per_year": 250, "ehrenamtskarte_hours_per_week": 5, "ehrenamtskarte_min_years": 1}
    response = post_form(client, f"/centres/{world.centre.slug}/settings", {**values, **criteria})
    assert response.status_code == 302
    db.session.refresh(world.centre)
    assert (world.centre.ehrenamtskarte_hours_per_year, world.centre.ehrenamtskarte_min_years) == (250, 1)


@pytest.mark.parametrize(
    ("name", "value"),
    [("ehrenamtskarte_hours_per_year", 0), ("ehrenamtskarte_hours_per_week", 169), ("ehrenamtskarte_min_years", -1)],
)
def test_criteria_out_of_range_are_refused_and_change_nothing(world, client, name, value):
    login(client, world.coordinator)
    criteria = {"ehrenamtskarte_hours_per_year": 200, "ehrenamtskarte_hours_per_week": 4, "ehrenamtskarte_min_years": 2}
    data = {"cancel_cutoff_hours": 6, "no_show_limit": 3, **criteria, name: value}
    response = post_form(client, f"/centres/{world.centre.slug}/settings", data)
    assert response.status_code == 422
    db.session.refresh(world.centre)
    assert world.centre.cancel_cutoff_hours == 12 and getattr(world.centre, name) == criteria[name]


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    # One line of words: the PDF wraps long titles wherever the page ends.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.parametrize("locale", ["en", "ar", "uk"])
def test_the_volunteer_page_and_the_check_page_render_in_every_volunteer_language(world, client, locale):
    world.hours(world.volunteer, 800, 60)
    world.hours(world.volunteer, 3, 120)
    world.volunteer.locale = locale
    db.session.commit()
    login(client, world.volunteer)
    page = client.get("/engagement")
    assert page.status_code == 200 and f'lang="{locale}"' in page.get_data(as_text=True)
    period = {"start": (world.today - timedelta(days=17)).isoformat(), "end": world.today.isoformat()}
    assert post_form(client, "/engagement/certificates", period).status_code == 200


@pytest.mark.parametrize(
    ("day", "outside", "inside"),
    [
        (date(2028, 2, 29), date(2027, 2, 28), date(2027, 3, 1)),
        (date(2029, 2, 28), date(2028, 2, 28), date(2028, 2, 29)),
        (date(2028, 1, 1), date(2027, 1, 1), date(2027, 1, 2)),
    ],
)
def test_the_last_12_months_on_the_calendars_edges_count_as_the_report_does(world, day, outside, inside):
    with time.freeze(time.berlin_local(datetime.combine(day, datetime.min.time()).replace(hour=10))):
        for work_date, minutes in ((outside, 60), (inside, 120), (day, 30)):
            values = HoursInput(work_date=work_date, minutes=minutes, activity="sprachcafe", meeting_point=world.place)
            entry, _new = log_hours(centre=world.centre, person=world.volunteer, values=values)
            approve(entry=entry, by=world.coordinator)
        db.session.commit()
        found = progress_of(world.centre, world.volunteer, day)
        report = centre_figures(world.centre, Period(inside, day))
    assert found.minutes_last_year == 150 == report["volunteer_minutes"]
    assert found.first_day == outside

"""The volunteer's first screen through HTTP: the next shift with its place, map and who else comes
(first names only of those who allow it), hours to confirm, waitlist places in promotion order,
open shifts that need their languages; nothing of another centre."""

import html
import re
from datetime import datetime, timedelta

import pytest

from tests.test_statement_counts import counted
from volunteers.core import time
from volunteers.extensions import db
from volunteers.shifts.planning import cancel_shift
from volunteers.shifts.signups import cancel_signup, sign_up


def at(today, days: int, hour: int = 16) -> datetime:
    return time.berlin_local(datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(hour=hour))


def page_of(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def section(page: str, heading: str) -> str:
    """The part of the page from a heading to the next heading of any level."""
    start = page.index(heading)
    following = re.search(r"<h[1-4]", page[start:])
    return page[start : start + following.start()] if following else page[start:]


@pytest.fixture
def world(make_centre, make_meeting_point, make_user, make_shift, today):
    """The demo volunteer's situation: three upcoming shifts (one of them waitlisted, second in
    line), an attended shift whose hours wait for confirmation, co-volunteers who do and do not
    show their first name, open shifts in and out of the volunteer's languages, another centre."""
    centre = make_centre("home-duesseldorf")
    altstadt = make_meeting_point(
        centre,
        name="Treffpunkt Altstadt",
        street="Bolkerstraße 12",
        postcode="40213",
        city="Düsseldorf",
        latitude=51.2262,
        longitude=6.7745,
    )
    garath = make_meeting_point(centre, name="Bürgerhaus Garath", street="Fritz-Erler-Straße 21", city="Düsseldorf")
    volunteer = make_user("volunteer", centre, name="Maria Schneider")
    volunteer.languages = ["de", "ar"]
    amal = make_user("volunteer", centre, name="Amal Haddad")
    amal.shows_first_name = True
    jonas = make_user("volunteer", centre, name="Jonas Weber")
    first_waiting = make_user("volunteer", centre, name="Olena Kovalenko")
    filler = make_user("volunteer", centre, name="Zeynep Arslan")
    db.session.commit()

    with time.freeze(at(today, -7, 9)):
        past = make_shift(garath, starts=at(today, -2), activity="sport-verein")
        sign_up(shift=past, volunteer=volunteer)
        db.session.commit()
    next_shift = make_shift(altstadt, starts=at(today, 1), capacity_max=4)
    second = make_shift(garath, starts=at(today, 3))
    full = make_shift(garath, starts=at(today, 5), capacity_max=1, activity="kinderbetreuung")
    for person in (volunteer, amal, jonas):
        sign_up(shift=next_shift, volunteer=person)
    sign_up(shift=second, volunteer=volunteer)
    for person in (filler, first_waiting, volunteer):
        sign_up(shift=full, volunteer=person)
    db.session.commit()

    other = make_centre("home-duisburg")
    elsewhere = make_meeting_point(other, name="Treffpunkt Marxloh", languages=["ar"])
    make_shift(elsewhere, starts=at(today, 2), languages=["ar"])
    return {
        "centre": centre,
        "altstadt": altstadt,
        "garath": garath,
        "volunteer": volunteer,
        "filler": filler,
        "past": past,
        "next": next_shift,
        "second": second,
        "full": full,
    }


def test_the_next_shift_shows_place_map_and_first_names_of_those_who_allow_it(client, login, world):
    login(user=world["volunteer"])
    card = section(page_of(client), "Ihre nächste Schicht")
    assert f'href="/shifts/{world["next"].id}"' in card
    assert "Treffpunkt Altstadt" in card and "Bolkerstraße 12, 40213 Düsseldorf" in card
    assert "https://www.openstreetmap.org/?mlat=51.2262&mlon=6.7745#map=18/51.2262/6.7745" in card
    assert "Mit dabei: Amal und 1 weitere Person" in card
    # First names only, and only of people who allow it.
    assert "Haddad" not in card and "Jonas" not in card and "Weber" not in card


def test_without_coordinates_the_map_link_searches_the_address(client, login, world, today):
    world["next"].meeting_point = world["garath"]  # moved to the place without coordinates
    db.session.commit()
    login(user=world["volunteer"])
    card = section(page_of(client), "Ihre nächste Schicht")
    assert "https://www.openstreetmap.org/search?query=Fritz-Erler-Stra%C3%9Fe+21%2C+57072+D%C3%BCsseldorf" in card


def test_co_volunteers_who_hide_their_names_are_only_counted(client, login, world, make_user):
    world["volunteer"].shows_first_name = True  # one's own choice does not matter on one's own page
    for signup in world["next"].signups:
        signup.user.shows_first_name = False
    db.session.commit()
    login(user=world["volunteer"])
    card = section(page_of(client), "Ihre nächste Schicht")
    assert "Mit dabei: 2 weitere Personen" in card
    assert "Amal" not in card and "Maria" not in card


def test_hours_to_confirm_are_counted_with_a_link_to_confirm_them(client, login, world):
    login(user=world["volunteer"])
    page = page_of(client)
    assert '<a href="/hours#proposals-heading">Stunden aus 1 Schicht warten auf Ihre Bestätigung</a>' in page
    assert 'id="proposals-heading"' in client.get("/hours").get_data(as_text=True)


def test_waitlist_places_follow_the_order_in_which_people_move_up(client, login, world):
    login(user=world["volunteer"])
    waitlists = section(page_of(client), "Ihre Wartelisten")
    assert f'href="/shifts/{world["full"].id}"' in waitlists
    assert "Platz 2 auf der Warteliste" in waitlists
    # The first place frees: the one ahead moves up, and the volunteer is next.
    [filler_signup] = [s for s in world["full"].signups if s.user_id == world["filler"].id]
    promoted = cancel_signup(signup=filler_signup)
    db.session.commit()
    assert [s.user.name for s in promoted] == ["Olena Kovalenko"]
    assert "Platz 1 auf der Warteliste" in section(page_of(client), "Ihre Wartelisten")


def test_open_shifts_that_need_the_volunteers_languages(client, login, world, make_shift, make_user, today):
    altstadt, garath = world["altstadt"], world["garath"]
    wanted = make_shift(altstadt, starts=at(today, 6), languages=["ar"], activity="dolmetschen")
    unwanted = [
        make_shift(garath, starts=at(today, 6, 10), languages=["uk"]),  # a language the volunteer lacks
        make_shift(garath, starts=at(today, 7), languages=["ar"], requires_police_certificate=True),  # not allowed
        make_shift(garath, starts=at(today, 16), languages=["ar"]),  # more than 14 days ahead
        make_shift(garath, starts=at(today, 8), languages=["ar"], publish=False),  # a draft
        make_shift(garath, starts=at(today, 3, 17), languages=["ar"]),  # clashes with the second shift
    ]
    full = make_shift(garath, starts=at(today, 9), languages=["ar"], capacity_max=1)
    sign_up(shift=full, volunteer=make_user("volunteer", world["centre"]))
    db.session.commit()
    login(user=world["volunteer"])
    matching = section(page_of(client), "Hier werden Ihre Sprachen gebraucht")
    assert f'href="/shifts/{wanted.id}"' in matching
    for shift in [*unwanted, full, world["next"], world["full"]]:
        assert f'href="/shifts/{shift.id}"' not in matching
    assert 'href="/shifts"' in page_of(client)


def test_nothing_of_the_other_centre_appears(client, login, world):
    login(user=world["volunteer"])
    page = page_of(client)
    assert "Treffpunkt Marxloh" not in page and "home-duisburg" not in page


def test_a_volunteer_without_shifts_is_told_what_to_do_next(client, login, make_user):
    login("volunteer")
    page = page_of(client)
    assert "Sie haben noch keine Schicht." in page
    assert '<a class="button button-primary" href="/shifts">Offene Schichten ansehen</a>' in page
    assert "Ihre nächste Schicht" not in page and "Ihre Wartelisten" not in page


def test_the_home_page_runs_as_many_statements_for_many_shifts_as_for_few(
    client, login, world, make_shift, make_user, today
):
    """Grows: upcoming shifts, co-volunteers, waitlists, matching open shifts. Not the hours to
    confirm: hours.proposals.open_proposals, the one rule for them, re-checks each proposal with
    two statements of its own (policy.shift_blockers); the 60-day window bounds them."""
    make_shift(world["garath"], starts=at(today, 6), languages=["ar"])  # one matching shift in the small world too
    login(user=world["volunteer"])
    client.get("/")  # warm-up

    def grow(batch: int) -> None:
        garath, centre = world["garath"], world["centre"]
        for offset in range(3):
            day = 10 + 3 * batch + offset
            mine = make_shift(garath, starts=at(today, day), capacity_max=1)
            for person in (make_user("volunteer", centre), world["volunteer"]):
                sign_up(shift=mine, volunteer=person)
            make_shift(garath, starts=at(today, day, 10), languages=["ar"])
        db.session.commit()

    few_page, few = counted(client, "GET", "/")
    for batch in range(3):
        grow(batch)
    many_page, many = counted(client, "GET", "/")
    assert many_page.get_data(as_text=True).count("auf der Warteliste") >= 2 * few_page.get_data(as_text=True).count(
        "auf der Warteliste"
    )
    assert len(many) == len(few) <= 12, "\n".join(many)


def test_open_invitations_are_answered_from_the_first_screen(client, login, world, make_shift, make_user, today):
    from volunteers.availability import invitations

    coordinator = make_user("coordinator", world["centre"])
    asked = make_shift(world["altstadt"], starts=at(today, 4), activity="kinderbetreuung")
    started = make_shift(world["garath"], starts=at(today, 2))
    invitation = invitations.invite(shift=asked, volunteer=world["volunteer"], by=coordinator)
    invitations.invite(shift=started, volunteer=world["volunteer"], by=coordinator)
    called_off = make_shift(world["altstadt"], starts=at(today, 6))
    invitations.invite(shift=called_off, volunteer=world["volunteer"], by=coordinator)
    cancel_shift(shift=called_off, reason="Raum nicht verfügbar")
    db.session.commit()
    login(user=world["volunteer"])
    # The second request's shift has begun and the third's is cancelled: neither can be answered.
    with time.travel(at(today, 2, 17)):
        requests = section(page_of(client), "Persönliche Anfragen an Sie")
        assert requests.count('class="card invitation-card"') == 1
        assert f"/invitations/{invitation.id}/accept" in requests and "Kinderbetreuung" in requests
        assert f"/invitations/{invitation.id}/decline" in requests
        page = client.get("/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        answered = client.post(f"/invitations/{invitation.id}/accept", data={"csrf_token": token})
        assert answered.status_code == 302
        assert "Persönliche Anfragen an Sie" not in page_of(client)
        assert world["volunteer"].id in {s.user_id for s in db.session.get(type(asked), asked.id).signups}


def test_someone_else_s_invitation_is_not_shown(
    client, login, world, make_centre, make_meeting_point, make_shift, make_user
):
    from volunteers.availability import invitations

    other = make_centre()
    stranger = make_user("volunteer", other)
    invitations.invite(
        shift=make_shift(make_meeting_point(other)), volunteer=stranger, by=make_user("coordinator", other)
    )
    db.session.commit()
    login(user=world["volunteer"])
    assert "Persönliche Anfragen an Sie" not in page_of(client)

"""The layout kept per locale and role (core.templating.layout, macros/_layout.html): what is the
person's or the page's own is never taken from another request; and the signed-in person (login
session or bearer token) is read in one statement."""

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.helpers import login as sign_in
from tests.helpers import post_form, statements_of
from volunteers.accounts.models import ADMIN, COORDINATOR, STATE, ApiToken
from volunteers.accounts.services import issue_api_token, revoke_api_token, user_for_api_token
from volunteers.core import time
from volunteers.extensions import db

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
CSRF_INPUTS = re.compile(r'name="csrf_token" value="([^"]+)"')


def page(client, url: str = "/privacy", **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_person_sees_their_own_id_csrf_token_and_centres(app, make_centre, make_user):
    """Two coordinators share the role, so the kept layout; their centres and tokens are their own."""
    first, second = make_centre(name="KI Düsseldorf"), make_centre(name="KI Duisburg")
    people = [make_user(COORDINATOR, first), make_user(COORDINATOR, second)]
    pages = []
    for person in people:
        client = app.test_client()
        sign_in(client, person)
        pages.append(page(client))
    for person, html, own, other in zip(people, pages, (first, second), (second, first), strict=True):
        assert f'data-user-id="{person.id}"' in html
        assert f'href="/centres/{own.slug}/">{own.name}</a>' in html and other.name not in html
        tokens = set(CSRF_INPUTS.findall(html)) | set(CSRF_META.findall(html))
        assert len(tokens) == 1
    assert CSRF_META.search(pages[0]).group(1) != CSRF_META.search(pages[1]).group(1)


def test_the_navigation_follows_the_role(app, client, login, make_user):
    guest = page(client)
    assert "Anmelden" in guest and "Abmelden" not in guest and 'data-user-id=""' in guest
    for role, link, absent in (
        ("volunteer", "Meine Stunden", "Landesbericht"),
        (STATE, "Landesbericht", "Offene Schichten"),
        (ADMIN, "Zentren verwalten", "Meine Stunden"),
    ):
        browser = app.test_client()
        sign_in(browser, make_user(role))
        html = page(browser)
        assert link in html and absent not in html and "Abmelden" in html


def test_a_renamed_centre_shows_at_once(client, login, make_centre):
    centre = make_centre(name="KI Alter Name")
    login(COORDINATOR, centre)
    assert "KI Alter Name" in page(client)
    centre.name = "KI Neuer Name"
    db.session.commit()
    html = page(client)
    assert "KI Neuer Name" in html and "KI Alter Name" not in html


def test_the_page_s_own_parts(client, login):
    login("volunteer")
    html = page(client, "/privacy?x=<b>&y=1")
    assert 'name="next" value="/privacy?x=&lt;b&gt;&amp;y=1"' in html
    assert "<title>Datenschutz – Treffpunkt</title>" in html
    failed = post_form(client, "/settings", {"name": ""})
    assert failed.status_code == 422 and "<title>Fehler: " in failed.get_data(as_text=True)
    assert "<title>Fehler: " not in page(client)


def test_each_locale_has_its_own_layout(client):
    assert ">Log in</a>" in page(client, headers={"Accept-Language": "en"})
    german = page(client, headers={"Accept-Language": "de"})
    assert ">Anmelden</a>" in german and '<html lang="de" dir="ltr">' in german
    assert '<html lang="ar" dir="rtl">' in page(client, headers={"Accept-Language": "ar"})


def test_the_signed_in_person_costs_one_statement(app, client, login):
    login("volunteer")
    page(client)  # first-request caches
    html = []
    assert len(statements_of(lambda: html.append(page(client)))) == 1
    assert "Meine Stunden" in html[0]  # the memberships came with the person


def test_a_bearer_token_s_owner_comes_in_one_statement_and_its_use_is_written_hourly(app, make_user):
    person = make_user("volunteer")
    token, person_id = issue_api_token(user=person), person.id
    db.session.commit()
    db.session.expunge_all()
    found = []
    seen = statements_of(lambda: found.append(user_for_api_token(token, record_use=False)))
    assert len(seen) == 1 and found[0].id == person_id
    assert len(statements_of(lambda: [m.centre.name for m in found[0].memberships])) == 0
    last_used = sa.select(ApiToken.last_used_at)
    assert db.session.scalar(last_used) is None  # reads never write
    user_for_api_token(token)
    db.session.commit()
    written = db.session.scalar(last_used)
    assert written is not None
    user_for_api_token(token)
    db.session.commit()
    assert db.session.scalar(last_used) == written
    with time.freeze(time.now() + timedelta(hours=2)):
        user_for_api_token(token)
        db.session.commit()
        assert db.session.scalar(last_used) > written
    revoke_api_token(token)
    db.session.commit()
    assert user_for_api_token(token) is None

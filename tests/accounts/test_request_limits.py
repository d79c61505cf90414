"""Registering and asking for a password reset mail someone: at most once a minute and three
times an hour per address, for known and unknown addresses alike (so that the limit tells
nothing), with a 429 and the reason, and nothing queued."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, post_form
from volunteers.core import time
from volunteers.extensions import db
from volunteers.mail.models import OutgoingMail

TOO_MANY = "Bitte warten Sie ein paar Minuten."


def register(client, centre, email):
    data = {"name": "Amal Haddad", "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    return post_form(client, "/register", {**data, "centre": centre.slug, "consent": "y"})


def forgot(client, email):
    return post_form(client, "/password/forgot", {"email": email})


def mails_to(address: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(OutgoingMail.recipient == address))


@pytest.mark.parametrize("known", [True, False])
def test_a_reset_mail_at_most_once_a_minute_and_three_times_an_hour(client, make_user, known):
    address = make_user("volunteer").email if known else "niemand@example.org"
    assert forgot(client, address).status_code == 302
    again = forgot(client, address)
    assert again.status_code == 429 and TOO_MANY in again.get_data(as_text=True)
    for minutes in (2, 4):
        with time.freeze(time.now() + timedelta(minutes=minutes)):
            assert forgot(client, address).status_code == 302
    with time.freeze(time.now() + timedelta(minutes=6)):
        assert forgot(client, address).status_code == 429  # the fourth within the hour
    with time.freeze(time.now() + timedelta(minutes=70)):
        assert forgot(client, address).status_code == 302
    assert mails_to(address) == (4 if known else 0)


def test_registering_twice_within_a_minute_mails_once(client, make_centre):
    centre = make_centre()
    assert register(client, centre, "amal@example.org").status_code == 302
    again = register(client, centre, "Amal@Example.org")
    assert again.status_code == 429 and TOO_MANY in again.get_data(as_text=True)
    assert mails_to("amal@example.org") == 1
    with time.freeze(time.now() + timedelta(minutes=2)):
        assert register(client, centre, "amal@example.org").status_code == 302
    assert mails_to("amal@example.org") == 2


def test_one_address_at_its_limit_does_not_hold_up_another(client, make_centre):
    centre = make_centre()
    register(client, centre, "amal@example.org")
    assert register(client, centre, "amal@example.org").status_code == 429
    assert register(client, centre, "olena@example.org").status_code == 302

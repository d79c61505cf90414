"""A centre with its lead, coordinator and a volunteer, and a neighbouring centre with a lead."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def world(make_centre, make_user):
    home, other = make_centre("duesseldorf", name="KI Düsseldorf"), make_centre("duisburg")
    return SimpleNamespace(
        home=home,
        other=other,
        lead=make_user("lead", home, name="Leiterin Özdemir"),
        coordinator=make_user("coordinator", home),
        volunteer=make_user("volunteer", home),
        other_lead=make_user("lead", other),
    )

"""The grant's cap in euros, and the invariants the database keeps even without the service."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from volunteers.extensions import db
from volunteers.grants.services import GrantValues, grant_problems
from volunteers.reports.models import Grant


@pytest.mark.parametrize(
    "cap, expected",
    [
        ({}, None),
        ({"in_kind_cap_amount_eur": Decimal("5000")}, Decimal("5000")),
        ({"in_kind_cap_percent": Decimal("20")}, Decimal("44600.00")),  # of the grant amount
        ({"in_kind_cap_percent": Decimal("15"), "eligible_costs_eur": Decimal("100")}, Decimal("15.00")),
        ({"in_kind_cap_percent": Decimal("12.5"), "eligible_costs_eur": Decimal("0.99")}, Decimal("0.12")),
        ({"in_kind_cap_percent": Decimal("0")}, Decimal("0.00")),
    ],
)
def test_the_cap_in_euros_for_the_whole_year(cap, expected):
    grant = Grant(year=2026, amount_eur=Decimal("223000"), valuation_rate_eur=Decimal("15"), **cap)
    assert grant.in_kind_cap_eur == expected


def test_the_old_share_still_sets_the_percentage():
    grant = Grant(year=2026, amount_eur=Decimal("100"), valuation_rate_eur=Decimal("15"), in_kind_cap_share="0.15")
    assert (grant.in_kind_cap_percent, grant.in_kind_cap_share, grant.in_kind_cap_eur) == (15, Decimal("0.15"), 15)


def test_all_problems_come_at_once_in_the_order_of_the_form():
    values = GrantValues(
        amount_eur=Decimal("-1"),
        valuation_rate_eur=None,
        in_kind_cap_amount_eur=Decimal("1"),
        in_kind_cap_percent=Decimal("1"),
        note=" " * 600,  # blanks only: stripped, nothing
    )
    problems = grant_problems(year=1900, values=values)
    assert [(p.field, p.code) for p in problems] == [
        ("year", "out_of_range"),
        ("amount_eur", "negative"),
        ("valuation_rate_eur", "required"),
        (None, "both_caps"),
    ]
    assert all(problem.status == 422 for problem in problems)


@pytest.mark.parametrize(
    "row",
    [
        {"in_kind_cap_amount_eur": 1, "in_kind_cap_percent": 1},  # two caps
        {"programme": "Anderes Programm"},  # a second grant in the same year
    ],
)
def test_the_database_keeps_one_cap_and_one_grant_a_year(app, make_centre, row):
    centre = make_centre()
    base = {"centre_id": centre.id, "year": 2026, "amount_eur": 1, "valuation_rate_eur": 1}
    if "programme" in row:
        db.session.add(Grant(**base))
        db.session.commit()
    db.session.add(Grant(**base, **row))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()

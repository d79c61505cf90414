"""`flask grants set`: the same service and validation as the page, from the command line."""

from decimal import Decimal

import pytest

from tests.grants.records import grant_events, stored_grants


def grants_set(app, *args: str):
    return app.test_cli_runner().invoke(args=["grants", "set", *args])


def test_set_enters_a_grant_and_changes_it(app, make_centre):
    make_centre("siegen-wittgenstein")
    common = ["--centre", "siegen-wittgenstein", "--year", "2026", "--amount", "119000", "--rate", "10"]
    result = grants_set(app, *common, "--cap-percent", "15", "--eligible-costs", "100000.50", "--note", "Bescheid")
    assert result.exit_code == 0, result.output
    assert "eingetragen" in result.output
    [grant] = stored_grants()
    assert (grant.programme, grant.amount_eur, grant.in_kind_cap_percent) == ("KommAn-NRW", Decimal("119000"), 15)
    assert grant.in_kind_cap_eur == Decimal("15000.08") and grant.note == "Bescheid"

    result = grants_set(app, *common, "--cap-eur", "12000", "--programme", "KommAn-NRW Teil II")
    assert result.exit_code == 0, result.output
    [grant] = stored_grants()
    assert (grant.in_kind_cap_eur, grant.in_kind_cap_percent, grant.programme) == (12000, None, "KommAn-NRW Teil II")
    created, updated = grant_events()
    assert (created.action, updated.action) == ("created", "updated")
    assert updated.actor_id is None and updated.reason == "flask grants set"
    assert (updated.before["in_kind_cap_percent"], updated.after["in_kind_cap_amount_eur"]) == ("15.00", "12000.00")


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--cap-eur", "1000", "--cap-percent", "20"], "both_caps"),
        (["--cap-percent", "120"], "--cap-percent: Bitte einen Prozentsatz von 0 bis 100 angeben. (out_of_range)"),
        (["--note", "x" * 501], "--note: Höchstens 500 Zeichen. (too_long)"),
        (["--cap-eur", "zehn"], "keine Zahl"),
    ],
)
def test_set_refuses_values_that_do_not_fit(app, make_centre, extra, words):
    make_centre("duisburg")
    result = grants_set(app, "--centre", "duisburg", "--year", "2026", "--amount", "198000", "--rate", "15", *extra)
    assert result.exit_code != 0
    assert words in result.output
    assert stored_grants() == [] and grant_events() == []


def test_set_needs_a_known_centre(app):
    result = grants_set(app, "--centre", "nirgendwo", "--year", "2026", "--amount", "1", "--rate", "15")
    assert result.exit_code != 0 and "nirgendwo" in result.output

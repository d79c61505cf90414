"""The report's number formatters print exactly what Babel prints, in every locale the app speaks,
for every kind of cell and the values that test the edges (zero, rounding, groups, negatives)."""

import random
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import parse_pattern

from volunteers.reports.formatting import format_euros, format_number, half_up

LOCALES = ("de", "en", "ar", "uk")
PATTERNS = ("#,##0.0 %", "#,##0.00", "#,##0", "#,##0.## %")
EDGES = [0, 1, 999, 1000, 1234567, 10**12, 0.5, 0.0005, 0.12345, 0.9995, 1.005, 2.675, -0.5, -1234.5, -0.0]


def _values(seed: int) -> list:
    rng = random.Random(seed)
    floats = [rng.uniform(0, 10 ** rng.randint(0, 9)) for _ in range(150)]
    ints = [rng.randint(0, 10 ** rng.randint(0, 10)) for _ in range(80)]
    return EDGES + floats + ints + [Decimal(str(v)) for v in floats[:50]] + [-v for v in floats[:20]]


def _babel(value, pattern: str, locale: Locale) -> str:
    return parse_pattern(pattern).apply(value, locale)


@pytest.mark.parametrize("code", LOCALES)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_numbers_are_babels_numbers(code, pattern):
    locale = Locale.parse(code)
    for value in _values(sum(map(ord, pattern))):
        prepared = half_up(value, 3 if "%" in pattern else 2) if "." in pattern else value
        assert format_number(prepared, pattern, locale) == _babel(prepared, pattern, locale), (value, pattern)


@pytest.mark.parametrize("code", LOCALES)
def test_euros_are_babels_euros(code):
    locale = Locale.parse(code)
    standard = locale.currency_formats["standard"]
    for value in _values(7):
        prepared = half_up(value, 2)
        assert format_euros(prepared, locale) == standard.apply(prepared, locale, currency="EUR", currency_digits=True)

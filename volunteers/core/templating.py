"""What every template can use: the page language and direction, dates shown in Berlin time. The
domains add their own names (roles, states, …) in create_app; this module knows none of them."""

from datetime import date, datetime
from functools import lru_cache

from babel import Locale, dates
from flask import Flask
from flask_babel import get_locale, get_translations

from .i18n import LOCALE_NAMES, RTL_LOCALES
from .time import BERLIN, to_berlin

# The filters call Babel directly with a parsed locale and Berlin's zone. Flask-Babel's helpers look
# both up on every call, which made a list of a hundred shifts spend most of its time formatting
# dates (about 0.14 ms a time instead of 0.02 ms). The output is the same.


def reader_locale() -> Locale:
    return _parsed_locale(str(get_locale() or "de"))


@lru_cache(maxsize=32)
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def format_datetime(value, fmt: str = "medium") -> str:
    return dates.format_datetime(value, fmt, tzinfo=BERLIN, locale=reader_locale()) if value else ""


def format_date(value, fmt: str = "medium") -> str:
    if not value:
        return ""
    return dates.format_date(to_berlin(value) if isinstance(value, datetime) else value, fmt, locale=reader_locale())


def format_time(value, fmt: str = "short") -> str:
    return dates.format_time(value, fmt, tzinfo=BERLIN, locale=reader_locale()) if value else ""


def format_day(value, skeleton: str = "MMMMEEEEd") -> str:
    """A date in the reader's language and order ("Di., 24. November", "Tue, Nov 24"); a
    datetime is shown as its Berlin day. Skeletons are CLDR's: MMMEd, yMMMMd, yMMMM, …"""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_berlin(value)
    elif isinstance(value, date):
        value = datetime.combine(value, datetime.min.time())
    locale = reader_locale()
    return dates.format_datetime(value, _skeleton_pattern(skeleton, str(locale)), locale=locale)


@lru_cache(maxsize=256)
def _skeleton_pattern(skeleton: str, locale: str) -> str:
    """CLDR's pattern for a skeleton in a locale (Babel's format_skeleton matches it anew every
    time, about 1 ms)."""
    patterns = _parsed_locale(locale).datetime_skeletons
    return patterns[skeleton if skeleton in patterns else dates.match_skeleton(skeleton, patterns)]


# Arabic writes its own comma; a Latin one inside an Arabic sentence reads as a stray mark.
COMMAS = {"ar": "، "}


def list_comma() -> str:
    """The separator between the items of a list in the reader's language."""
    return COMMAS.get(str(get_locale() or "de"), ", ")


def comma_list(items) -> str:
    return list_comma().join(str(item) for item in items)


def plural_samples() -> dict[str, int]:
    """One number for each plural category (CLDR: one, two, few, …) of the reader's language, so
    that a template can hand scripts every form of a counted text; the script picks one with
    Intl.PluralRules."""
    return _plural_samples(str(get_locale() or "de"))


@lru_cache(maxsize=32)
def _plural_samples(code: str) -> dict[str, int]:
    samples: dict[str, int] = {}
    for number in range(0, 200):
        samples.setdefault(_parsed_locale(code).plural_form(number), number)
    return samples


_catalogues: dict = {}


def catalogue():
    """The compiled translations of the current locale (which force_locale may change). Flask-Babel
    looks them up anew for every string, about 10 µs each; a list page has hundreds of strings."""
    locale = str(get_locale() or "de")
    found = _catalogues.get(locale)
    if found is None:
        found = _catalogues[locale] = get_translations()
    return found


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.install_gettext_callables(  # as Flask-Babel installs them, with the catalogue kept
        gettext=lambda message: catalogue().ugettext(message),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, message: catalogue().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.filters.update(
        datetime=format_datetime,
        date=format_date,
        time=format_time,
        day=format_day,
        comma_list=comma_list,
    )
    app.jinja_env.globals.update(list_comma=list_comma, plural_samples=plural_samples)

    @app.context_processor
    def page_language():
        locale = str(get_locale() or "de")
        return {
            "page_locale": locale,
            "text_direction": "rtl" if locale in RTL_LOCALES else "ltr",
            "locale_names": LOCALE_NAMES,
        }

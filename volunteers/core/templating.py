"""What every template can use: the page language and direction, dates shown in Berlin time. The
domains add their own names (roles, states, …) in create_app; this module knows none of them."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from babel import Locale, dates
from flask import Flask, current_app, g, has_app_context, render_template, request
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape

from .i18n import LOCALE_NAMES, RTL_LOCALES
from .time import BERLIN, to_berlin

# The filters call Babel directly with a parsed locale and Berlin's zone. Flask-Babel's helpers look
# both up on every call, which made a list of a hundred shifts spend most of its time formatting
# dates (about 0.14 ms a time instead of 0.02 ms). The output is the same.


@dataclass
class Reading:
    """What a page needs of its reader's language, resolved once per locale and kept: the parsed
    locale, its catalogue, its list comma, and labels that domains resolve into it (`labels`)."""

    code: str
    locale: Locale
    comma: str
    translations: object = None
    labels: dict = field(default_factory=dict)

    @property
    def catalogue(self):
        if self.translations is None:  # looked up when first needed: inside the request (Flask-Babel's domain)
            self.translations = get_translations()
        return self.translations


_readings: dict[str, Reading] = {}


def reading() -> Reading:
    """The reader's language for this request (or what force_locale set): Flask-Babel's locale is
    read from its place on `g` once and matched by identity, so that ~200 lookups of a page do not
    each walk Flask's context and print the locale's name; force_locale sets another Locale object,
    so a mail in another language resolves its own."""
    space = _babel_space()
    locale = getattr(space, "babel_locale", None)
    if locale is None:
        locale = get_locale()  # the first lookup of the request (or none: outside a request)
        space = _babel_space()
    kept = getattr(space, "treffpunkt_reading", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = _reading_of(str(locale or "de"))
    if space is not None:
        space.treffpunkt_reading = (locale, found)
    return found


def _babel_space():
    """Where Flask-Babel keeps the request's locale (and force_locale its own) on `g`, if anywhere."""
    return vars(g._get_current_object()).get("_flask_babel") if has_app_context() else None


def _reading_of(code: str) -> Reading:
    found = _readings.get(code)
    if found is None:
        found = _readings[code] = Reading(code, _parsed_locale(code), COMMAS.get(code, ", "))
    return found


def resolved(labels: dict, kind=str) -> dict:
    """A module's table of lazy labels as strings in the reader's language, resolved once per
    locale (each lazy string looks the locale and catalogue up again whenever it is printed).
    `kind=Markup` for templates: a translation is printed as it is, as Jinja's gettext does."""
    read = reading()
    found = read.labels.get((id(labels), kind))
    if found is None:
        found = read.labels[(id(labels), kind)] = {key: kind(str(value)) for key, value in labels.items()}
    return found


def fragment(template: str) -> Markup:
    """A part of the layout that depends on the locale alone, rendered once per locale."""
    read = reading()
    found = read.labels.get(("fragment", template))
    if found is None:
        html = render_template(template).strip()  # autoescaped: what it prints is escaped already
        found = read.labels[("fragment", template)] = Markup(html)  # nosec B704: a rendered template
    return found


def layout(template: str, slots: dict, **shared) -> Markup:
    """`template` rendered once per locale and `shared` (names like the reader's role, which many
    requests have in common) with a marker in each of `slots`; per request only the slots' values
    (escaped unless Markup) are put between the kept pieces. The template must not ask for
    anything of the person or the request but through `shared` and `slots`."""
    kept = current_app.extensions.setdefault("treffpunkt_layouts", {})
    key = (reading().code, template, request.script_root, tuple(sorted(shared.items())))
    found = kept.get(key)
    current = current_app.jinja_env.get_template(template)  # a new object when a reload changed the file
    if found is None or found[0] is not current or current_app.config.get("STATIC_HASH_RELOAD"):
        found = kept[key] = (current, _pieces(template, shared, slots))
    return Markup("".join(piece if name is None else escape(slots[name]) for piece, name in found[1]))  # nosec B704


def _pieces(template: str, shared: dict, slots: dict) -> list[tuple[str, str | None]]:
    """The template's text cut at the slots' markers: (text, None) and ("", slot name) in turn."""
    markers = {f"\x00{name}\x00": name for name in slots}
    # Not outside text (bandit B704): a marker is NUL, the slot's name (the template's own key), NUL: no outside text.
    slot_markers = {name: Markup(marker) for marker, name in markers.items()}  # nosec B704
    html = render_template(template, **shared, **slot_markers)
    pieces = []
    for n, part in enumerate(html.split("\x00")):
        name = markers.get(f"\x00{part}\x00") if n % 2 else None
        if n % 2 and name is None:
            raise ValueError(f"{template}: a NUL character outside a slot")
        pieces.append(("", name) if name else (part, None))
    return pieces


def reader_locale() -> Locale:
    return reading().locale


@lru_cache(maxsize=32)
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


NAMED_FORMATS = ("full", "long", "medium", "short")
_MEMO_SIZE = 4096  # formatted days and times kept per locale; a page shows a few dozen of each


def _memo(read: Reading, key, make) -> str:
    """A formatted day or time kept for the locale: a list of 40 shifts shows the same days and
    times many times, and the same again on the next request."""
    memo = read.labels.setdefault("formatted", {})
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        found = memo[key] = make()
    return found


def format_datetime(value, fmt: str = "medium") -> str:
    if not value:
        return ""
    read = reading()
    if fmt not in NAMED_FORMATS or value.tzinfo is None:
        return dates.format_datetime(value, fmt, tzinfo=BERLIN, locale=read.locale)
    # Babel's own composition of a named format, with the date and the time part each kept.
    local = to_berlin(value)
    return (
        dates.get_datetime_format(fmt, locale=read.locale)
        .replace("'", "")
        .replace("{0}", _local_time(read, local, fmt))
        .replace("{1}", _memo(read, ("date", fmt, local.date()), lambda: dates.format_date(local, fmt, read.locale)))
    )


def format_date(value, fmt: str = "medium") -> str:
    if not value:
        return ""
    day = to_berlin(value).date() if isinstance(value, datetime) else value
    read = reading()
    return _memo(read, ("date", fmt, day), lambda: dates.format_date(day, fmt, locale=read.locale))


def format_time(value, fmt: str = "short") -> str:
    if not value:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return _local_time(reading(), to_berlin(value), fmt)
    return dates.format_time(value, fmt, tzinfo=BERLIN, locale=reader_locale())


def _local_time(read: Reading, local: datetime, fmt: str) -> str:
    # The wall time and the offset fix the text (a zone name differs between summer and winter).
    key = ("time", fmt, local.time(), local.utcoffset())
    return _memo(read, key, lambda: dates.format_time(local, fmt, tzinfo=BERLIN, locale=read.locale))


def format_day(value, skeleton: str = "MMMMEEEEd") -> str:
    """A date in the reader's language and order ("Di., 24. November", "Tue, Nov 24"); a
    datetime is shown as its Berlin day. Skeletons are CLDR's: MMMEd, yMMMMd, yMMMM, …"""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_berlin(value)
    elif isinstance(value, date):
        value = datetime.combine(value, datetime.min.time())
    read = reading()
    return _memo(
        read,
        ("day", skeleton, value if TIME_FIELDS.intersection(skeleton) else value.date()),
        lambda: dates.format_datetime(value, _skeleton_pattern(skeleton, read.code), locale=read.locale),
    )


TIME_FIELDS = frozenset("aBbhHkKjJCmsSAzZOvVXx")  # a skeleton with these shows more than the day


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
    return reading().comma


def comma_list(items) -> str:
    return list_comma().join(str(item) for item in items)


def plural_samples() -> dict[str, int]:
    """One number for each plural category (CLDR: one, two, few, …) of the reader's language, so
    that a template can hand scripts every form of a counted text; the script picks one with
    Intl.PluralRules."""
    return _plural_samples(reading().code)


@lru_cache(maxsize=32)
def _plural_samples(code: str) -> dict[str, int]:
    samples: dict[str, int] = {}
    for number in range(0, 200):
        samples.setdefault(_parsed_locale(code).plural_form(number), number)
    return samples


def catalogue():
    """The compiled translations of the current locale (which force_locale may change). Flask-Babel
    looks them up anew for every string, about 10 µs each; a list page has hundreds of strings."""
    return reading().catalogue


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
    app.jinja_env.globals.update(list_comma=list_comma, plural_samples=plural_samples, fragment=fragment, layout=layout)

    @app.context_processor
    def page_language():
        locale = reading().code
        return {
            "page_locale": locale,
            "text_direction": "rtl" if locale in RTL_LOCALES else "ltr",
            "locale_names": LOCALE_NAMES,
        }

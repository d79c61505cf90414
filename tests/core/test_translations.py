"""Translations: every message in the source has an English translation, placeholders survive
translation, and the volunteers' pages really come out in English, Arabic (right to left) and
Ukrainian, with German as the fallback.

The msgids are the German texts, so German needs no catalogue. The compiled catalogues (.mo) are
build output; this module compiles any that are missing or older than their .po first, so that it
also runs without `make test`."""

import re
from datetime import datetime, timedelta
from datetime import time as clock
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.helpers import post_form
from volunteers.pages.views import NRW_OMBUDSSTELLE

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("en", "ar", "uk")

# Where the volunteers' texts live: these must also be complete in Arabic and Ukrainian.
# Coordinator-only pages (plan, review, reports, admin) may fall back to German there.
VOLUNTEER_SOURCES = (
    "templates/accounts/",
    "templates/base.html",
    "templates/errors/",
    "templates/feeds/_subscribe.html",
    "templates/hours/check_in.html",
    "templates/hours/my_hours.html",
    "templates/pages/",
    "templates/privacy/",
    "templates/shifts/_macros.html",
    "templates/shifts/my_shifts.html",
    "templates/shifts/open_shifts.html",
    "templates/shifts/shift.html",
    "volunteers/shifts/cards.py",
    "templates/centres/public_meeting_points.html",
    "templates/macros/",
    "volunteers/accounts/",
    "volunteers/activities/models.py",
    "volunteers/api/helpers.py",
    "volunteers/api/hours.py",
    "volunteers/api/me.py",
    "volunteers/centres/languages.py",
    "volunteers/core/",
    "volunteers/feeds/events.py",
    "volunteers/feeds/views.py",
    "volunteers/hours/forms.py",
    "volunteers/hours/models.py",
    "volunteers/hours/proposals.py",
    "volunteers/hours/views.py",
    "volunteers/hours/history.py",
    "volunteers/pages/",
    "volunteers/privacy/",
    "volunteers/push/endpoints.py",
    "volunteers/push/labels.py",
    "volunteers/push/services.py",
    "volunteers/push/views.py",
    "volunteers/reminders/",
    "volunteers/shifts/labels.py",
    "volunteers/shifts/signups.py",
    "volunteers/shifts/volunteer_views.py",
)

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%|%[diouxXeEfFgGcrs]|\{\w*\}")


def _po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def _read(path: Path, lang: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(strings) and all(s and s.strip() for s in strings) and "fuzzy" not in message.flags


def _ids(message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """Compile .po → .mo where the .mo is missing or stale (the app itself compiles nothing)."""
    for lang in LANGUAGES:
        po, mo = _po_path(lang), _po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalog = _read(po, lang)
            with mo.open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """The messages in the source right now (what `make extract-messages` would write)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(pot),
            str(ROOT / "volunteers"),
            str(ROOT / "templates"),
            str(ROOT / "wsgi.py"),
        ]
    )
    # Locations relative to the project, as in messages.pot.
    messages = [m for m in _read(pot) if m.id]
    for m in messages:
        m.locations = [
            (str(Path(p).resolve().relative_to(ROOT)) if Path(p).is_absolute() else p, n) for p, n in m.locations
        ]
    assert len(messages) > 100
    return messages


@pytest.fixture(scope="module")
def catalogues():
    return {lang: _read(_po_path(lang), lang) for lang in LANGUAGES}


# --- (a) every message has an English translation; volunteers' messages also Arabic and Ukrainian ---


def test_every_message_is_translated_into_english(source_messages, catalogues):
    english = catalogues["en"]
    missing = []
    for message in source_messages:
        translated = english.get(message.id)
        if translated is None or not _translated(translated):
            where = ", ".join(f"{p}:{n}" for p, n in message.locations[:2])
            missing.append(f"{_ids(message)[0]!r} ({where})")
    assert not missing, (
        "Not translated into English (run `make extract-messages`, then translate "
        "translations/en/LC_MESSAGES/messages.po):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("lang", ["ar", "uk"])
def test_volunteer_messages_are_translated(lang, source_messages, catalogues):
    catalogue = catalogues[lang]
    missing = []
    for message in source_messages:
        if not any(path.startswith(VOLUNTEER_SOURCES) for path, _line in message.locations):
            continue
        translated = catalogue.get(message.id)
        if translated is None or not _translated(translated):
            where = ", ".join(f"{p}:{n}" for p, n in message.locations[:2])
            missing.append(f"{_ids(message)[0]!r} ({where})")
    assert not missing, f"Volunteers' texts not translated into {lang}:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogues_have_no_fuzzy_entries(lang, catalogues):
    catalogue = catalogues[lang]
    assert not catalogue.fuzzy
    fuzzy = [_ids(m)[0] for m in catalogue if m.id and "fuzzy" in m.flags]
    assert not fuzzy, fuzzy


# --- (b) placeholders ---


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang, catalogues):
    catalogue = catalogues[lang]
    wrong = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = _ids(message)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for index, string in enumerate(strings):
            if not string:
                continue
            # Plural forms follow the plural msgid, except a form for exactly one may leave out the number.
            expected = sorted(PLACEHOLDER.findall(ids[-1] if index or len(ids) == 1 else ids[0]))
            found = sorted(PLACEHOLDER.findall(string))
            if found != expected and not (len(ids) > 1 and set(found) <= set(expected)):
                wrong.append(f"{ids[0]!r} → {string!r}: {found} ≠ {expected}")
        wrong += [f"{ids[0]!r}: {error}" for error in message.check(catalogue)]
    assert not wrong, "\n".join(wrong)


# --- (c) the pages themselves ---


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes, and the attributes screen readers and the
    page's own scripts show (title, aria-label, placeholder, alt, value of buttons, data-msg-*)."""

    SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.html_attrs: dict[str, str] = {}
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = {k: v or "" for k, v in attrs.items()}
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs.items():
            if value and (
                name in self.SHOWN_ATTRIBUTES
                or name.startswith("data-msg-")
                or (name == "value" and attrs.get("type") in ("submit", "button"))
            ):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _visible(html: str) -> tuple[str, dict[str, str]]:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts), parser.html_attrs


# Names that stay German in every language: the product, the programme, the native names of the
# languages in the switcher, the official name and addresses of the enforcement body on the
# accessibility statement, and the test's own data (removed before checking).
PROPER_NAMES = (
    "Treffpunkt",
    "KommAn-NRW",
    "KommAn",
    "Deutsch",
    *(value for value in NRW_OMBUDSSTELLE.values() if value),
)
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:-[A-Za-zÄÖÜäöüß]+)*")


@pytest.fixture(scope="module")
def german_only_words(catalogues, source_messages):
    """Words of the German msgids that no English translation uses: where one of them shows up on
    an English (or Arabic, Ukrainian) page, German was left behind."""
    german, english = set(), set()
    for message in source_messages:
        for text in _ids(message):
            german.update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text)))
    for message in catalogues["en"]:
        if message.id:
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            for text in strings:
                english.update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text or "")))
    for name in PROPER_NAMES:
        english.update(w.lower() for w in WORD.findall(name))
    return {w for w in german - english if len(w) > 2}


def _german_left(text: str, data: list[str], german_only_words: set[str]) -> list[str]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    found = [w for w in WORD.findall(text) if w.lower() in german_only_words or re.search("[ÄÖÜäöüß]", w)]
    return sorted(set(found))


@pytest.fixture
def volunteer_world(app, make_centre, make_meeting_point, make_user, make_shift):
    """A volunteer with an open shift to see, one they signed up for, and logged hours."""
    from volunteers.core import time
    from volunteers.extensions import db
    from volunteers.hours.services import HoursInput, log_hours

    centre = make_centre(name="KI Testland", district="Testland")
    meeting_point = make_meeting_point(
        centre, name="Harbour Hall", street="Quay 1", municipality="Siegen", city="Siegen", opening_notes=""
    )
    volunteer = make_user("volunteer", centre=centre, name="Alex Example")
    open_shift = make_shift(meeting_point, activity="sprachcafe", languages=["ar"])
    tomorrow = time.to_berlin(time.now()).date() + timedelta(days=1)
    mine = make_shift(
        meeting_point, activity="kinderbetreuung", starts=time.berlin_local(datetime.combine(tomorrow, clock(10)))
    )
    log_hours(
        centre=centre,
        person=volunteer,
        values=HoursInput(
            work_date=time.to_berlin(time.now()).date() - timedelta(days=1),
            minutes=90,
            activity="dolmetschen",
            meeting_point=meeting_point,
        ),
    )
    db.session.commit()
    data = [
        centre.name,
        centre.district,
        meeting_point.name,
        meeting_point.address,
        meeting_point.city,
        volunteer.name,
        volunteer.email,
        meeting_point.street,
        meeting_point.postcode,
    ]
    return {
        "centre": centre,
        "meeting_point": meeting_point,
        "volunteer": volunteer,
        "open_shift": open_shift,
        "my_shift": mine,
        "data": [d for d in data if d],
    }


def _volunteer_pages(client, world) -> dict[str, str]:
    """Signs the volunteer up (to see a flash message and a filled 'my shifts') and returns the
    HTML of the volunteers' pages by path."""
    pages = {}
    response = post_form(client, f"/shifts/{world['my_shift'].id}/signup", follow_redirects=True)
    pages["flash after sign-up"] = response.get_data(as_text=True)
    for path in [
        "/",
        "/shifts",
        f"/shifts/{world['open_shift'].id}",
        f"/shifts/{world['my_shift'].id}",
        "/my/shifts",
        "/hours",
        f"/checkin/{world['meeting_point'].checkin_code}",
        "/settings",
        "/settings/delete-account",
        "/privacy",
        "/offline",
        "/no-such-page",
    ]:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        pages[path] = response.get_data(as_text=True)
    return pages


def _public_pages(client) -> dict[str, str]:
    return {
        path: client.get(path).get_data(as_text=True)
        for path in ["/", "/login", "/register", "/password/forgot", "/privacy", "/accessibility"]
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_volunteer_pages_have_no_german_left(lang, app, client, login, volunteer_world, german_only_words):
    client.set_cookie("locale", lang)
    pages = _public_pages(client)
    login(user=volunteer_world["volunteer"])
    pages.update(_volunteer_pages(client, volunteer_world))
    problems = {}
    for path, html in pages.items():
        text, html_attrs = _visible(html)
        assert html_attrs.get("lang") == lang, (path, html_attrs)
        left = _german_left(text, volunteer_world["data"], german_only_words)
        if left:
            problems[path] = left
    assert not problems, f"German words on {lang} pages: {problems}"


def test_english_pages_are_english(client, login, volunteer_world):
    client.set_cookie("locale", "en")
    login(user=volunteer_world["volunteer"])
    pages = _volunteer_pages(client, volunteer_world)
    assert "You have signed up. Thank you!" in pages["flash after sign-up"]
    assert "Open shifts" in pages["/shifts"] and "My shifts" in pages["/shifts"]
    assert "Log other hours" in pages["/hours"] and "awaiting approval" in pages["/hours"]
    assert "This page does not exist." in pages["/no-such-page"]


def test_arabic_pages_run_right_to_left(client, login, volunteer_world):
    client.set_cookie("locale", "ar")
    login(user=volunteer_world["volunteer"])
    pages = _volunteer_pages(client, volunteer_world)
    for path, html in pages.items():
        _text, html_attrs = _visible(html)
        assert html_attrs.get("dir") == "rtl" and html_attrs.get("lang") == "ar", path
    assert "المناوبات المتاحة" in pages["/shifts"]  # Open shifts
    assert "مناوباتي" in pages["/my/shifts"]  # My shifts
    assert "ساعاتي" in pages["/hours"]  # My hours
    assert "تم تسجيلك. شكرًا!" in pages["flash after sign-up"]  # You have signed up. Thank you!
    assert "مقهى اللغة" in pages["/shifts"]  # the activity's name


def test_ukrainian_pages(client, login, volunteer_world):
    client.set_cookie("locale", "uk")
    login(user=volunteer_world["volunteer"])
    pages = _volunteer_pages(client, volunteer_world)
    _text, html_attrs = _visible(pages["/shifts"])
    assert html_attrs.get("lang") == "uk" and html_attrs.get("dir") == "ltr"
    assert "Відкриті зміни" in pages["/shifts"] and "Мої години" in pages["/hours"]
    assert "Ви записані. Дякуємо!" in pages["flash after sign-up"]


def test_the_saved_choice_wins_over_cookie_and_browser(client, login, volunteer_world):
    from volunteers.extensions import db

    volunteer_world["volunteer"].locale = "ar"
    db.session.commit()
    client.set_cookie("locale", "en")
    login(user=volunteer_world["volunteer"])
    html = client.get("/my/shifts", headers={"Accept-Language": "de"}).get_data(as_text=True)
    _text, html_attrs = _visible(html)
    assert html_attrs == {**html_attrs, "lang": "ar", "dir": "rtl"}
    assert "مناوباتي" in html


@pytest.mark.parametrize("header", ["de", "de-DE,de;q=0.9", "fr-FR,fr;q=0.9"])
def test_german_is_the_fallback(client, header):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    _text, html_attrs = _visible(html)
    assert html_attrs.get("lang") == "de" and html_attrs.get("dir") == "ltr"
    assert "Passwort vergessen?" in html and "Registrieren" in html


def test_browser_language_chooses_on_first_visit(client):
    html = client.get("/login", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="uk"' in html and "Забули пароль?" in html


def test_feed_and_notification_texts_follow_the_reader(app, volunteer_world):
    from flask_babel import force_locale

    from volunteers.feeds.events import personal_event, public_event
    from volunteers.shifts import signups

    signup = signups.sign_up(shift=volunteer_world["my_shift"], volunteer=volunteer_world["volunteer"])
    with app.test_request_context():
        with force_locale("en"):
            assert "Your status: confirmed" in personal_event(signup, None).description
            assert "places still free" in public_event(volunteer_world["open_shift"]).description
        with force_locale("uk"):
            assert "Ваш статус: підтверджено" in personal_event(signup, None).description
        with force_locale("ar"):
            assert "حالتك: مؤكَّد" in personal_event(signup, None).description

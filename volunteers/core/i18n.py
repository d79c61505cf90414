"""Which language a page is shown in: the user's saved choice (the accounts domain says how to find
it), then the cookie set by the language switcher, then the browser's Accept-Language, then German.
Error pages skip the first: finding the user's choice may need the database (see core/error_pages.py)."""

from collections.abc import Callable

from flask import Flask, has_request_context, request
from flask_babel import Babel

from .error_pages import on_error_page

LOCALE_COOKIE = "locale"
RTL_LOCALES = ("ar",)
LOCALE_NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية", "uk": "Українська"}
LOCALES = tuple(LOCALE_NAMES)


def init_i18n(app: Flask, babel: Babel, *, saved_locale: Callable[[], str | None]) -> None:
    """Let Babel choose each request's language; saved_locale() is the signed-in user's choice, or None."""

    def select_locale() -> str:
        if not has_request_context():
            return "de"
        saved = None if on_error_page() else saved_locale()
        for choice in (saved, request.cookies.get(LOCALE_COOKIE)):
            if choice in LOCALES:
                return choice
        return request.accept_languages.best_match(LOCALES) or "de"

    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Berlin")

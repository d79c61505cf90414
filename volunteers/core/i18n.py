"""Which language a page is shown in: the user's saved choice, then the cookie set by the
language switcher, then the browser's Accept-Language, then German."""

from flask import has_request_context, request
from flask_login import current_user

from ..accounts.models import LOCALES

LOCALE_COOKIE = "locale"
RTL_LOCALES = ("ar",)
LOCALE_NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية", "uk": "Українська"}


def select_locale() -> str:
    if not has_request_context():
        return "de"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in LOCALES:
        return cookie
    return request.accept_languages.best_match(LOCALES) or "de"


def select_timezone() -> str:
    return "Europe/Berlin"

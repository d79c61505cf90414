"""Display names of the language codes used for meeting points, shifts and volunteers."""

from flask_babel import lazy_gettext as _l

from ..core.templating import resolved
from .models import LANGUAGE_CODES

LANGUAGE_NAMES = {
    "de": _l("Deutsch"),
    "ar": _l("Arabisch"),
    "fa": _l("Farsi/Dari"),
    "ku": _l("Kurdisch"),
    "ti": _l("Tigrinya"),
    "uk": _l("Ukrainisch"),
    "ru": _l("Russisch"),
    "tr": _l("Türkisch"),
    "en": _l("Englisch"),
    "fr": _l("Französisch"),
    "so": _l("Somali"),
    "ps": _l("Paschtu"),
    "sq": _l("Albanisch"),
    "ro": _l("Rumänisch"),
    "bg": _l("Bulgarisch"),
}
if set(LANGUAGE_NAMES) != set(LANGUAGE_CODES):  # a new code without a name is a programming error
    raise RuntimeError("LANGUAGE_NAMES and LANGUAGE_CODES differ")


def language_choices() -> list[tuple[str, str]]:
    names = resolved(LANGUAGE_NAMES)
    return [(code, names[code]) for code in LANGUAGE_CODES]


def language_name(code: str) -> str:
    return resolved(LANGUAGE_NAMES).get(code, code)

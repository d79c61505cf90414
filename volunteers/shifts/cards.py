"""What the shift cards of a page share, built once per request instead of once per card: the links
to a shift's actions as patterns with the id put in, and the page's CSRF token. url_for costs
about 15 µs a call; a list of 40 cards called it some 150 times."""

from dataclasses import dataclass

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..core.templating import resolved
from .labels import SIGNUP_STATUS_NAMES

SENTINEL = 987654321  # an id no route can hold otherwise; its place in the URL becomes "{}"


def _pattern(endpoint: str, key: str) -> str:
    return url_for(endpoint, **{key: SENTINEL}).replace(str(SENTINEL), "{}")


@dataclass(frozen=True)
class CardLinks:
    csrf: str
    shift_page: str
    sign_up: str
    cancel: str
    ics: str
    offer_handover: str
    withdraw_handover: str


def card_links() -> CardLinks:
    """The request's links for shift cards: `links.sign_up.format(shift.id)`."""
    links = g.get("shift_card_links")
    if links is None:
        links = g.shift_card_links = CardLinks(
            csrf=generate_csrf(),
            shift_page=_pattern("shifts.shift_page", "shift_id"),
            sign_up=_pattern("shifts.sign_up", "shift_id"),
            cancel=_pattern("shifts.cancel", "shift_id"),
            ics=_pattern("feeds.single_shift", "shift_id"),
            offer_handover=_pattern("handovers.offer", "shift_id"),
            withdraw_handover=_pattern("handovers.withdraw", "offer_id"),
        )
    return links


# The cards' fixed texts, each translated once per locale rather than once per card (a list of 40
# cards printed some 800 of them). Markup: printed as they are, as Jinja's gettext prints them.
CARD_TEXTS = {
    "sign_up": _l("Eintragen"),
    "join_waitlist": _l("Auf die Warteliste"),
    "leave_waitlist": _l("Von der Warteliste nehmen"),
    "cannot": _l("Ich kann nicht"),
    "really_leave_waitlist": _l("Wirklich von der Warteliste nehmen?"),
    "really_cancel": _l("Wirklich absagen? Ihr Platz wird frei."),
    "reason": _l("Grund (freiwillig, nur für die Koordination)"),
    "yes_leave_waitlist": _l("Ja, von der Warteliste nehmen"),
    "yes_cannot": _l("Ja, ich kann nicht"),
    "awaiting_approval": _l("Wartet auf Bestätigung der Übernahme"),
    "offered": _l("Zur Übernahme angeboten"),
    "withdraw_offer": _l("Angebot zurückziehen"),
    "hand_over": _l("Übergeben"),
    "hand_over_explained": _l(
        "Wer die Schicht übernehmen kann, wird benachrichtigt. Bis jemand übernimmt, bleiben Sie eingetragen."
    ),
    "yes_hand_over": _l("Ja, zur Übernahme anbieten"),
    "staffing": _l("%(confirmed)d von %(max)d Plätzen belegt"),
    "understaffed": _l("unterbesetzt (mindestens %(min)d)"),
    "certificate_needed": _l("Führungszeugnis nötig"),
    "languages": _l("Sprachen"),
    "download_ics": _l("Termin herunterladen (.ics)"),
    "shift_cancelled": _l("Schicht abgesagt"),
}


def card_texts() -> dict:
    """The cards' texts in the reader's language, with the sign-up states under "status"."""
    texts = resolved(CARD_TEXTS, Markup)
    if "status" not in texts:
        texts["status"] = resolved(SIGNUP_STATUS_NAMES, Markup)
    return texts

"""Names of shift and sign-up states as people read them (text, never colour alone)."""

from flask_babel import lazy_gettext as _l

SHIFT_STATUS_NAMES = {"draft": _l("Entwurf"), "published": _l("veröffentlicht"), "cancelled": _l("abgesagt")}
SIGNUP_STATUS_NAMES = {
    "confirmed": _l("bestätigt"),
    "waitlisted": _l("Warteliste"),
    "pending": _l("wartet auf Bestätigung"),
    "cancelled": _l("storniert"),
}
ATTENDANCE_NAMES = {"attended": _l("anwesend"), "no_show": _l("nicht erschienen")}


def template_labels() -> dict:
    return {
        "shift_status_names": SHIFT_STATUS_NAMES,
        "signup_status_names": SIGNUP_STATUS_NAMES,
        "attendance_names": ATTENDANCE_NAMES,
    }

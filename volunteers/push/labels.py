"""Names of notification kinds, states and delivery outcomes as coordinators read them."""

from flask_babel import lazy_gettext as _l

KIND_NAMES = {
    "reminder": _l("Erinnerung"),
    "shift_changed": _l("Schicht geändert"),
    "shift_cancelled": _l("Schicht abgesagt"),
    "waitlist_promoted": _l("Von der Warteliste nachgerückt"),
    "staffing_call": _l("Aufruf: Helfende gesucht"),
    "shift_message": _l("Nachricht zur Schicht"),
    "invitation": _l("Persönliche Anfrage"),
    "handover_offered": _l("Übernahme gesucht"),
    "handover_taken": _l("Schicht übernommen"),
    "handover_lapsed": _l("Übergabe abgelaufen"),
    "handover_declined": _l("Übernahme nicht bestätigt"),
    "handover_awaiting_approval": _l("Übergabe wartet auf Freigabe"),
    "test": _l("Testnachricht"),
}

STATUS_NAMES = {
    "pending": _l("wartet"),
    "sending": _l("wird gesendet"),
    "sent": _l("gesendet"),
    "failed": _l("fehlgeschlagen"),
    "cancelled": _l("zurückgezogen"),
    "no_device": _l("kein Gerät angemeldet"),
}

OUTCOME_NAMES = {
    "delivered": _l("zugestellt"),
    "gone": _l("Gerät abgemeldet"),
    "retry": _l("später erneut"),
    "failed": _l("abgelehnt"),
    "refused": _l("Adresse nicht erlaubt"),
}

"""The audit trail in words: each event as one sentence in the reader's language, e.g.
"Stunden von Anna Müller für 18. November 2026 freigegeben", never "hours_entry #12 approved".

Names come from the rows the event is about, looked up within the event's centre; what is gone
since is told from what the event stored. Dates are written by Babel in the reader's locale."""

from datetime import date

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..activities.services import activity_name
from ..core.time import to_berlin
from ..extensions import db
from ..hours.models import HoursEntry
from ..shifts.models import Shift
from .models import AuditEvent


class _Facts:
    """What a sentence needs of one event, in the reader's locale."""

    def __init__(self, event: AuditEvent, locale: str):
        self.event, self.locale = event, locale
        self.before, self.after = event.before or {}, event.after or {}

    def day(self, value: str | date | None) -> str:
        if not value:
            return "–"
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value, "long", locale=self.locale)

    def stored(self, key: str):
        """A value as the event stored it: after the change, else before it."""
        return self.after.get(key, self.before.get(key))

    def _own(self, model, object_id):
        """The row, if it still exists and belongs to the event's centre."""
        found = db.session.get(model, object_id) if object_id is not None else None
        return (
            found
            if found is not None and getattr(found, "centre_id", self.event.centre_id) == self.event.centre_id
            else None
        )

    def hours_owner(self) -> str:
        entry = self._own(HoursEntry, self.event.entity_id)
        return entry.user.name if entry is not None and entry.user is not None else _("einer gelöschten Person")

    def person(self, user_id) -> str:
        user = db.session.get(User, user_id) if user_id is not None else None
        return user.name if user is not None else _("Gelöschte Person")

    def shift(self, shift_id) -> str:
        """„Ausgabe“ am 3. Dezember 2026, or the number of a shift that is gone."""
        shift = self._own(Shift, shift_id)
        if shift is None:
            return _("Nr. %(id)s (gelöscht)", id=shift_id if shift_id is not None else "–")
        return _(
            "„%(activity)s“ am %(day)s",
            activity=activity_name(shift.centre_id, shift.activity),
            day=self.day(to_berlin(shift.starts_at).date()),
        )


# One sentence per (entity, action) that the code records. The msgids stand in _() calls so that
# the extractor finds them; each is translated when the sentence is made, in the forced locale.
DESCRIPTIONS = {
    ("hours_entry", "created"): lambda f: _(
        "Stunden von %(name)s für %(day)s eingetragen", name=f.hours_owner(), day=f.day(f.after.get("work_date"))
    ),
    ("hours_entry", "approved"): lambda f: _(
        "Stunden von %(name)s für %(day)s freigegeben", name=f.hours_owner(), day=f.day(f.after.get("work_date"))
    ),
    ("hours_entry", "rejected"): lambda f: _(
        "Stunden von %(name)s für %(day)s abgelehnt", name=f.hours_owner(), day=f.day(f.after.get("work_date"))
    ),
    ("hours_entry", "updated"): lambda f: _(
        "Stunden von %(name)s für %(day)s geändert", name=f.hours_owner(), day=f.day(f.after.get("work_date"))
    ),
    # The correction is a new entry; its day is the corrected one's.
    ("hours_entry", "corrected"): lambda f: _(
        "Korrektur der Stunden von %(name)s für %(day)s gebucht",
        name=f.hours_owner(),
        day=f.day(f.before.get("work_date")),
    ),
    ("report_period", "created"): lambda f: _(
        "Berichtszeitraum %(label)s angelegt (%(first)s bis %(last)s)",
        label=f.stored("label"),
        first=f.day(f.stored("starts_on")),
        last=f.day(f.stored("ends_on")),
    ),
    ("report_period", "closed"): lambda f: _("Berichtszeitraum %(label)s abgeschlossen", label=f.stored("label")),
    ("grant", "created"): lambda f: _("Förderung für %(year)s eingetragen", year=f.stored("year")),
    ("grant", "updated"): lambda f: _("Förderung für %(year)s geändert", year=f.stored("year")),
    ("shift", "cancelled"): lambda f: _("Schicht %(shift)s abgesagt", shift=f.shift(f.event.entity_id)),
    ("shift", "message_sent"): lambda f: ngettext(
        "Nachricht zur Schicht %(shift)s an %(count)d Person geschickt",
        "Nachricht zur Schicht %(shift)s an %(count)d Personen geschickt",
        f.after.get("recipients", 0),
        shift=f.shift(f.event.entity_id),
        count=f.after.get("recipients", 0),
    ),
    ("centre", "volunteers_exported"): lambda f: ngettext(
        "Liste der Ehrenamtlichen heruntergeladen (%(count)d Person)",
        "Liste der Ehrenamtlichen heruntergeladen (%(count)d Personen)",
        f.after.get("rows", 0),
        count=f.after.get("rows", 0),
    ),
    ("handover", "offered"): lambda f: _(
        "%(name)s hat die Schicht %(shift)s zur Übernahme angeboten",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("handover", "withdrawn"): lambda f: _(
        "%(name)s hat das Übernahme-Angebot für %(shift)s zurückgezogen",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("handover", "requested"): lambda f: _(
        "%(taker)s möchte die Schicht %(shift)s von %(name)s übernehmen",
        taker=f.person(f.after.get("taker_id")),
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("handover", "taken"): lambda f: _(
        "%(taker)s hat die Schicht %(shift)s von %(name)s übernommen",
        taker=f.person(f.after.get("taker_id")),
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("handover", "declined"): lambda f: _(
        "Übernahme der Schicht %(shift)s von %(name)s abgelehnt",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("handover", "lapsed"): lambda f: _(
        "Niemand hat die Schicht %(shift)s von %(name)s übernommen; abgesagt",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("invitation", "sent"): lambda f: _(
        "%(name)s für die Schicht %(shift)s angefragt",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("invitation", "accepted"): lambda f: _(
        "%(name)s hat die Anfrage für die Schicht %(shift)s angenommen",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("invitation", "declined"): lambda f: _(
        "%(name)s hat die Anfrage für die Schicht %(shift)s abgelehnt",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
    ("engagement_certificate", "issued"): lambda f: _(
        "Ehrenamtsnachweis für %(name)s ausgestellt (%(first)s bis %(last)s)",
        name=f.person(f.after.get("user_id")),
        first=f.day(f.after.get("period_start")),
        last=f.day(f.after.get("period_end")),
    ),
    ("engagement_certificate", "revoked"): lambda f: _(
        "Ehrenamtsnachweis für %(name)s widerrufen (%(first)s bis %(last)s)",
        name=f.person(f.after.get("user_id")),
        first=f.day(f.after.get("period_start")),
        last=f.day(f.after.get("period_end")),
    ),
    ("ehrenamtskarte_confirmation", "issued"): lambda f: _(
        "Bestätigung für die Ehrenamtskarte von %(name)s erstellt", name=f.person(f.after.get("user_id"))
    ),
    ("signup", "walk_in"): lambda f: _(
        "%(name)s spontan in der Schicht %(shift)s eingetragen",
        name=f.person(f.after.get("user_id")),
        shift=f.shift(f.after.get("shift_id")),
    ),
}


def _things():
    # In the dative, as the generic sentence needs them: "Änderung an einer Schicht".
    return {
        "hours_entry": _("einem Stundeneintrag"),
        "report_period": _("einem Berichtszeitraum"),
        "grant": _("einer Förderung"),
        "shift": _("einer Schicht"),
        "signup": _("einer Anmeldung"),
        "handover": _("einer Übergabe"),
        "centre": _("einem Zentrum"),
        "engagement_certificate": _("einem Ehrenamtsnachweis"),
        "invitation": _("einer Anfrage"),
    }


def _generic(f: _Facts) -> str:
    """An action nobody wrote a sentence for yet still reads as German, not as a code."""
    return _("Änderung an %(thing)s", thing=_things().get(f.event.entity, _("einem Eintrag")))


def describe_event(event: AuditEvent, locale: str) -> str:
    """The event as a sentence in `locale`."""
    with force_locale(locale):
        return DESCRIPTIONS.get((event.entity, event.action), _generic)(_Facts(event, locale))


def describe_events(events: list[AuditEvent], locale: str) -> dict[int, str]:
    """Sentences for a page of events by event id, with the rows they name loaded in a few queries."""
    loaded = _load_rows(events)  # held here: the identity map keeps rows only while they are referenced
    descriptions = {event.id: describe_event(event, locale) for event in events}
    del loaded
    return descriptions


def _load_rows(events: list[AuditEvent]) -> list:
    """The rows the events name, into the session's identity map, where describe_event's lookups
    find them without a query."""
    centre_ids = {event.centre_id for event in events}
    entry_ids = {e.entity_id for e in events if e.entity == "hours_entry"}
    shift_ids = {e.entity_id for e in events if e.entity == "shift"} | {(e.after or {}).get("shift_id") for e in events}
    user_ids = {(e.after or {}).get("user_id") for e in events} - {None}
    loaded: list = []
    if entry_ids:
        loaded += db.session.scalars(
            sa.select(HoursEntry)
            .where(HoursEntry.id.in_(entry_ids), HoursEntry.centre_id.in_(centre_ids))
            .options(joinedload(HoursEntry.user))
        ).all()
    if shift_ids := shift_ids - {None}:
        loaded += db.session.scalars(
            sa.select(Shift).where(Shift.id.in_(shift_ids), Shift.centre_id.in_(centre_ids))
        ).all()
    if user_ids:
        loaded += db.session.scalars(sa.select(User).where(User.id.in_(user_ids))).all()
    return loaded

"""Messages about handovers, written into the outbox in the transaction of the change (the worker
sends them by push or mail, as each person chose). Keys begin like reminders/notify.py's,
"shift:<id>:user:<id>:", so that a person's messages about a shift stay together."""

from flask_babel import force_locale, format_time
from flask_babel import gettext as _

from ..accounts.models import User
from ..activities.services import activity_name
from ..core.templating import format_day
from ..push.services import queue_notification
from .models import Handover
from .policy import cancellation_cutoff

OFFERS_URL = "/handovers"


def _when_and_where(offer: Handover) -> str:
    shift = offer.shift
    return (
        f"{format_day(shift.starts_at, 'MMMEd')}, {format_time(shift.starts_at, 'short')} · {shift.meeting_point.name}"
    )


def _queue(user: User, offer: Handover, kind: str, what: str, title: str, body: str, url: str) -> None:
    queue_notification(
        user=user,
        kind=kind,
        title=title,
        body=body,
        url=url,
        centre=offer.shift.centre,
        dedupe_key=f"shift:{offer.shift_id}:user:{user.id}:handover-{offer.id}-{offer.created_at.timestamp():.0f}-{what}",
        expires_at=offer.shift.starts_at,
    )


def _activity(offer: Handover) -> str:
    return activity_name(offer.shift.centre_id, offer.shift.activity)


def offered(offer: Handover, people: list[User]) -> None:
    """To the colleagues who may take the seat; they can until the cut-off. No name of the offerer."""
    stamp = f"{offer.created_at.timestamp():.0f}"
    for person in people:
        with force_locale(person.locale or "de"):
            title = _("Wer übernimmt? %(activity)s", activity=_activity(offer))
            body = _("%(when)s. Eine Person kann nicht und sucht Ersatz.", when=_when_and_where(offer))
        queue_notification(
            user=person,
            kind="handover_offered",
            title=title,
            body=body,
            url=OFFERS_URL,
            centre=offer.shift.centre,
            dedupe_key=f"shift:{offer.shift_id}:user:{person.id}:handover-{offer.id}-offered:{stamp}",
            expires_at=cancellation_cutoff(offer.shift),
        )


def taken(offer: Handover) -> None:
    """To the offerer: released, someone has the seat."""
    if offer.offered_by is None:
        return
    with force_locale(offer.offered_by.locale or "de"):
        title = _("Übernommen: %(activity)s", activity=_activity(offer))
        body = _("%(when)s. Jemand hat Ihre Schicht übernommen; Sie sind ausgetragen.", when=_when_and_where(offer))
    _queue(offer.offered_by, offer, "handover_taken", "taken", title, body, f"/shifts/{offer.shift_id}")


def lapsed(offer: Handover) -> None:
    """To the offerer: nobody took it by the cut-off, so it became a cancellation."""
    if offer.offered_by is None:
        return
    with force_locale(offer.offered_by.locale or "de"):
        title = _("Nicht übernommen: %(activity)s", activity=_activity(offer))
        body = _("%(when)s. Niemand hat übernommen; Sie sind ausgetragen.", when=_when_and_where(offer))
    _queue(offer.offered_by, offer, "handover_lapsed", "lapsed", title, body, f"/shifts/{offer.shift_id}")


def awaiting_approval(offer: Handover, staff: list[User]) -> None:
    """To the centre's coordination: a colleague took the seat and waits for their approval, until
    the offer lapses at the cut-off. Once per offer and taker; no names on the lock screen."""
    url = f"/centres/{offer.shift.centre.slug}/shifts/{offer.shift_id}#handovers-heading"
    stamp = f"{offer.created_at.timestamp():.0f}"
    for person in staff:
        with force_locale(person.locale or "de"):
            title = _("Übergabe wartet auf Freigabe")
            body = _(
                "%(activity)s, %(when)s: Bitte bestätigen oder ablehnen.",
                activity=_activity(offer),
                when=_when_and_where(offer),
            )
        queue_notification(
            user=person,
            kind="handover_awaiting_approval",
            title=title,
            body=body,
            url=url,
            centre=offer.shift.centre,
            dedupe_key=f"shift:{offer.shift_id}:user:{person.id}:handover-{offer.id}-{stamp}-approval:{offer.taker_id}",
            expires_at=cancellation_cutoff(offer.shift),
        )


def declined(offer: Handover, taker: User) -> None:
    """To the colleague the coordination did not approve."""
    with force_locale(taker.locale or "de"):
        title = _("Übernahme nicht bestätigt: %(activity)s", activity=_activity(offer))
        body = _("%(when)s. Die Koordination hat die Übernahme nicht bestätigt.", when=_when_and_where(offer))
    _queue(taker, offer, "handover_declined", f"declined:{taker.id}", title, body, OFFERS_URL)

"""From shifts and sign-ups to feed events, in the reader's language.

A feed has hundreds of events, and every gettext call costs flask_babel some 15 µs of context
lookups: the labels are translated once per feed (`Texts`), each activity name once per feed."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..activities.services import activity_name
from ..core.links import external_url
from ..shifts.labels import SIGNUP_STATUS_NAMES
from ..shifts.models import CANCELLED, CONFIRMED, DRAFT, WAITLISTED
from .ical import FeedEvent

_MARK = 987654321  # stands for the shift id in the URL patterns below

# The texts whose words change with a number, each as ngettext for (count, of).
_COUNTED = {
    "free": lambda count, of: ngettext(
        "Noch %(count)d Platz von %(max)d frei.", "Noch %(count)d von %(max)d Plätzen frei.", count, count=count, max=of
    ),
    "free_places": lambda count, of: ngettext("%(count)d freier Platz", "%(count)d freie Plätze", count, count=count),
    "understaffed": lambda count, of: ngettext(
        "Unterbesetzt: mindestens %(count)d Person nötig.",
        "Unterbesetzt: mindestens %(count)d Personen nötig.",
        count,
        count=count,
    ),
}


@dataclass
class Texts:
    """What the events of one feed share, looked up once in the feed's locale."""

    host: str = field(default_factory=lambda: current_app.config.get("SERVER_NAME") or "treffpunkt")
    cancelled: str = field(default_factory=lambda: _("Abgesagt: %(reason)s"))
    your_status: str = field(default_factory=lambda: _("Ihr Status: %(status)s"))
    waitlisted_prefix: str = field(default_factory=lambda: _("Warteliste: "))
    confirmed: str = field(default_factory=lambda: _("Bestätigt (%(count)d/%(max)d): %(names)s"))
    waitlist: str = field(default_factory=lambda: _("Warteliste: %(names)s"))
    draft_prefix: str = field(default_factory=lambda: _("[Entwurf] "))
    statuses: dict = field(default_factory=lambda: {key: str(name) for key, name in SIGNUP_STATUS_NAMES.items()})
    activities: dict = field(default_factory=dict)  # (centre_id, slug): name, filled as met
    urls: dict = field(default_factory=dict)  # (endpoint, *values): the URL around the shift id
    counted_texts: dict = field(default_factory=dict)  # (what, count, max): the sentence, made once

    def free(self, count: int, of: int) -> str:
        return self._counted("free", count, of)

    def free_places(self, count: int) -> str:
        return self._counted("free_places", count)

    def understaffed(self, count: int) -> str:
        return self._counted("understaffed", count)

    def _counted(self, what: str, count: int, of: int = 0) -> str:
        """A counted text in its plural form for `count`; a feed meets only a few distinct counts."""
        key = (what, count, of)
        if key not in self.counted_texts:
            self.counted_texts[key] = _COUNTED[what](count, of)
        return self.counted_texts[key]

    def uid(self, shift) -> str:
        return f"shift-{shift.id}@{self.host}"

    def title(self, shift) -> str:
        key = (shift.centre_id, shift.activity)
        if key not in self.activities:
            self.activities[key] = activity_name(*key)
        return f"{self.activities[key]} – {shift.meeting_point.name}"

    def url(self, endpoint: str, shift, **values) -> str:
        """external_url(endpoint, shift_id=shift.id, **values) from a pattern made once per feed:
        building a URL takes 5–10 µs a call."""
        key = (endpoint, *values.values())
        if key not in self.urls:
            url = external_url(endpoint, shift_id=_MARK, **values)
            self.urls[key] = url.rsplit(str(_MARK), 1)  # the shift id is the last part of the path
        head, tail = self.urls[key]
        return f"{head}{shift.id}{tail}"

    def cancelled_note(self, shift) -> list[str]:
        return [self.cancelled % {"reason": shift.cancel_reason}] if shift.status == CANCELLED else []


def _geo(meeting_point):
    if meeting_point.latitude is None:
        return None
    return (meeting_point.latitude, meeting_point.longitude)


def personal_event(signup, alarm_minutes: int | None, texts: Texts | None = None) -> FeedEvent:
    texts, shift = texts or Texts(), signup.shift
    tentative = signup.status != CONFIRMED
    lines = [*texts.cancelled_note(shift), texts.your_status % {"status": texts.statuses[signup.status]}]
    if shift.notes:
        lines.append(shift.notes)
    lines.append(shift.meeting_point.opening_notes)
    return FeedEvent(
        uid=texts.uid(shift),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        summary=(texts.waitlisted_prefix if signup.status == WAITLISTED else "") + texts.title(shift),
        location=shift.meeting_point.address,
        geo=_geo(shift.meeting_point),
        description="\n".join(line for line in lines if line),
        url=texts.url("shifts.shift_page", shift),
        stamp=max(shift.updated_at, signup.updated_at),
        sequence=shift.sequence,
        status="CANCELLED" if shift.status == CANCELLED else "TENTATIVE" if tentative else "CONFIRMED",
        alarm_minutes=alarm_minutes,
    )


def public_event(shift, texts: Texts | None = None) -> FeedEvent:
    """No names, no notes (they are free text): only place, time, activity and free slots."""
    texts = texts or Texts()
    lines = texts.cancelled_note(shift) or [texts.free(shift.free_slots, shift.capacity_max)]
    return FeedEvent(
        uid=texts.uid(shift),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        summary=texts.title(shift),
        location=shift.meeting_point.address,
        geo=_geo(shift.meeting_point),
        description="\n".join(lines),
        url=texts.url("shifts.shift_page", shift),
        stamp=shift.updated_at,
        sequence=shift.sequence,
        status="CANCELLED" if shift.status == CANCELLED else "CONFIRMED",
    )


def centre_event(shift, signups: list, texts: Texts | None = None) -> FeedEvent:
    """For coordinators: who is signed up, who waits, how many places are free. `shift` is a
    queries.FeedShift, `signups` its sign-ups in the order they came, as (status, updated_at, name)."""
    texts = texts or Texts()

    def names(status):
        return ", ".join(s.name for s in signups if s.status == status and s.name is not None) or "–"

    lines = [
        *texts.cancelled_note(shift),
        texts.confirmed % {"count": shift.confirmed_count, "max": shift.capacity_max, "names": names(CONFIRMED)},
        texts.waitlist % {"names": names(WAITLISTED)},
        texts.free_places(shift.free_slots),
    ]
    if shift.is_understaffed:
        lines.insert(0, texts.understaffed(shift.capacity_min))
    return FeedEvent(
        uid=texts.uid(shift),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        summary=(texts.draft_prefix if shift.status == DRAFT else "") + texts.title(shift),
        location=shift.meeting_point.address,
        geo=_geo(shift.meeting_point),
        description="\n".join(lines),
        url=texts.url("plan.shift_detail", shift, slug=shift.centre_slug),
        stamp=max([shift.updated_at, *(s.updated_at for s in signups)]),
        sequence=shift.sequence,
        status="CANCELLED" if shift.status == CANCELLED else "TENTATIVE" if shift.status == DRAFT else "CONFIRMED",
    )


def personal_events(signups, alarm_minutes: int | None) -> list[FeedEvent]:
    texts = Texts()
    return [personal_event(signup, alarm_minutes, texts) for signup in signups]


def public_events(shifts) -> list[FeedEvent]:
    texts = Texts()
    return [public_event(shift, texts) for shift in shifts]


def centre_events(shifts, signups: dict[int, list]) -> list[FeedEvent]:
    texts = Texts()
    return [centre_event(shift, signups.get(shift.id, []), texts) for shift in shifts]

"""From shifts and sign-ups to feed events, in the reader's language."""
from flask import current_app, url_for
from flask_babel import gettext as _

from ..activities.services import activity_name
from ..shifts.labels import SIGNUP_STATUS_NAMES
from ..shifts.models import CANCELLED, CONFIRMED, DRAFT, WAITLISTED
from .ical import FeedEvent


def _uid(shift) -> str:
    return f"shift-{shift.id}@{current_app.config.get('SERVER_NAME') or 'treffpunkt'}"


def _geo(meeting_point):
    if meeting_point.latitude is None:
        return None
    return (meeting_point.latitude, meeting_point.longitude)


def _title(shift) -> str:
    return f"{activity_name(shift.centre_id, shift.activity)} – {shift.meeting_point.name}"


def _cancelled_note(shift) -> list[str]:
    return [_("Abgesagt: %(reason)s", reason=shift.cancel_reason)] if shift.status == CANCELLED else []


def personal_event(signup, alarm_minutes: int | None) -> FeedEvent:
    shift = signup.shift
    tentative = signup.status != CONFIRMED
    lines = [*_cancelled_note(shift), _("Ihr Status: %(status)s", status=SIGNUP_STATUS_NAMES[signup.status])]
    if shift.notes:
        lines.append(shift.notes)
    lines.append(shift.meeting_point.opening_notes)
    return FeedEvent(
        uid=_uid(shift), starts_at=shift.starts_at, ends_at=shift.ends_at,
        summary=(_("Warteliste: ") if signup.status == WAITLISTED else "") + _title(shift),
        location=shift.meeting_point.address, geo=_geo(shift.meeting_point),
        description="\n".join(line for line in lines if line),
        url=url_for("shifts.shift_page", shift_id=shift.id, _external=True),
        stamp=max(shift.updated_at, signup.updated_at), sequence=shift.sequence,
        status="CANCELLED" if shift.status == CANCELLED else "TENTATIVE" if tentative else "CONFIRMED",
        alarm_minutes=alarm_minutes)


def public_event(shift) -> FeedEvent:
    """No names, no notes (they are free text): only place, time, activity and free slots."""
    lines = _cancelled_note(shift) or [_("Noch %(count)d von %(max)d Plätzen frei.", count=shift.free_slots,
                                         max=shift.capacity_max)]
    return FeedEvent(
        uid=_uid(shift), starts_at=shift.starts_at, ends_at=shift.ends_at, summary=_title(shift),
        location=shift.meeting_point.address, geo=_geo(shift.meeting_point), description="\n".join(lines),
        url=url_for("shifts.shift_page", shift_id=shift.id, _external=True), stamp=shift.updated_at,
        sequence=shift.sequence, status="CANCELLED" if shift.status == CANCELLED else "CONFIRMED")


def centre_event(shift) -> FeedEvent:
    """For coordinators: who is signed up, who waits, how many places are free."""
    def names(status):
        return ", ".join(s.user.name for s in shift.signups if s.status == status and s.user) or "–"

    lines = [*_cancelled_note(shift),
             _("Bestätigt (%(count)d/%(max)d): %(names)s", count=shift.confirmed_count, max=shift.capacity_max,
               names=names(CONFIRMED)),
             _("Warteliste: %(names)s", names=names(WAITLISTED)),
             _("Freie Plätze: %(count)d", count=shift.free_slots)]
    if shift.is_understaffed:
        lines.insert(0, _("Unterbesetzt: mindestens %(count)d nötig.", count=shift.capacity_min))
    return FeedEvent(
        uid=_uid(shift), starts_at=shift.starts_at, ends_at=shift.ends_at,
        summary=(_("[Entwurf] ") if shift.status == DRAFT else "") + _title(shift),
        location=shift.meeting_point.address, geo=_geo(shift.meeting_point), description="\n".join(lines),
        url=url_for("plan.shift_detail", slug=shift.centre.slug, shift_id=shift.id, _external=True),
        stamp=max([shift.updated_at, *(s.updated_at for s in shift.signups)]), sequence=shift.sequence,
        status="CANCELLED" if shift.status == CANCELLED else "TENTATIVE" if shift.status == DRAFT else "CONFIRMED")

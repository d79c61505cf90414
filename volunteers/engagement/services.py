"""Issuing and revoking certificates of engagement, and recording the Ehrenamtskarte confirmation.
Services flush; the request commits."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..audit.services import record
from ..centres.models import Centre
from ..core import time
from ..core.errors import NotFound
from ..extensions import db
from .models import CODE_ALPHABET, CODE_LENGTH, EngagementCertificate
from .policy import Progress, check_certificate_period, check_criteria, check_has_hours
from .queries import lead_names, period_hours

ENTITY = "engagement_certificate"


def issue_certificate(*, centre: Centre, user: User, start: date, end: date) -> EngagementCertificate:
    """A certificate for the period, with the snapshot /verify shows. Asking again for the same
    period with the same hours gives the certificate already issued, not a new code each time."""
    check_certificate_period(start=start, end=end, today=time.to_berlin(time.now()).date())
    hours = period_hours(centre, user, start, end)
    check_has_hours(hours.total_minutes)
    if same := _same_certificate(centre, user, start, end, hours.total_minutes):
        return same
    certificate = EngagementCertificate(
        user_id=user.id,
        centre_id=centre.id,
        period_start=start,
        period_end=end,
        total_minutes=hours.total_minutes,
        holder_name=user.name,
        centre_name=centre.name,
        details={
            "activities": [{"name": a.name, "minutes": a.minutes} for a in hours.activities],
            "meeting_points": hours.meeting_points,
            "leads": lead_names(centre),
            "centre_address": centre.address,
        },
    )
    db.session.add(certificate)
    db.session.flush()
    record(
        centre_id=centre.id,
        actor=user,
        entity=ENTITY,
        entity_id=certificate.id,
        action="issued",
        after=_facts(certificate),
    )
    return certificate


def _same_certificate(centre, user, start, end, total_minutes) -> EngagementCertificate | None:
    return db.session.scalar(
        sa.select(EngagementCertificate).where(
            EngagementCertificate.user_id == user.id,
            EngagementCertificate.centre_id == centre.id,
            EngagementCertificate.period_start == start,
            EngagementCertificate.period_end == end,
            EngagementCertificate.total_minutes == total_minutes,
            EngagementCertificate.holder_name == user.name,
            EngagementCertificate.revoked_at.is_(None),
        )
    )


def _facts(certificate: EngagementCertificate) -> dict:
    return {
        "user_id": certificate.user_id,
        "period_start": certificate.period_start.isoformat(),
        "period_end": certificate.period_end.isoformat(),
        "total_minutes": certificate.total_minutes,
    }


def revoke_certificate(*, certificate: EngagementCertificate, by: User) -> None:
    """From now on /verify says "widerrufen"; revoking twice changes nothing."""
    if certificate.is_revoked:
        return
    certificate.revoked_at = time.now()
    db.session.flush()
    record(
        centre_id=certificate.centre_id,
        actor=by,
        entity=ENTITY,
        entity_id=certificate.id,
        action="revoked",
        after=_facts(certificate),
    )


def own_certificate_or_404(user: User, certificate_id: int) -> EngagementCertificate:
    certificate = db.session.scalar(
        sa.select(EngagementCertificate).where(
            EngagementCertificate.id == certificate_id, EngagementCertificate.user_id == user.id
        )
    )
    if certificate is None:
        raise NotFound(_("Diesen Nachweis gibt es nicht."), code="not_found")
    return certificate


def normalised_code(text: str) -> str | None:
    """The code as stored, from what someone typed (dashes, spaces, lower case); None if it
    cannot be one."""
    code = "".join(text.split()).replace("-", "").upper()
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else None


def certificate_by_code(text: str) -> EngagementCertificate | None:
    code = normalised_code(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(EngagementCertificate).where(EngagementCertificate.code == code))


def certificates_of(user: User) -> list[EngagementCertificate]:
    return list(
        db.session.scalars(
            sa.select(EngagementCertificate)
            .where(EngagementCertificate.user_id == user.id)
            .order_by(EngagementCertificate.issued_at.desc(), EngagementCertificate.id.desc())
        )
    )


def record_confirmation(*, centre_id: int, volunteer_id: int, progress: Progress, by_id: int) -> None:
    """The audit trail notes who made an Ehrenamtskarte confirmation for whom, with the hours shown.
    By ids: it runs in a unit of work of its own, after the rows of the request's reading expired."""
    record(
        centre_id=centre_id,
        actor=db.session.get(User, by_id),
        entity="ehrenamtskarte_confirmation",
        entity_id=volunteer_id,
        action="issued",
        after={"user_id": volunteer_id, "minutes_last_year": progress.minutes_last_year},
    )


def export_certificates(user: User) -> list[dict]:
    """The person's certificates for the DSGVO export."""
    return [
        {
            "code": c.readable_code,
            "centre_name": c.centre_name,
            "holder_name": c.holder_name,
            "period_start": c.period_start.isoformat(),
            "period_end": c.period_end.isoformat(),
            "total_minutes": c.total_minutes,
            "details": c.details,
            "issued_at": c.issued_at.isoformat(),
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
        }
        for c in certificates_of(user)
    ]


def update_criteria(*, centre: Centre, hours_per_year: int, hours_per_week: int, min_years: int) -> None:
    """The centre's Ehrenamtskarte criteria: the municipality's rules, where they differ from NRW's."""
    check_criteria(hours_per_year=hours_per_year, hours_per_week=hours_per_week, min_years=min_years)
    centre.ehrenamtskarte_hours_per_year = hours_per_year
    centre.ehrenamtskarte_hours_per_week = hours_per_week
    centre.ehrenamtskarte_min_years = min_years
    db.session.flush()

"""The data the two PDFs print: a certificate from its stored snapshot (so that a second download
prints what /verify confirms), a confirmation from today's figures."""

from datetime import date

from ..accounts.models import User
from ..centres.models import Centre
from ..core import time
from ..core.links import external_url
from .documents import ActivityLine, CertificateSheet, ConfirmationSheet
from .models import EngagementCertificate
from .policy import Progress, last_twelve_months
from .queries import lead_names, period_hours


def certificate_sheet(certificate: EngagementCertificate) -> CertificateSheet:
    details = certificate.details or {}
    return CertificateSheet(
        holder_name=certificate.holder_name,
        centre_name=certificate.centre_name,
        centre_address=details.get("centre_address", ""),
        leads=details.get("leads", []),
        period_start=certificate.period_start,
        period_end=certificate.period_end,
        total_minutes=certificate.total_minutes,
        activities=[ActivityLine(a["name"], a["minutes"]) for a in details.get("activities", [])],
        meeting_points=details.get("meeting_points", []),
        issued_on=time.to_berlin(certificate.issued_at).date(),
        code=certificate.readable_code,
        verify_url=external_url("engagement.verify", code=certificate.readable_code),
    )


def confirmation_sheet(centre: Centre, volunteer: User, progress: Progress, today: date) -> ConfirmationSheet:
    start, end = last_twelve_months(today)
    hours = period_hours(centre, volunteer, start, end)
    return ConfirmationSheet(
        holder_name=volunteer.name,
        centre_name=centre.name,
        centre_address=centre.address,
        leads=lead_names(centre),
        first_day=progress.first_day,
        window_start=start,
        window_end=end,
        minutes_last_year=progress.minutes_last_year,
        weekly_minutes=progress.weekly_minutes,
        activities=[ActivityLine(a.name, a.minutes) for a in hours.activities],
        meeting_points=hours.meeting_points,
        issued_on=today,
    )

"""The domain errors of hours and report periods: pages show their message, the API their code."""

from ..core.errors import DomainError


class HoursError(DomainError):
    status = 422


class PeriodError(DomainError):
    status = 422


class NotAllowed(HoursError):
    """The person may never do this here (not staff of the centre, not its lead)."""

    status = 403

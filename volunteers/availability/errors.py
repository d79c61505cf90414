from ..core.errors import DomainError


class AvailabilityError(DomainError):
    """Times or days that do not fit (422), with the field they are about."""

    status = 422


class InvitationError(DomainError):
    """A request that cannot be sent, accepted or declined now (409)."""

    status = 409

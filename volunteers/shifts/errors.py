from ..core.errors import Conflict, DomainError


class ShiftError(DomainError):
    """A shift or series cannot be planned or changed this way."""


class SignupError(Conflict):
    """A sign-up is not possible, e.g. code "overlap", "certificate_required", "started"."""

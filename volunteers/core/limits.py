"""How long a text may be. Each text field has one TextLimit, declared beside its model's column;
the column's size, the form's validator (which WTForms also writes into the page as `maxlength`),
the service's check and so the API all read it there: the page offers exactly what the server
accepts, and a client that skips the browser's check gets the same German message."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length

from .errors import DomainError

TOO_LONG = _l("Höchstens %(max)d Zeichen.")


class TooLong(DomainError):
    status = 422  # what the API answers for any value that does not fit


@dataclass(frozen=True, eq=False)
class TextLimit:
    max_length: int
    message: str = TOO_LONG  # translatable; "%(max)d" is filled in

    def error_message(self) -> str:
        return str(self.message) % {"max": self.max_length}

    def length(self) -> Length:
        """The form's validator, with the same message as the server's check."""
        return Length(max=self.max_length, message=self.message)

    def check(self, value: str | None, field: str) -> str | None:
        """`value` unchanged if it fits, else TooLong (code "too_long") naming `field`."""
        if value is not None and len(value) > self.max_length:
            raise TooLong(self.error_message(), code="too_long", field=field)
        return value


def check_texts(values: dict, limits: dict[str, TextLimit]) -> None:
    """Check each of `values` that has a limit; the first one too long raises TooLong."""
    for name, limit in limits.items():
        limit.check(values.get(name), name)

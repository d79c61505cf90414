"""Small helpers shared by the HTML views."""

from urllib.parse import urlsplit

from flask import flash, request

from ..extensions import db
from .errors import DomainError
from .limits import MAX_INT, parse_day, parse_month


def show_domain_error(form, error: DomainError) -> None:
    """Put a business-rule failure next to its field, or at the top of the form. A form may name
    its own field for a service's field name in `domain_fields` (e.g. "ends_at": "end_time")."""
    name = getattr(form, "domain_fields", {}).get(error.field, error.field)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)  # makes form.errors non-empty: the page answers 422
        flash(error.message, "error")


def safe_next_url(target: str | None) -> str | None:
    """A local path to go on to after login, or None: never an open redirect."""
    if not target or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or target.startswith("//"):
        return None
    return target


def attempt(action, form=None):
    """Run one service call; on a business-rule failure undo what it did and show the message (next
    to the form field if a form is given). Returns (succeeded, result). The commit comes after the
    view, once for the whole request (core/transactions.py)."""
    try:
        return True, action()
    except DomainError as error:
        # At once, not at the end of the request: the form shown again must not show what the failed
        # call flushed, and the redirect that often follows would commit it.
        db.session.rollback()
        if form is not None:
            show_domain_error(form, error)
        else:
            flash(error.message, "error")
        return False, None


def parse_iso_date(text: str | None, default):
    """A YYYY-MM-DD query parameter, or `default` when missing, malformed or outside the calendar
    the app serves (core/limits.py: a page falls back rather than fail)."""
    try:
        return parse_day(text) if text else default
    except ValueError:
        return default


def parse_iso_month(text: str | None, default):
    """The first day of a YYYY-MM query parameter, or `default` as parse_iso_date does."""
    try:
        return parse_month(text) if text else default
    except ValueError:
        return default


def _is_id(value: int | None) -> bool:
    return value is not None and 1 <= value <= MAX_INT


def int_arg(name: str, default: int | None = None) -> int | None:
    """A whole-number query parameter from 1 to what the database's integer holds (an id, a page,
    a year), or `default`: a larger one would overflow the query."""
    value = request.args.get(name, type=int)
    return value if _is_id(value) else default


def form_ids(name: str) -> list[int]:
    """The ids posted under `name` (checkboxes); any that no row can have are left out."""
    return [value for value in request.form.getlist(name, type=int) if _is_id(value)]

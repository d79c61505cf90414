"""Small helpers shared by the HTML views."""

from datetime import date
from urllib.parse import urlsplit

from flask import flash

from ..extensions import db
from .errors import DomainError


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
    """A YYYY-MM-DD query parameter, or `default` when missing or malformed."""
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default

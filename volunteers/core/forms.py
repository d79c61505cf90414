"""The base of every form: what a person (or a script posing as a browser) enters is checked once,
here, before any validator or service sees it, by the same rules as the API (core/limits.py):
no control characters in text (line breaks only in a textarea, as "\\n"), numbers that fit the
database's integer, days within the calendar the app serves. A value that breaks a rule is a field
error with a German message, so the page answers 422 and nothing reaches the database."""

from datetime import date
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from .limits import MAX_INT, InvalidText, clean_text, out_of_range_message, outside_calendar_message, within_calendar


def _cleaned(value, *, multiline: bool):
    if isinstance(value, str):
        try:
            return clean_text(value, multiline=multiline)
        except InvalidText as error:
            raise ValueError(error.message) from None  # WTForms makes a ValueError of a filter a field error
    if isinstance(value, list):
        return [_cleaned(item, multiline=multiline) for item in value]
    if isinstance(value, date) and not within_calendar(value):
        raise ValueError(outside_calendar_message())
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and not abs(value) <= MAX_INT:
        raise ValueError(out_of_range_message())  # also NaN and infinity: never <= anything
    return value


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            multiline = issubclass(unbound_field.field_class, TextAreaField)
            first = (lambda value: _cleaned(value, multiline=multiline),)
            filters = (*first, *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, filters=filters, **options)

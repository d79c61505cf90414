"""What every template can use: the page language and direction, dates shown in Berlin time."""
from datetime import date, datetime

from babel.dates import format_skeleton
from flask import Flask
from flask_babel import format_date, format_datetime, format_time, get_locale

from .time import to_berlin


def format_day(value, skeleton: str = "MMMMEEEEd") -> str:
    """A date in the reader's language and order ("Di., 24. November", "Tue, Nov 24"); a
    datetime is shown as its Berlin day. Skeletons are CLDR's: MMMEd, yMMMMd, yMMMM, …"""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_berlin(value)
    elif isinstance(value, date):
        value = datetime.combine(value, datetime.min.time())
    return format_skeleton(skeleton, value, locale=str(get_locale() or "de"))

from ..accounts.labels import ROLE_NAMES
from .i18n import LOCALE_NAMES, RTL_LOCALES


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        time=lambda value, fmt="short": format_time(value, fmt) if value else "",
        day=format_day,
    )

    from ..activities.services import activity_name
    from ..hours.models import HOURS_STATUS_NAMES
    from ..shifts.labels import template_labels

    # Anything with centre_id and activity: shifts, series, hours entries.
    app.jinja_env.globals.update(activity_name=lambda item: activity_name(item.centre_id, item.activity),
                                 hours_status_names=HOURS_STATUS_NAMES, **template_labels())

    @app.context_processor
    def page_language():
        locale = str(get_locale() or "de")
        return {
            "page_locale": locale,
            "text_direction": "rtl" if locale in RTL_LOCALES else "ltr",
            "locale_names": LOCALE_NAMES,
            "role_names": ROLE_NAMES,
        }

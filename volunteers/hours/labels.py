"""Names of hours states as people read them, for every template."""

from .models import HOURS_STATUS_NAMES


def template_labels() -> dict:
    return {"hours_status_names": HOURS_STATUS_NAMES}

"""Centre figures kept in process memory until the centre's change stamp moves.

The figures of a centre and period are computed from its hours, shifts and grants; every write
that could change them raises the centre's stamp (centres/stamp.py). So the figures are kept per
(centre, period, stamp, locale), and a repeat view costs one statement that reads the stamps. The
locale is part of the key because the default activities are named in the reader's language.

Two more things end an entry: time, because a shift counts as held once it has ended (an entry is
valid until the next shift of the period ends), and the reader's own transaction, when it changed
the centre (its stamp moves only at the commit). A result is kept only if the stamps read after
computing it are those read before: a write committed in between could have reached part of it.

The report page's part that depends on no person (tables, charts, figures) is kept as well, under
a key that names all it shows: the figures' checksum, the centre's name and slug, the period, the
centre's report periods, the locale. A change of any of them is another key."""

from collections.abc import Callable

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from ..centres.models import Centre
from ..centres.stamp import current_stamps, touched_in_transaction
from ..core import time
from ..core.lru import ExpiringLRU, app_store
from .figures import Period, centres_figures, stamps_and_next_shift_ends
from .tables import checksum

ENTRIES = 2048  # 54 centres × a few periods × four locales, about 20 KB each
BODIES = 512  # rendered report parts, about 25 KB each: the periods and locales most read


class KeptFigures(ExpiringLRU):
    """key → (figures with their checksum, valid until or None)."""

    def __init__(self, size: int = ENTRIES):
        super().__init__(size)


def kept_figures() -> KeptFigures:
    """This app's store."""
    return app_store("report_figures", KeptFigures)


def figures_by_centre(centres: list[Centre], period: Period) -> dict[int, dict]:
    """Each centre's live figures with their checksum, by centre id: kept ones where the stamp
    allows, the others computed together. Callers must not change what they get."""
    if not centres:
        return {}
    if not current_app.config.get("REPORT_FIGURES_KEPT", True):
        return _computed(centres, period)
    kept, at, locale = kept_figures(), time.now(), str(get_locale())
    stamps, touched = current_stamps(c.id for c in centres), touched_in_transaction()

    def key(centre_id: int) -> tuple:
        return (centre_id, period.start, period.end, stamps[centre_id], locale)

    found = {c.id: kept.get(key(c.id), at) for c in centres if c.id not in touched}
    result = {i: figures for i, figures in found.items() if figures is not None}
    missing = [c for c in centres if c.id not in result]
    if missing:
        result |= _computed(missing, period)
        _keep(kept, [c.id for c in missing if c.id not in touched], period, stamps, key, result)
    return result


def _computed(centres: list[Centre], period: Period) -> dict[int, dict]:
    return {i: {**figures, "checksum": checksum(figures)} for i, figures in centres_figures(centres, period).items()}


def _keep(kept: KeptFigures, ids: list[int], period: Period, stamps: dict, key, result: dict) -> None:
    if not ids:
        return
    after = stamps_and_next_shift_ends(ids, period)
    for i in ids:
        if i in after and after[i][0] == stamps[i]:
            kept.put(key(i), result[i], after[i][1])


def kept_rows(key: tuple, centre_id: int, read: Callable[[], list]) -> list:
    """Rows of one centre that only its own data decide (its report periods), kept per its stamp,
    read before them."""
    if not current_app.config.get("REPORT_FIGURES_KEPT", True) or centre_id in touched_in_transaction():
        return read()
    stamp = current_stamps([centre_id])[centre_id]
    kept, at = kept_figures(), time.now()
    rows = kept.get((*key, stamp), at)
    if rows is None:
        rows = read()
        kept.put((*key, stamp), rows, None)
    return rows


class KeptBodies(ExpiringLRU):
    """key → the centre report's rendered part that depends on no person (its key: views.py _centre_body)."""

    def __init__(self, size: int = BODIES):
        super().__init__(size)


def kept_bodies() -> KeptBodies:
    """This app's store."""
    return app_store("report_bodies", KeptBodies)


def kept_body(key: tuple, centre_id: int, render: Callable[[], Markup]) -> Markup:
    """The rendered part kept under `key`, which names everything it shows (the figures by their
    checksum), so that an entry can never be stale; rendered now and kept where the reader's own
    transaction did not change the centre (what it saw may yet be rolled back)."""
    if not current_app.config.get("REPORT_FIGURES_KEPT", True) or centre_id in touched_in_transaction():
        return render()
    kept, at = kept_bodies(), time.now()
    body = kept.get(key, at)
    if body is None:
        body = render()
        kept.put(key, body, None)
    return body

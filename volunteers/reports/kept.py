"""Centre figures kept in process memory until the centre's change stamp moves.

The figures of a centre and period are computed from its hours, shifts and grants; every write
that could change them raises the centre's stamp (centres/stamp.py). So the figures are kept per
(centre, period, stamp, locale), and a repeat view costs one statement that reads the stamps. The
locale is part of the key because the default activities are named in the reader's language.

Two more things end an entry: time, because a shift counts as held once it has ended (an entry is
valid until the next shift of the period ends), and the reader's own transaction, when it changed
the centre (its stamp moves only at the commit). A result is kept only if the stamps read after
computing it are those read before: a write committed in between could have reached part of it."""

from flask import current_app
from flask_babel import get_locale

from ..centres.models import Centre
from ..centres.stamp import current_stamps, touched_in_transaction
from ..core import time
from ..core.lru import ExpiringLRU, app_store
from .figures import Period, centres_figures, stamps_and_next_shift_ends
from .tables import checksum

ENTRIES = 2048  # 54 centres × a few periods × four locales, about 20 KB each


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

"""Activity categories: the installation's defaults plus those a centre adds for itself."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from ..core.limits import TextLimit
from ..extensions import db

ACTIVITY_NAME = TextLimit(120)


@dataclass(frozen=True)
class Activity:
    slug: str
    name: str
    # The KommAn Baustein an activity counts for, or None to take the meeting point's default.
    baustein: str | None


# Names are translated when shown; slugs are stable for the API and exports.
DEFAULT_ACTIVITIES = (
    ("sprachcafe", _l("Sprachcafé / Begegnung"), "B"),
    ("orientierung-schule-kita", _l("Orientierung Schule & Kita"), "B"),
    ("sport-verein", _l("Sport & Verein"), "B"),
    ("alltagsregeln", _l("Alltagsregeln (z. B. Abfalltrennung)"), "B"),
    ("behoerdenbegleitung", _l("Behördenbegleitung"), "B"),
    ("dolmetschen", _l("Dolmetschen"), "B"),
    ("kinderbetreuung", _l("Kinderbetreuung"), "A"),
    ("werte-zusammenleben", _l("Werte & Zusammenleben"), "B"),
    ("sonstiges", _l("Sonstiges"), None),
)


class CentreActivity(db.Model):
    """An activity category a centre added for itself."""

    __tablename__ = "centre_activities"
    __table_args__ = (sa.UniqueConstraint("centre_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(ACTIVITY_NAME.max_length))
    baustein: Mapped[str | None] = mapped_column(sa.String(1))

"""Kommunale Integrationszentren (centres, the tenants) and their Ankommenstreffpunkte."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import TextLimit
from ..core.time import UTCDateTime, now
from ..extensions import db

REGIERUNGSBEZIRKE = ("Arnsberg", "Detmold", "Düsseldorf", "Köln", "Münster")
BAUSTEINE = ("A", "B", "C", "D")
# Languages a meeting point offers or a shift needs; codes stay stable, names are translated.
LANGUAGE_CODES = ("de", "ar", "fa", "ku", "ti", "uk", "ru", "tr", "en", "fr", "so", "ps", "sq", "ro", "bg")

# How long the texts of centres and meeting points may be (forms, services and columns read these).
LONG_NAME = TextLimit(200)  # of a centre or a meeting point
PLACE = TextLimit(120)  # a Kreis, municipality or city
STREET = TextLimit(200)
POSTCODE = TextLimit(10)  # the forms ask for five digits
OPENING_NOTES = TextLimit(2000)
CENTRE_TEXTS = {"name": LONG_NAME, "district": PLACE, "street": STREET, "postcode": POSTCODE, "city": PLACE}
MEETING_POINT_TEXTS = {
    "name": LONG_NAME,
    "municipality": PLACE,
    "street": STREET,
    "postcode": POSTCODE,
    "city": PLACE,
    "opening_notes": OPENING_NOTES,
}


class Centre(db.Model):
    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(LONG_NAME.max_length))
    # The Kreis or kreisfreie Stadt the centre serves, e.g. "Kreis Siegen-Wittgenstein".
    district: Mapped[str] = mapped_column(sa.String(PLACE.max_length))
    is_district_free_city: Mapped[bool] = mapped_column(default=False)
    regierungsbezirk: Mapped[str] = mapped_column(sa.String(20))
    street: Mapped[str] = mapped_column(sa.String(STREET.max_length), default="")
    postcode: Mapped[str] = mapped_column(sa.String(POSTCODE.max_length), default="")
    city: Mapped[str] = mapped_column(sa.String(PLACE.max_length), default="")
    # Volunteers may cancel free of consequences until this many hours before a shift.
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=12)
    # After this many no-shows and late cancellations (last 12 months) sign-ups need a
    # coordinator's confirmation; 0 switches the rule off.
    no_show_limit: Mapped[int] = mapped_column(default=3)
    # Ehrenamtskarte NRW (criteria of February 2026; municipalities may ask more): this many hours a
    # year, or this many a week on average, for at least this many years (docs/ehrenamtskarte.md).
    ehrenamtskarte_hours_per_year: Mapped[int] = mapped_column(default=200, server_default="200")
    ehrenamtskarte_hours_per_week: Mapped[int] = mapped_column(default=4, server_default="4")
    ehrenamtskarte_min_years: Mapped[int] = mapped_column(default=2, server_default="2")
    # A colleague's "Übernehmen" waits for a coordinator's approval before the seat moves (shifts/handovers.py).
    handover_needs_approval: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    meeting_points: Mapped[list["MeetingPoint"]] = relationship(back_populates="centre", order_by="MeetingPoint.name")

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.street, f"{self.postcode} {self.city}".strip()) if part)


class MeetingPoint(db.Model):
    __tablename__ = "meeting_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    # Unique across the installation: it names the public feed /calendar/p/<slug>.ics.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(LONG_NAME.max_length))
    municipality: Mapped[str] = mapped_column(sa.String(PLACE.max_length))
    street: Mapped[str] = mapped_column(sa.String(STREET.max_length))
    postcode: Mapped[str] = mapped_column(sa.String(POSTCODE.max_length))
    city: Mapped[str] = mapped_column(sa.String(PLACE.max_length))
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    opening_notes: Mapped[str] = mapped_column(sa.Text, default="")  # up to OPENING_NOTES, checked by services
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    default_baustein: Mapped[str] = mapped_column(sa.String(1), default="A")
    is_closed: Mapped[bool] = mapped_column(default=False)
    # Hours per week the room is booked (rented or reserved) for the programme; Baustein A asks that
    # at least a third of them are used for it (the room-use plan). None: not recorded.
    booked_hours_per_week: Mapped[float | None] = mapped_column(sa.Float)
    # In the check-in QR code on the poster at the door; random so that nobody checks in from afar.
    checkin_code: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_urlsafe(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    centre: Mapped[Centre] = relationship(back_populates="meeting_points")

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class CentreStamp(db.Model):
    """A centre's change stamp: raised in the transaction of every write that changes what a page,
    feed or report of the centre shows (centres/stamp.py), so that what was computed from the
    centre's data can be kept until it moves. Its own row, not a column of centres: the raise locks
    this row only, never the centre's."""

    __tablename__ = "centre_stamps"

    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True)
    stamp: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # When it last moved: the Last-Modified of the feeds that show the centre's data.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

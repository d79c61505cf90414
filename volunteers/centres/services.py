"""Centres and meeting points: creating and changing them, and who runs a centre."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts import services as accounts
from ..accounts.models import LEAD, STAFF_ROLES, Membership, User
from ..accounts.queries import members_of
from ..core import time
from ..core.errors import DomainError
from ..core.limits import check_texts
from ..core.slugs import slugify
from ..core.tokens import new_token
from ..extensions import db
from .models import (
    BAUSTEINE,
    CENTRE_TEXTS,
    LANGUAGE_CODES,
    MEETING_POINT_TEXTS,
    REGIERUNGSBEZIRKE,
    Centre,
    MeetingPoint,
)

MEETING_POINT_FIELDS = (
    "name",
    "municipality",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "opening_notes",
    "languages",
    "default_baustein",
    "is_closed",
    "booked_hours_per_week",
)


class CentreError(DomainError):
    pass


def create_centre(
    *,
    name: str,
    district: str,
    regierungsbezirk: str,
    slug: str | None = None,
    is_district_free_city: bool = False,
    street: str = "",
    postcode: str = "",
    city: str = "",
) -> Centre:
    check_texts(
        {"name": name, "district": district, "street": street, "postcode": postcode, "city": city}, CENTRE_TEXTS
    )
    if regierungsbezirk not in REGIERUNGSBEZIRKE:
        raise CentreError(_("Unbekannter Regierungsbezirk."), code="invalid_regierungsbezirk", field="regierungsbezirk")
    slug = slugify(slug or district)
    if db.session.scalar(sa.select(Centre.id).where(Centre.slug == slug)):
        raise CentreError(_("Es gibt bereits ein Zentrum mit diesem Kurznamen."), code="slug_taken", field="slug")
    centre = Centre(
        slug=slug,
        name=name,
        district=district,
        regierungsbezirk=regierungsbezirk,
        is_district_free_city=is_district_free_city,
        street=street,
        postcode=postcode,
        city=city,
    )
    db.session.add(centre)
    db.session.flush()
    return centre


def _unique_meeting_point_slug(centre: Centre, name: str) -> str:
    base = slugify(f"{centre.slug}-{name}", max_length=70)
    taken = set(db.session.scalars(sa.select(MeetingPoint.slug).where(MeetingPoint.slug.like(base + "%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_meeting_point(values: dict) -> None:
    check_texts(values, MEETING_POINT_TEXTS)
    if any(code not in LANGUAGE_CODES for code in values.get("languages") or []):
        raise CentreError(_("Unbekannte Sprache."), code="invalid_language", field="languages")
    if values.get("default_baustein", "A") not in BAUSTEINE:
        raise CentreError(
            _("Der Baustein muss A, B, C oder D sein."), code="invalid_baustein", field="default_baustein"
        )
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        raise CentreError(
            _("Bitte geben Sie Breiten- und Längengrad zusammen an."), code="invalid_geo", field="latitude"
        )


def create_meeting_point(*, centre: Centre, **values) -> MeetingPoint:
    _check_meeting_point(values)
    meeting_point = MeetingPoint(
        centre=centre,
        slug=_unique_meeting_point_slug(centre, values["name"]),
        **{key: values[key] for key in MEETING_POINT_FIELDS if key in values},
    )
    db.session.add(meeting_point)
    db.session.flush()
    return meeting_point


def update_meeting_point(*, meeting_point: MeetingPoint, **values) -> MeetingPoint:
    _check_meeting_point(values)
    for key in MEETING_POINT_FIELDS:
        if key in values:
            setattr(meeting_point, key, values[key])
    db.session.flush()
    return meeting_point


def add_staff_member(*, centre: Centre, email: str, name: str, role: str) -> tuple[User, bool]:
    """Make a person coordinator or lead of `centre`; an unknown address gets a new account
    with an unusable random password (they set their own through the reset link).
    Returns the user and whether the account is new."""
    if role not in STAFF_ROLES:
        raise CentreError(_("Unbekannte Rolle."), code="invalid_role", field="role")
    user = accounts.find_user_by_email(email)
    is_new = user is None
    if is_new:
        user = accounts.create_user(email=email, name=name, password=new_token(), role=role, centre=centre)
    else:
        accounts.set_centre_role(user=user, centre=centre, role=role)
    return user, is_new


def remove_staff_member(*, centre: Centre, user: User, acting_user: User) -> None:
    if user.id == acting_user.id:
        raise CentreError(_("Sie können sich nicht selbst entfernen."), code="self_removal")
    if user.role_in(centre) not in STAFF_ROLES:
        raise CentreError(_("Diese Person gehört nicht zum Personal des Zentrums."), code="not_staff")
    accounts.set_centre_role(user=user, centre=centre, role=None)


def staff_of(centre: Centre) -> list[User]:
    return list(db.session.scalars(members_of(centre, STAFF_ROLES).order_by(User.name)))


def assign_lead(*, centre: Centre, email: str, name: str) -> tuple[User, bool]:
    return add_staff_member(centre=centre, email=email, name=name, role=LEAD)


def update_settings(
    *, centre: Centre, cancel_cutoff_hours: int, no_show_limit: int, handover_needs_approval: bool | None = None
) -> None:
    if not 0 <= cancel_cutoff_hours <= 168 or not 0 <= no_show_limit <= 20:
        raise CentreError(_("Ungültige Einstellung."), code="invalid_settings")
    centre.cancel_cutoff_hours, centre.no_show_limit = cancel_cutoff_hours, no_show_limit
    if handover_needs_approval is not None:
        centre.handover_needs_approval = handover_needs_approval
    db.session.flush()


def record_certificate(*, membership: Membership, verified_on: date | None, by: User) -> None:
    """Note (or, with None, withdraw) that a coordinator has seen the volunteer's certificate."""
    if verified_on is not None and verified_on > time.to_berlin(time.now()).date():
        raise CentreError(_("Das Datum liegt in der Zukunft."), code="future_date", field="verified_on")
    membership.certificate_verified_on = verified_on
    membership.certificate_verified_by_id = by.id if verified_on else None
    db.session.flush()

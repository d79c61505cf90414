"""The one place where a centre's data is scoped to the people allowed to see it.

Every tenant model carries `centre_id`. Views fetch through these helpers and answer 404 (not 403)
for anything of another centre, so that ids of other centres cannot even be probed."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from ..centres.models import Centre
from ..extensions import db


def centre_by_slug_or_404(slug: str) -> Centre:
    return db.first_or_404(sa.select(Centre).where(Centre.slug == slug))


def own_centre(slug: str) -> Centre | None:
    """The centre named by `slug` among the signed-in person's memberships, else None. Their login
    read the memberships with the centres (accounts.services.user_for_login_session): no statement."""
    if not current_user.is_authenticated:
        return None
    return next((m.centre for m in current_user.memberships if m.centre.slug == slug), None)


def staff_centre_or_404(slug: str, *, lead_only: bool = False) -> Centre:
    """The centre named by `slug` if the current user coordinates it (or leads it). Staff rights
    come only with a membership, so the centre is one of the person's own."""
    centre = own_centre(slug)
    allowed = centre is not None and (
        current_user.is_lead_of(centre) if lead_only else current_user.is_staff_of(centre)
    )
    if not allowed:
        abort(404)
    return centre


def in_centres(model, centre_ids) -> sa.Select:
    """SELECT model rows of the given centres only."""
    return sa.select(model).where(model.centre_id.in_(list(centre_ids)))


def in_centre(model, centre: Centre) -> sa.Select:
    return sa.select(model).where(model.centre_id == centre.id)


def get_in_centre_or_404(model, ident, centre: Centre):
    return db.first_or_404(in_centre(model, centre).where(model.id == ident))

"""Who may manage a centre's grants: its lead, and the admin for every centre."""

from flask import abort
from flask_login import current_user

from ..centres.models import Centre
from ..core.tenancy import centre_by_slug_or_404


def may_manage_grants(user, centre: Centre) -> bool:
    return user.is_authenticated and (user.is_admin or user.is_lead_of(centre))


def grants_centre_or_abort(slug: str) -> Centre:
    """The centre named by `slug` if the current user may manage its grants. Its coordinators know
    the centre and get 403; everyone else gets 404, as for any other centre's data."""
    centre = centre_by_slug_or_404(slug)
    if may_manage_grants(current_user, centre):
        return centre
    abort(403 if current_user.is_authenticated and current_user.is_staff_of(centre) else 404)

"""Public list of activity categories (Tätigkeiten)."""

from flask import jsonify, request

from ..activities.services import activities_for
from ..core.tenancy import centre_by_slug_or_404
from . import bp


def activity_json(activity) -> dict:
    return {"slug": activity.slug, "name": activity.name, "baustein": activity.baustein}


@bp.get("/activities")
def activities():
    slug = request.args.get("centre")
    centre = centre_by_slug_or_404(slug) if slug else None
    return jsonify(items=[activity_json(a) for a in activities_for(centre)])

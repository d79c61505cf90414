"""Public list of meeting points."""

import sqlalchemy as sa
from flask import jsonify, request

from ..centres.models import MeetingPoint
from ..extensions import db
from ..feeds.links import public_feed_url
from . import bp


def meeting_point_json(meeting_point: MeetingPoint) -> dict:
    return {
        "slug": meeting_point.slug,
        "name": meeting_point.name,
        "centre": meeting_point.centre.slug,
        "municipality": meeting_point.municipality,
        "address": meeting_point.address,
        "latitude": meeting_point.latitude,
        "longitude": meeting_point.longitude,
        "languages": meeting_point.languages,
        "opening_notes": meeting_point.opening_notes,
        "calendar_url": public_feed_url(meeting_point),
    }


@bp.get("/meeting-points")
def meeting_points():
    query = (
        sa.select(MeetingPoint)
        .where(MeetingPoint.is_closed.is_(False))
        .options(sa.orm.joinedload(MeetingPoint.centre))
        .order_by(MeetingPoint.slug)
    )
    if centre := request.args.get("centre"):
        query = query.where(MeetingPoint.centre.has(slug=centre))
    return jsonify(items=[meeting_point_json(mp) for mp in db.session.scalars(query)])

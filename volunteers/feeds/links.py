"""Links for subscribing to a feed: https to copy, webcal:// to tap, a QR code to scan."""

from functools import lru_cache

import segno

from ..core.links import external_url
from .models import CENTRE, PERSONAL
from .tokens import feed_token


def subscription(https_url: str | None) -> dict | None:
    if https_url is None:
        return None
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return {"https": https_url, "webcal": webcal, "qr": qr_code(https_url)}


@lru_cache(maxsize=1024)
def qr_code(url: str) -> str:
    """The QR code as an SVG data URI; remembered, since making one took a third of "My shifts"."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def personal_feed_url(user) -> str | None:
    token = feed_token(kind=PERSONAL, user_id=user.id)
    return external_url("feeds.personal_feed", token=token) if token else None


def centre_feed_url(user, centre) -> str | None:
    token = feed_token(kind=CENTRE, user_id=user.id, centre_id=centre.id)
    return external_url("feeds.centre_feed", token=token) if token else None


def public_feed_url(meeting_point) -> str:
    return external_url("feeds.public_feed", slug=meeting_point.slug)

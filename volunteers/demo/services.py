"""Filling an empty installation with demo data that makes every page look real."""
import sqlalchemy as sa

from ..accounts import services as accounts
from ..accounts.models import VOLUNTEER
from ..centres import services as centres
from ..centres.models import Centre
from ..core.slugs import slugify
from ..extensions import db
from .data import CENTRES, DEMO_ACCOUNTS, DEMO_PASSWORD, MEETING_POINTS, VOLUNTEER_NAMES

VOLUNTEERS_PER_CENTRE = 8


def is_seeded() -> bool:
    return db.session.scalar(sa.select(Centre.id).where(Centre.slug == "duesseldorf")) is not None


def seed_demo() -> None:
    """Create the demo centres, meeting points and accounts in one transaction (the caller commits)."""
    centres_by_slug = {data["slug"]: centres.create_centre(**data) for data in CENTRES}
    for slug, meeting_points in MEETING_POINTS.items():
        for values in meeting_points:
            centres.create_meeting_point(centre=centres_by_slug[slug], **values)
    # One hash for every demo account: hashing is slow by design, and they share the password.
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        user = accounts.create_user(email=account["email"], name=account["name"], password=DEMO_PASSWORD,
                                    role=account["role"], centre=centres_by_slug.get(account.get("centre")),
                                    password_hash=password_hash)
        user.consent_version = "demo"
    _seed_volunteers(centres_by_slug, password_hash)


def _seed_volunteers(centres_by_slug: dict, password_hash: str) -> None:
    names = iter(VOLUNTEER_NAMES * 2)
    for centre in centres_by_slug.values():
        for _ in range(VOLUNTEERS_PER_CENTRE):
            name = next(names)
            email = f"{slugify(name)}.{centre.slug}@example.org"
            user = accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, role=VOLUNTEER,
                                        centre=centre, password_hash=password_hash)
            user.consent_version = "demo"

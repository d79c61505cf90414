"""Filling an empty installation with demo data that makes every page look real."""

import random

import sqlalchemy as sa

from ..accounts import services as accounts
from ..accounts.models import VOLUNTEER
from ..centres import services as centres
from ..centres.models import Centre
from ..core import time
from ..core.slugs import slugify
from ..extensions import db
from ..push.models import Notification
from .beyond import seed_beyond
from .data import CENTRES, DEMO_ACCOUNTS, DEMO_PASSWORD, MEETING_POINTS, VOLUNTEER_NAMES
from .first_screens import seed_first_screens
from .hours import seed_extra_hours, seed_hours
from .plans import seed_plans

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
        user = accounts.create_user(
            email=account["email"],
            name=account["name"],
            password=DEMO_PASSWORD,
            role=account["role"],
            centre=centres_by_slug.get(account.get("centre")),
            password_hash=password_hash,
        )
        user.consent_version = "demo"
    volunteers = _seed_volunteers(centres_by_slug, password_hash)
    rng = random.Random(2026)  # nosec B311: the same demo every time, no security use
    for slug, centre in centres_by_slug.items():
        seed_plans(centre, centre.meeting_points, volunteers[slug], rng)
        coordinator = accounts.find_user_by_email(f"koordination@{slug}.example")
        seed_hours(centre, coordinator, rng)
        seed_extra_hours(centre, volunteers[slug][0], coordinator)
        for index, meeting_point in enumerate(centre.meeting_points):
            meeting_point.booked_hours_per_week = (8, 12, 30)[index % 3]  # the third one misses the one-third rule
    seed_first_screens(centres_by_slug["duesseldorf"], volunteers["duesseldorf"])
    seed_beyond(centres_by_slug, volunteers)
    # Reminders about the demo's past shifts were written "back then": nobody is to receive them now.
    db.session.execute(sa.delete(Notification).where(Notification.expires_at < time.now()))


def _seed_volunteers(centres_by_slug: dict, password_hash: str) -> dict[str, list]:
    """Volunteers per centre; Düsseldorf's list starts with the demo volunteer of the spec."""
    names = iter(VOLUNTEER_NAMES * 2)
    rng = random.Random(7)  # nosec B311: demo data only
    volunteers = {slug: [] for slug in centres_by_slug}
    volunteers["duesseldorf"].append(accounts.find_user_by_email("ehrenamt@example.org"))
    for slug, centre in centres_by_slug.items():
        for _ in range(VOLUNTEERS_PER_CENTRE):
            name = next(names)
            user = accounts.create_user(
                email=f"{slugify(name)}.{centre.slug}@example.org",
                name=name,
                password=DEMO_PASSWORD,
                role=VOLUNTEER,
                centre=centre,
                password_hash=password_hash,
            )
            user.consent_version = "demo"
            user.languages = ["de", *rng.sample(["ar", "fa", "uk", "ru", "tr", "en", "ku", "ti"], 2)]
            volunteers[slug].append(user)
    return volunteers

"""Whom the pages may offer: every list and picker of people starts from these queries, so that a
deleted account (kept only as a pseudonym under its hours) shows up in none of them."""

import sqlalchemy as sa

from ..centres.models import Centre
from .models import VOLUNTEER, Membership, User


def existing_people(query: sa.Select) -> sa.Select:
    """`query` (over User) without deleted accounts."""
    return query.where(~User.is_deleted)


def members_of(centre: Centre, roles=(VOLUNTEER,)) -> sa.Select:
    """(User, Membership) rows of the centre's people with one of `roles`, deleted accounts left out."""
    return existing_people(
        sa.select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.centre_id == centre.id, Membership.role.in_(roles))
    )

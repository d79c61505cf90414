"""The hours that count, read through the KommAn report's own definition (reports/figures.py and
reports/documents.py: approved volunteer hours of the centre, corrections included), never a
second one: a certificate and the funding report can never disagree."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..accounts.models import LEAD, User
from ..accounts.queries import members_of
from ..activities.services import activity_name
from ..centres.models import Centre
from ..core.limits import FIRST_DAY
from ..extensions import db
from ..hours.models import VOLUNTEER_HOURS, HoursEntry
from ..reports.documents import hours_list
from ..reports.hours_figures import Period, _approved_in
from .policy import Criteria, Progress, ehrenamtskarte_progress, last_twelve_months


@dataclass(frozen=True)
class HoursSummary:
    minutes_last_year: int = 0
    first_day: date | None = None


def hours_summaries(centre: Centre, today: date, user_ids: list[int] | None = None) -> dict[int, HoursSummary]:
    """Per person: approved minutes in the last 12 months and the day of their first approved
    hours in the centre, in one grouped query."""
    start, _end = last_twelve_months(today)
    recent = sa.case((HoursEntry.work_date >= start, HoursEntry.minutes), else_=0)
    query = (
        sa.select(HoursEntry.user_id, sa.func.coalesce(sa.func.sum(recent), 0), sa.func.min(HoursEntry.work_date))
        .where(*_approved_in([centre.id], Period(FIRST_DAY, today)), HoursEntry.kind == VOLUNTEER_HOURS)
        .group_by(HoursEntry.user_id)
    )
    if user_ids is not None:
        query = query.where(HoursEntry.user_id.in_(user_ids))
    return {user_id: HoursSummary(int(minutes), first) for user_id, minutes, first in db.session.execute(query)}


def progress_of(centre: Centre, user: User, today: date) -> Progress:
    summary = hours_summaries(centre, today, [user.id]).get(user.id, HoursSummary())
    return ehrenamtskarte_progress(
        criteria=Criteria.of(centre),
        minutes_last_year=summary.minutes_last_year,
        first_day=summary.first_day,
        today=today,
    )


@dataclass(frozen=True)
class VolunteerProgress:
    user: User
    progress: Progress


def volunteers_progress(centre: Centre, today: date) -> list[VolunteerProgress]:
    """Every volunteer of the centre who has approved hours there, best progress first."""
    summaries = hours_summaries(centre, today)
    criteria = Criteria.of(centre)
    people = [user for user in db.session.scalars(members_of(centre)) if user.id in summaries]
    rows = [
        VolunteerProgress(
            user,
            ehrenamtskarte_progress(
                criteria=criteria,
                minutes_last_year=summaries[user.id].minutes_last_year,
                first_day=summaries[user.id].first_day,
                today=today,
            ),
        )
        for user in people
    ]
    return sorted(rows, key=lambda row: (-row.progress.minutes_last_year, row.user.name))


def volunteer_of(centre: Centre, user_id: int) -> User | None:
    """A volunteer of this centre (not one of another centre, not a deleted account)."""
    return db.session.scalars(members_of(centre).where(User.id == user_id)).first()


def lead_names(centre: Centre) -> list[str]:
    return [user.name for user in db.session.scalars(members_of(centre, (LEAD,)).order_by(User.name))]


@dataclass(frozen=True)
class Activity:
    name: str
    minutes: int


@dataclass(frozen=True)
class PeriodHours:
    """What a certificate lists for a period: activities with their hours, meeting points, total."""

    activities: list[Activity]
    meeting_points: list[str]
    total_minutes: int


def period_hours(centre: Centre, user: User, start: date, end: date) -> PeriodHours:
    by_activity: dict[str, int] = defaultdict(int)
    meeting_points: set[str] = set()
    for entry in hours_list(centre, user, Period(start, end)):
        by_activity[entry.activity] += entry.minutes
        if entry.meeting_point is not None:
            meeting_points.add(entry.meeting_point.name)
    activities = [
        Activity(activity_name(centre.id, slug), minutes) for slug, minutes in by_activity.items() if minutes > 0
    ]
    return PeriodHours(
        sorted(activities, key=lambda a: (-a.minutes, a.name)),
        sorted(meeting_points),
        sum(by_activity.values()),
    )

"""Which activities a centre offers, and adding its own."""

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _

from ..centres.models import BAUSTEINE, Centre
from ..core.errors import DomainError
from ..core.slugs import slugify
from ..core.templating import resolved
from ..core.tenancy import in_centre
from ..extensions import db
from .models import ACTIVITY_NAME, DEFAULT_ACTIVITIES, Activity, CentreActivity


def default_activities() -> list[Activity]:
    return [Activity(slug, str(name), baustein) for slug, name, baustein in DEFAULT_ACTIVITIES]


def activities_for(centre: Centre | None) -> list[Activity]:
    """The defaults, then the centre's own (if a centre is given)."""
    own = db.session.scalars(in_centre(CentreActivity, centre).order_by(CentreActivity.name)) if centre else ()
    return default_activities() + [Activity(a.slug, a.name, a.baustein) for a in own]


def activity_for(centre: Centre, slug: str) -> Activity:
    activity = next((a for a in activities_for(centre) if a.slug == slug), None)
    if activity is None:
        raise DomainError(_("Unbekannte Tätigkeit."), code="invalid_activity", field="activity")
    return activity


def add_centre_activity(*, centre: Centre, name: str, baustein: str | None) -> Activity:
    name = ACTIVITY_NAME.check((name or "").strip(), "name")
    if not name:
        raise DomainError(_("Bitte geben Sie einen Namen für die Tätigkeit an."), code="name_required", field="name")
    slug = slugify(name)
    if baustein not in (None, *BAUSTEINE):
        raise DomainError(_("Der Baustein muss A, B, C oder D sein."), code="invalid_baustein", field="baustein")
    if any(a.slug == slug for a in activities_for(centre)):
        raise DomainError(_("Diese Tätigkeit gibt es schon."), code="activity_exists", field="name")
    db.session.add(CentreActivity(centre_id=centre.id, slug=slug, name=name, baustein=baustein))
    db.session.flush()
    return Activity(slug, name, baustein)


# Lazy strings, resolved once per locale (core.templating.resolved): into the locale of that moment.
_DEFAULT_NAMES = {slug: name for slug, name, _baustein in DEFAULT_ACTIVITIES}


def activity_name(centre_id: int, slug: str) -> str:
    """Display name of an activity; a centre's own names are read once per request."""
    default = resolved(_DEFAULT_NAMES).get(slug)
    if default is not None:
        return default
    cache = g.setdefault("centre_activity_names", {})
    if centre_id not in cache:
        rows = db.session.execute(
            sa.select(CentreActivity.slug, CentreActivity.name).where(CentreActivity.centre_id == centre_id)
        )
        cache[centre_id] = dict(rows.all())
    return cache[centre_id].get(slug, slug)

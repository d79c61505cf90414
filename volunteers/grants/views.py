"""The centre lead's grant pages: the grants by year, a new year's grant, changing one."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.web import attempt, int_arg, show_domain_error
from .access import grants_centre_or_abort
from .forms import GrantForm
from .queries import grant_rows, history_of
from .services import first_year_without_grant, grant_for, grant_problems, set_grant

bp = Blueprint("grants", __name__, url_prefix="/centres/<slug>/grants")


@bp.route("")
@login_required
def index(slug: str):
    centre = grants_centre_or_abort(slug)
    return render_template("grants/index.html", centre=centre, rows=grant_rows(centre))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    centre = grants_centre_or_abort(slug)
    form = GrantForm.for_grant(None, year=int_arg("year") or first_year_without_grant(centre))
    if form.is_submitted() and _saved(centre, form.year.data, form, create_only=True):
        flash(_("Die Förderung für %(year)d ist eingetragen.", year=form.year.data), "success")
        return redirect(url_for("grants.index", slug=slug))
    return _form_page(centre, form, grant=None)


@bp.route("/<int:year>", methods=["GET", "POST"])
@login_required
def edit(slug: str, year: int):
    centre = grants_centre_or_abort(slug)
    grant = grant_for(centre, year)
    if grant is None:
        return redirect(url_for("grants.new", slug=slug, year=year))
    form = GrantForm.for_grant(grant)
    del form.year  # the year names the grant; it is not changed here
    if form.is_submitted() and _saved(centre, year, form):
        flash(_("Die Förderung für %(year)d ist gespeichert.", year=year), "success")
        return redirect(url_for("grants.index", slug=slug))
    return _form_page(centre, form, grant=grant)


def _saved(centre, year: int | None, form: GrantForm, *, create_only: bool = False) -> bool:
    """Save the form's values, or put every problem next to its field: what could not be read, and
    what the rules say about the rest."""
    readable = form.validate()
    values = form.values()
    problems = grant_problems(year=year, values=values)
    for problem in problems:
        if not _has_errors(form, problem.field):
            show_domain_error(form, problem)
    if not readable or problems:
        return False
    by = current_user._get_current_object()
    ok, _result = attempt(
        lambda: set_grant(centre=centre, year=year, values=values, by=by, create_only=create_only), form
    )
    return ok


def _has_errors(form: GrantForm, name: str | None) -> bool:
    field = getattr(form, name, None) if name else None
    return bool(field is not None and field.errors)


def _form_page(centre, form: GrantForm, *, grant):
    history = history_of(grant) if grant is not None else []
    page = render_template("grants/form.html", centre=centre, form=form, grant=grant, history=history)
    return page, 422 if form.errors else 200

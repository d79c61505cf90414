"""Coordinators' and centre leads' pages for hours: review queue, edits, corrections, staff hours,
report periods, audit trail and the check-in poster."""

from datetime import timedelta

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..activities.services import activities_for
from ..centres.models import MeetingPoint
from ..core import time
from ..core.links import external_url
from ..core.tenancy import get_in_centre_or_404, staff_centre_or_404
from ..core.web import attempt, form_ids, int_arg, parse_iso_month, safe_next_url
from . import policy, services
from .history import format_minutes
from .models import STAFF_HOURS, HoursEntry, ReportPeriod
from .periods import close_period, create_period
from .queries import (
    KIND_NAMES,
    PERIOD_STATUS_NAMES,
    QUEUE_LIMIT,
    audit_page,
    audit_rows,
    corrections_of,
    entries_by_id,
    entry_trail,
    meeting_points_of,
    next_month,
    pending_in_periods,
    pending_summary,
    people_with_hours,
    periods_of,
    review_queue,
    staff_entries,
)
from .review_forms import (
    CorrectionForm,
    EditHoursForm,
    PeriodForm,
    QueueFilterForm,
    RejectForm,
    StaffHoursForm,
    entry_form_data,
    period_presets,
)

bp = Blueprint("review", __name__, url_prefix="/centres/<slug>")

# The pages offer an action exactly when the service would take it: they ask the same functions.
bp.add_app_template_global(policy.review_blockers)
bp.add_app_template_global(policy.edit_blockers)
bp.add_app_template_global(policy.correction_blockers)
bp.add_app_template_global(policy.close_blockers)


@bp.context_processor
def _labels():
    return {"hours_kind_names": KIND_NAMES, "period_status_names": PERIOD_STATUS_NAMES}


def _today():
    return time.to_berlin(time.now()).date()


def _entry_in(centre, entry_id) -> HoursEntry:
    return get_in_centre_or_404(HoursEntry, entry_id, centre)


def _back(centre, entry=None) -> str:
    """Where a review action returns to: the page it came from (the filtered queue), else the entry."""
    if target := safe_next_url(request.form.get("next")):
        return target
    if entry is not None:
        return url_for("review.entry_detail", slug=centre.slug, entry_id=entry.id)
    return url_for("review.queue", slug=centre.slug)


# --- review queue ---------------------------------------------------------------------------


@bp.route("/hours")
@login_required
def queue(slug):
    centre = staff_centre_or_404(slug)
    form = QueueFilterForm(request.args)
    meeting_points = meeting_points_of(centre)
    form.set_choices(meeting_points, activities_for(centre), people_with_hours(centre))
    form.validate()
    entries = review_queue(centre, form.queue_filter())
    periods = policy.calendar_of(centre.id)
    reviewable = {e.id for e in entries if not policy.review_blockers(e, by=current_user, periods=periods)}
    pending_count, pending_minutes = pending_summary(centre)
    return render_template(
        "hours/review/queue.html",
        centre=centre,
        form=form,
        entries=entries,
        reviewable=reviewable,
        pending_count=pending_count,
        pending_minutes=pending_minutes,
        is_truncated=len(entries) >= QUEUE_LIMIT,
        meeting_points=meeting_points,
    )


@bp.route("/hours/approve", methods=["POST"])
@login_required
def approve_selected(slug):
    centre = staff_centre_or_404(slug)
    ids = form_ids("entry_ids")
    if not ids:
        flash(_("Bitte wählen Sie mindestens einen Eintrag aus."), "error")
        return redirect(_back(centre))
    if len(ids) > QUEUE_LIMIT:  # more than one page of the queue shows: not from this page
        flash(_("Höchstens %(max)d Einträge auf einmal; bitte weniger auswählen.", max=QUEUE_LIMIT), "error")
        return redirect(_back(centre))
    ok, count = attempt(lambda: services.approve_many(entries=entries_by_id(centre, ids), by=current_user))
    if ok:
        flash(ngettext("%(num)d Eintrag freigegeben.", "%(num)d Einträge freigegeben.", count), "success")
        if count < len(ids):
            flash(
                ngettext(
                    "%(num)d ausgewählter Eintrag wurde nicht freigegeben: eigene Stunden oder schon entschieden.",
                    "%(num)d ausgewählte Einträge wurden nicht freigegeben: eigene Stunden oder schon entschieden.",
                    len(ids) - count,
                ),
                "warning",
            )
    return redirect(_back(centre))


# --- one entry ----------------------------------------------------------------------------


def _detail(centre, entry, *, reject_form=None, correction_form=None):
    """The entry page; a form given back after a failed POST shows its errors and makes it a 422."""
    failed = any(form is not None and form.errors for form in (reject_form, correction_form))
    corrections = corrections_of(entry)
    periods = policy.calendar_of(centre.id)
    page = render_template(
        "hours/review/entry.html",
        centre=centre,
        entry=entry,
        corrections=corrections,
        corrected_minutes=entry.minutes + sum(c.minutes for c in corrections),
        trail=audit_rows(centre, entry_trail(entry, corrections)),
        periods=periods,
        closed_period=periods.closed_on(entry.work_date),
        reject_form=RejectForm(formdata=None) if reject_form is None else reject_form,
        correction_form=CorrectionForm(formdata=None) if correction_form is None else correction_form,
    )
    return page, 422 if failed else 200


@bp.route("/hours/<int:entry_id>")
@login_required
def entry_detail(slug, entry_id):
    centre = staff_centre_or_404(slug)
    return _detail(centre, _entry_in(centre, entry_id))


@bp.route("/hours/<int:entry_id>/approve", methods=["POST"])
@login_required
def approve_entry(slug, entry_id):
    centre = staff_centre_or_404(slug)
    entry = _entry_in(centre, entry_id)
    if attempt(lambda: services.approve(entry=entry, by=current_user))[0]:
        flash(
            _("Freigegeben: %(name)s, %(duration)s h.", name=entry.user.name, duration=format_minutes(entry.minutes)),
            "success",
        )
    return redirect(_back(centre, entry))


@bp.route("/hours/<int:entry_id>/reject", methods=["POST"])
@login_required
def reject_entry(slug, entry_id):
    centre = staff_centre_or_404(slug)
    entry = _entry_in(centre, entry_id)
    form = RejectForm()
    if form.validate_on_submit():
        ok, _entry = attempt(lambda: services.reject(entry=entry, by=current_user, reason=form.reason.data or ""), form)
        if ok:
            flash(
                _("Abgelehnt: %(name)s, %(duration)s h.", name=entry.user.name, duration=format_minutes(entry.minutes)),
                "success",
            )
            return redirect(_back(centre, entry))
    return _detail(centre, entry, reject_form=form)


@bp.route("/hours/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(slug, entry_id):
    centre = staff_centre_or_404(slug)
    entry = _entry_in(centre, entry_id)
    if blockers := policy.edit_blockers(entry, by=current_user):
        # No form to fill in that would be refused: the reasons, once.
        page = render_template("hours/review/edit.html", centre=centre, entry=entry, form=None, blockers=blockers)
        return page, 422 if request.method == "POST" else 200
    form = EditHoursForm(data=entry_form_data(entry))
    form.set_choices(meeting_points_of(centre), activities_for(centre))
    if form.validate_on_submit():
        values = form.hours_input(shift=entry.shift)
        ok, _entry = attempt(
            lambda: services.edit_entry(entry=entry, values=values, by=current_user, reason=form.reason.data or ""),
            form,
        )
        if ok:
            flash(_("Die Änderung ist gespeichert."), "success")
            return redirect(url_for("review.entry_detail", slug=slug, entry_id=entry.id))
    return render_template(
        "hours/review/edit.html",
        centre=centre,
        entry=entry,
        form=form,
        blockers=[],
    ), 422 if form.errors else 200


@bp.route("/hours/<int:entry_id>/correct", methods=["POST"])
@login_required
def correct_entry(slug, entry_id):
    centre = staff_centre_or_404(slug)
    entry = _entry_in(centre, entry_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        ok, correction = attempt(
            lambda: services.book_correction(
                original=entry, minutes=form.minutes.data, by=current_user, reason=form.reason.data or ""
            ),
            form,
        )
        if ok:
            flash(
                _(
                    "Die Korrektur über %(duration)s h ist mit heutigem Datum gebucht.",
                    duration=format_minutes(correction.minutes),
                ),
                "success",
            )
            return redirect(url_for("review.entry_detail", slug=slug, entry_id=entry.id))
    return _detail(centre, entry, correction_form=form)


# --- staff hours --------------------------------------------------------------------------


@bp.route("/staff-hours", methods=["GET", "POST"])
@login_required
def staff_hours(slug):
    centre = staff_centre_or_404(slug)
    month = parse_iso_month(request.args.get("month"), _today().replace(day=1))
    form = StaffHoursForm(data={"work_date": _today()})
    form.set_choices(meeting_points_of(centre), activities_for(centre))
    if form.validate_on_submit():
        ok, result = attempt(
            lambda: services.log_hours(
                centre=centre,
                person=current_user,
                by=current_user,
                kind=STAFF_HOURS,
                values=form.hours_input(client_id=form.client_id.data),
            ),
            form,
        )
        if ok:
            flash(_("Ihre Stunden sind eingetragen."), "success")
            return redirect(url_for("review.staff_hours", slug=slug, month=f"{result[0].work_date:%Y-%m}"))
    is_lead = current_user.is_lead_of(centre)
    return render_template(
        "hours/review/staff_hours.html",
        centre=centre,
        form=form,
        month=month,
        previous_month=(month - timedelta(days=1)).replace(day=1),
        next_month=next_month(month),
        own=staff_entries(centre, month, current_user),
        everyone=staff_entries(centre, month) if is_lead else None,
    ), 422 if form.errors else 200


# --- report periods (centre lead) ---------------------------------------------------------


@bp.route("/periods", methods=["GET", "POST"])
@login_required
def periods(slug):
    centre = staff_centre_or_404(slug, lead_only=True)
    form = PeriodForm()
    if form.validate_on_submit():
        ok, period = attempt(
            lambda: create_period(
                centre=centre,
                label=form.label.data,
                by=current_user,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
            ),
            form,
        )
        if ok:
            flash(_("Der Zeitraum „%(label)s“ ist angelegt.", label=period.label), "success")
            return redirect(url_for("review.periods", slug=slug))
    all_periods = periods_of(centre)
    return render_template(
        "hours/review/periods.html",
        centre=centre,
        form=form,
        periods=all_periods,
        pending=pending_in_periods(centre, all_periods),
        presets=period_presets(_today(), all_periods),
    ), 422 if form.errors else 200


@bp.route("/periods/<int:period_id>/close", methods=["POST"])
@login_required
def close_report_period(slug, period_id):
    centre = staff_centre_or_404(slug, lead_only=True)
    period = get_in_centre_or_404(ReportPeriod, period_id, centre)
    if attempt(lambda: close_period(period=period, by=current_user))[0]:
        flash(
            _("Der Zeitraum „%(label)s“ ist abgeschlossen. Seine Zahlen ändern sich nicht mehr.", label=period.label),
            "success",
        )
    return redirect(url_for("review.periods", slug=slug))


# --- audit trail (centre lead) --------------------------------------------------------------


@bp.route("/audit")
@login_required
def audit(slug):
    centre = staff_centre_or_404(slug, lead_only=True)
    page = int_arg("page", 1)
    events, has_older = audit_page(centre, page)
    return render_template(
        "hours/review/audit.html", centre=centre, rows=audit_rows(centre, events), page=page, has_older=has_older
    )


# --- check-in poster ----------------------------------------------------------------------


@bp.route("/meeting-points/<int:meeting_point_id>/poster")
@login_required
def poster(slug, meeting_point_id):
    centre = staff_centre_or_404(slug)
    meeting_point = get_in_centre_or_404(MeetingPoint, meeting_point_id, centre)
    checkin_url = external_url("hours.check_in", code=meeting_point.checkin_code)
    qr = segno.make(checkin_url, error="m").svg_data_uri(scale=10, border=2)
    return render_template(
        "hours/review/poster.html", centre=centre, meeting_point=meeting_point, checkin_url=checkin_url, qr=qr
    )

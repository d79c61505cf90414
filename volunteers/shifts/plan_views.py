"""The coordinators' planning pages: week plan, shifts, series, staffing and attendance."""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.models import User
from ..activities.services import activities_for
from ..centres.models import MeetingPoint
from ..core import time
from ..core.tenancy import get_in_centre_or_404, in_centre, staff_centre_or_404
from ..core.web import attempt, int_arg, parse_iso_date, safe_next_url
from ..extensions import db
from ..feeds.links import centre_feed_url, subscription
from ..reminders import notify
from . import messages, planning, signups, walk_ins
from . import series as series_service
from .forms import (
    AssignForm,
    CancelForm,
    CopyWeekForm,
    ExceptionForm,
    SeriesForm,
    ShiftForm,
    ShiftMessageForm,
    StaffingCallForm,
    WalkInForm,
    series_rule,
    shift_values,
    wall_clock_span,
)
from .labels import SIGNUP_STATUS_NAMES
from .models import ACTIVE_SIGNUP_STATUSES, CONFIRMED, Shift, ShiftSeries, Signup
from .queries import monday_of, volunteer_directory
from .week_plan import KeptGrid

bp = Blueprint("plan", __name__, url_prefix="/centres/<slug>")


def _meeting_points(centre):
    return list(db.session.scalars(in_centre(MeetingPoint, centre).order_by(MeetingPoint.name)))


def _meeting_point_or_none(centre, slug):
    if not slug:
        return None
    return db.first_or_404(in_centre(MeetingPoint, centre).where(MeetingPoint.slug == slug))


def _centre_and_shift(slug, shift_id):
    """The coordinator's centre and one of its shifts (404 for anything of another centre)."""
    centre = staff_centre_or_404(slug)
    return centre, get_in_centre_or_404(Shift, shift_id, centre)


def _today():
    return time.to_berlin(time.now()).date()


@bp.route("/plan")
@login_required
def week(slug):
    centre = staff_centre_or_404(slug)
    today = _today()
    week_start = monday_of(parse_iso_date(request.args.get("week"), today))
    meeting_point_slug = request.args.get("meeting_point") or None
    return render_template(
        "shifts/plan/week.html",
        centre=centre,
        week_start=week_start,
        meeting_point_slug=meeting_point_slug,
        grid=KeptGrid(centre, week_start, meeting_point_slug, today),
        copy_form=CopyWeekForm(),
        timedelta=timedelta,
        calendar=subscription(centre_feed_url(current_user, centre)),
    )


def _plan_url(centre, shift_or_day, meeting_point=None):
    day = shift_or_day if not isinstance(shift_or_day, Shift) else time.to_berlin(shift_or_day.starts_at).date()
    return url_for(
        "plan.week", slug=centre.slug, week=day.isoformat(), meeting_point=meeting_point.slug if meeting_point else None
    )


@bp.route("/plan/publish", methods=["POST"])
@login_required
def publish_week(slug):
    centre = staff_centre_or_404(slug)
    week_start = monday_of(parse_iso_date(request.form.get("week"), _today()))
    meeting_point = _meeting_point_or_none(centre, request.form.get("meeting_point"))
    start, end = planning.week_bounds(week_start)
    ok, count = attempt(
        lambda: planning.publish_drafts(centre=centre, start=start, end=end, meeting_point=meeting_point)
    )
    if ok:
        flash(ngettext("%(num)d Schicht veröffentlicht.", "%(num)d Schichten veröffentlicht.", count), "success")
    return redirect(_plan_url(centre, week_start, meeting_point))


@bp.route("/plan/copy-week", methods=["POST"])
@login_required
def copy_week(slug):
    centre = staff_centre_or_404(slug)
    week_start = monday_of(parse_iso_date(request.form.get("week"), _today()))
    meeting_point = _meeting_point_or_none(centre, request.form.get("meeting_point"))
    form = CopyWeekForm()
    if not form.validate_on_submit():
        flash(_("Bitte ein Datum für die Zielwoche angeben."), "error")
        return redirect(_plan_url(centre, week_start, meeting_point))
    target = monday_of(form.target.data)
    ok, count = attempt(
        lambda: planning.copy_week(
            centre=centre, week_start=week_start, target_week_start=target, meeting_point=meeting_point
        )
    )
    if ok:
        flash(
            ngettext("%(num)d Schicht als Entwurf kopiert.", "%(num)d Schichten als Entwurf kopiert.", count), "success"
        )
    return redirect(_plan_url(centre, target, meeting_point))


def _shift_form(centre, form_class, **kwargs):
    form = form_class(**kwargs)
    form.set_choices(_meeting_points(centre), activities_for(centre))
    return form


def _prefill(form, shift):
    local_start, local_end = time.to_berlin(shift.starts_at), time.to_berlin(shift.ends_at)
    form.meeting_point.data = shift.meeting_point.slug
    form.day.data, form.start_time.data, form.end_time.data = local_start.date(), local_start.time(), local_end.time()
    form.ends_next_day.data = local_end.date() > local_start.date()
    for name in (
        "activity",
        "capacity_min",
        "capacity_max",
        "languages",
        "requires_police_certificate",
        "notes",
        "baustein",
    ):
        getattr(form, name).data = getattr(shift, name)


@bp.route("/shifts/new", methods=["GET", "POST"])
@login_required
def new_shift(slug):
    centre = staff_centre_or_404(slug)
    form = _shift_form(centre, ShiftForm)
    if request.method == "GET":
        if copy_of := int_arg("copy"):
            _prefill(form, get_in_centre_or_404(Shift, copy_of, centre))
            form.day.data = form.day.data + timedelta(days=7)
        else:
            form.day.data = parse_iso_date(request.args.get("day"), _today() + timedelta(days=1))
            form.meeting_point.data = request.args.get("meeting_point")
    if form.validate_on_submit():
        meeting_point = _meeting_point_or_none(centre, form.meeting_point.data)
        ok, shift = attempt(lambda: _create_from(form, centre, meeting_point), form)
        if ok:
            flash(_("Die Schicht ist angelegt."), "success")
            return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))
    return render_template(
        "shifts/plan/shift_form.html", centre=centre, form=form, shift=None
    ), 422 if form.errors else 200


def _create_from(form, centre, meeting_point):
    start, end = wall_clock_span(form, form.day.data)
    return planning.create_shift(
        centre=centre,
        values=shift_values(form, meeting_point),
        starts_at=planning.local_instant(start, "start_time"),
        ends_at=planning.local_instant(end, "end_time"),
        publish=form.publish.data,
        past_confirmed=form.confirm_past.data,
    )


@bp.route("/shifts/<int:shift_id>")
@login_required
def shift_detail(slug, shift_id):
    centre, shift = _centre_and_shift(slug, shift_id)
    return _detail_page(centre, shift)


def _detail_page(centre, shift, *, cancel_form=None, call_form=None, message_form=None):
    """The shift's page; with a form that failed, shown again with its messages (422)."""
    assign_form = AssignForm(formdata=None)
    signed_up = {s.user_id for s in shift.signups if s.status in ACTIVE_SIGNUP_STATUSES}
    directory = volunteer_directory(centre)
    assign_form.volunteer.choices = [(e.user.id, e.user.name) for e in directory if e.user.id not in signed_up]
    walk_in_form = WalkInForm(formdata=None)
    walk_in_form.volunteer.choices = _walk_in_choices(shift, directory)
    cancel_form = cancel_form or CancelForm(formdata=None)
    call_form = call_form or StaffingCallForm(formdata=None)
    message_form = message_form or ShiftMessageForm(formdata=None)
    failed = cancel_form.errors or call_form.errors or message_form.errors
    return render_template(
        "shifts/plan/shift_detail.html",
        centre=centre,
        shift=shift,
        assign_form=assign_form,
        cancel_form=cancel_form,
        call_form=call_form,
        message_form=message_form,
        walk_in_form=walk_in_form,
        walk_in_blockers=walk_ins.walk_in_blockers(shift, by=current_user),
        message_blockers=messages.message_blockers(shift),
        has_started=shift.starts_at <= time.now(),
    ), 422 if failed else 200


def _walk_in_choices(shift, directory):
    """The centre's volunteers who are not confirmed on the shift (waitlisted ones may have come)."""
    confirmed = {s.user_id for s in shift.signups if s.status == CONFIRMED}
    return [(e.user.id, e.user.name) for e in directory if e.user.id not in confirmed]


@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@login_required
def edit_shift(slug, shift_id):
    centre, shift = _centre_and_shift(slug, shift_id)
    form = _shift_form(centre, ShiftForm)
    if request.method == "GET":
        _prefill(form, shift)
    if form.validate_on_submit():
        meeting_point = _meeting_point_or_none(centre, form.meeting_point.data)
        ok, _result = attempt(lambda: _update_from(form, shift, meeting_point), form)
        if ok:
            flash(_("Die Änderung ist gespeichert."), "success")
            return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))
    return render_template(
        "shifts/plan/shift_form.html", centre=centre, form=form, shift=shift
    ), 422 if form.errors else 200


def _update_from(form, shift, meeting_point):
    values = shift_values(form, meeting_point)
    start, end = wall_clock_span(form, form.day.data)
    if form.scope.data == "following" and shift.series_id:
        minutes = int((end - start).total_seconds() // 60)
        return series_service.update_series_from(
            shift=shift, values=values, start_time=start.time(), duration_minutes=minutes
        )
    return planning.update_shift(
        shift=shift,
        values=values,
        starts_at=planning.local_instant(start, "start_time"),
        ends_at=planning.local_instant(end, "end_time"),
    )


@bp.route("/shifts/<int:shift_id>/publish", methods=["POST"])
@login_required
def publish_shift(slug, shift_id):
    centre, shift = _centre_and_shift(slug, shift_id)
    if attempt(lambda: planning.publish_shift(shift=shift))[0]:
        flash(_("Die Schicht ist veröffentlicht."), "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))


@bp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@login_required
def cancel_shift(slug, shift_id):
    centre, shift = _centre_and_shift(slug, shift_id)
    form = CancelForm()
    if (
        form.validate_on_submit()
        and attempt(lambda: planning.cancel_shift(shift=shift, reason=form.reason.data), form)[0]
    ):
        flash(_("Die Schicht ist abgesagt."), "success")
        return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))
    return _detail_page(centre, shift, cancel_form=form)


@bp.route("/shifts/<int:shift_id>/assign", methods=["POST"])
@login_required
def assign(slug, shift_id):
    centre, shift = _centre_and_shift(slug, shift_id)
    form = AssignForm()
    form.volunteer.choices = [(e.user.id, e.user.name) for e in volunteer_directory(centre)]
    if not form.validate_on_submit():
        abort(404)  # not a volunteer of this centre
    volunteer = db.session.get(User, form.volunteer.data)
    ok, signup = attempt(lambda: signups.sign_up(shift=shift, volunteer=volunteer, assigned_by=current_user))
    if ok:
        flash(
            _("%(name)s ist eingetragen (%(status)s).", name=volunteer.name, status=SIGNUP_STATUS_NAMES[signup.status]),
            "success",
        )
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))


@bp.route("/shifts/<int:shift_id>/call", methods=["POST"])
@login_required
def staffing_call(slug, shift_id):
    """ "We still need people": a message to matching volunteers who are not signed up."""
    centre, shift = _centre_and_shift(slug, shift_id)
    form = StaffingCallForm()
    if not form.validate_on_submit():
        return _detail_page(centre, shift, call_form=form)
    if not shift.is_published or shift.starts_at <= time.now():
        flash(_("Ein Aufruf ist nur für veröffentlichte, künftige Schichten möglich."), "error")
    else:
        message = (form.message.data or "").strip()
        ok, count = attempt(lambda: notify.staffing_call(shift=shift, message=message))
        if ok:
            flash(
                ngettext(
                    "Aufruf an %(num)d Ehrenamtliche verschickt.", "Aufruf an %(num)d Ehrenamtliche verschickt.", count
                ),
                "success",
            )
    # Back where the tap came from (the coordinator's home page), else the shift's page.
    back = safe_next_url(request.form.get("next"))
    return redirect(back or url_for("plan.shift_detail", slug=slug, shift_id=shift.id))


@bp.route("/shifts/<int:shift_id>/walk-in", methods=["POST"])
@login_required
def walk_in(slug, shift_id):
    """ "Spontan da gewesen": an attended sign-up and its hours entry, in one step."""
    centre, shift = _centre_and_shift(slug, shift_id)
    form = WalkInForm()
    form.volunteer.choices = [(e.user.id, e.user.name) for e in volunteer_directory(centre)]
    if not form.validate_on_submit():
        abort(404)  # not a volunteer of this centre
    volunteer = db.session.get(User, form.volunteer.data)
    ok, result = attempt(lambda: walk_ins.record_walk_in(shift=shift, volunteer=volunteer, by=current_user))
    if ok:
        message = _("%(name)s ist als spontan dabei erfasst; die Stunden warten auf Freigabe.", name=volunteer.name)
        if result.raised_capacity:
            message += " " + _("Die Schicht war voll; die Höchstzahl ist jetzt %(max)d.", max=shift.capacity_max)
        flash(message, "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))


@bp.route("/shifts/<int:shift_id>/message", methods=["POST"])
@login_required
def shift_message(slug, shift_id):
    """A short message to everyone on the shift, by their notification settings."""
    centre, shift = _centre_and_shift(slug, shift_id)
    form = ShiftMessageForm()
    if not form.validate_on_submit():
        return _detail_page(centre, shift, message_form=form)
    ok, count = attempt(
        lambda: messages.send_shift_message(
            shift=shift, text=form.text.data, by=current_user, include_waitlist=form.include_waitlist.data
        ),
        form,
    )
    if not ok:
        return _detail_page(centre, shift, message_form=form)
    sent = ngettext("Nachricht an %(num)d Person verschickt.", "Nachricht an %(num)d Personen verschickt.", count)
    flash(sent, "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))


@bp.route("/shifts/<int:shift_id>/attendance", methods=["POST"])
@login_required
def attendance(slug, shift_id):
    centre, shift = _centre_and_shift(slug, shift_id)
    marks = {s.id: request.form.get(f"attendance-{s.id}") or None for s in shift.signups if s.status == CONFIRMED}
    participants = request.form.get("participants_count", "").strip()
    if participants and not participants.isdigit():
        flash(_("Die Zahl der Teilnehmenden ist ungültig."), "error")
    elif attempt(
        lambda: signups.record_attendance(
            shift=shift, marks=marks, participants_count=int(participants) if participants else None
        )
    )[0]:
        flash(_("Die Anwesenheit ist gespeichert."), "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id))


def _signup_in(centre, signup_id):
    return get_in_centre_or_404(Signup, signup_id, centre)


@bp.route("/signups/<int:signup_id>/confirm", methods=["POST"])
@login_required
def confirm_signup(slug, signup_id):
    centre = staff_centre_or_404(slug)
    signup = _signup_in(centre, signup_id)
    if attempt(lambda: signups.confirm_pending(signup=signup, by=current_user))[0]:
        flash(_("Die Anmeldung ist bestätigt."), "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=signup.shift_id))


@bp.route("/signups/<int:signup_id>/cancel", methods=["POST"])
@login_required
def cancel_signup(slug, signup_id):
    centre = staff_centre_or_404(slug)
    signup = _signup_in(centre, signup_id)
    if attempt(lambda: signups.cancel_signup(signup=signup, by_volunteer=False))[0]:
        flash(_("Die Anmeldung ist storniert."), "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=signup.shift_id))


@bp.route("/series/new", methods=["GET", "POST"])
@login_required
def new_series(slug):
    centre = staff_centre_or_404(slug)
    form = _shift_form(centre, SeriesForm)
    if request.method == "GET":
        form.first_day.data = parse_iso_date(request.args.get("day"), _today() + timedelta(days=1))
        form.meeting_point.data = request.args.get("meeting_point")
    holidays = preview = None
    if form.validate_on_submit():
        # "Feiertage prüfen" shows the rule in words and which dates are holidays; only the other
        # button creates the series.
        if request.form.get("preview"):
            holidays, preview = _series_holidays(form), _unsaved_series(form)
        else:
            meeting_point = _meeting_point_or_none(centre, form.meeting_point.data)
            ok, series = attempt(lambda: _create_series_from(form, centre, meeting_point), form)
            if ok:
                flash(_("Die Serie ist angelegt."), "success")
                return redirect(url_for("plan.series_detail", slug=slug, series_id=series.id))
    return render_template(
        "shifts/plan/series_form.html", centre=centre, form=form, holidays=holidays, preview=preview
    ), 422 if form.errors else 200


def _series_holidays(form):
    """The public holidays among the dates the form's rule gives, or None (with the rule's error
    on the form) when it gives none."""
    start, _end = wall_clock_span(form, form.first_day.data)
    return attempt(lambda: series_service.holidays_in_rule(series_rule(form), start), form)[1]


def _unsaved_series(form):
    """The series the form describes, never stored: for its words in the preview."""
    start, end = wall_clock_span(form, form.first_day.data)
    minutes = int((end - start).total_seconds() // 60)
    return ShiftSeries(rrule=series_rule(form), first_start_local=start, duration_minutes=minutes)


def _create_series_from(form, centre, meeting_point):
    start, end = wall_clock_span(form, form.first_day.data)
    return series_service.create_series(
        centre=centre,
        values=shift_values(form, meeting_point),
        first_start_local=start,
        duration_minutes=int((end - start).total_seconds() // 60),
        rule=series_rule(form),
        publish=form.publish.data,
        skip_public_holidays=form.skip_public_holidays.data,
    )


@bp.route("/series/<int:series_id>", methods=["GET", "POST"])
@login_required
def series_detail(slug, series_id):
    centre = staff_centre_or_404(slug)
    series = get_in_centre_or_404(ShiftSeries, series_id, centre)
    form = ExceptionForm()
    if form.validate_on_submit():
        action = series_service.remove_exception if request.form.get("remove") else series_service.add_exception
        if attempt(lambda: action(series=series, day=form.day.data))[0]:
            flash(_("Die Ausnahmen sind gespeichert."), "success")
            return redirect(url_for("plan.series_detail", slug=slug, series_id=series.id))
    occurrences = db.session.scalars(sa.select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at))
    return render_template(
        "shifts/plan/series_detail.html",
        centre=centre,
        series=series,
        form=form,
        occurrences=list(occurrences),
        holidays=series_service.series_holidays(series),
        exception_days=[date.fromisoformat(day) for day in series.exception_dates],
    )

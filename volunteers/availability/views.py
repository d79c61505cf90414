"""Pages: "Wann ich helfen kann" (weekly windows and absences, a fixed number of rows, no script
needed), the volunteer's invitation page, and the coordinator's "Anfragen" on a shift."""

from dataclasses import dataclass

from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..core.tenancy import get_in_centre_or_404, staff_centre_or_404
from ..core.web import attempt
from ..extensions import db
from ..shifts.models import Shift
from . import invitations
from .candidates import candidates
from .errors import AvailabilityError
from .invitation_tokens import ACCEPT, DECLINE, AnswerTokenError, invitation_for_token
from .labels import INVITATION_STATUS_NAMES
from .services import (
    MAX_ABSENCES,
    MAX_WINDOWS,
    MINUTES_PER_DAY,
    DaysAway,
    Window,
    absences_of,
    format_clock,
    parse_clock,
    parse_date,
    save_availability,
    windows_of,
)

bp = Blueprint("availability", __name__)

SPARE_WINDOW_ROWS, MIN_WINDOW_ROWS = 3, 7
SPARE_ABSENCE_ROWS, MIN_ABSENCE_ROWS = 2, 3


@dataclass(frozen=True)
class Row:
    """One row of the form as typed (or as stored), so that a failed try shows what was sent."""

    first: str
    second: str
    third: str = ""


def _window_rows(windows) -> list[Row]:
    rows = [Row(str(w.weekday), format_clock(w.starts), format_clock(w.ends % MINUTES_PER_DAY)) for w in windows]
    return _padded(rows, MIN_WINDOW_ROWS, SPARE_WINDOW_ROWS, MAX_WINDOWS)


def _absence_rows(absences) -> list[Row]:
    rows = [Row(a.first_day.isoformat(), a.last_day.isoformat()) for a in absences]
    return _padded(rows, MIN_ABSENCE_ROWS, SPARE_ABSENCE_ROWS, MAX_ABSENCES)


def _padded(rows: list[Row], minimum: int, spare: int, maximum: int) -> list[Row]:
    count = min(max(len(rows) + spare, minimum), maximum)
    return rows + [Row("", "", "")] * (count - len(rows))


def _posted_rows(prefix: str, names: tuple[str, ...], maximum: int) -> list[Row]:
    """Every row the form sent, blank ones too, so that positions (and the error's field) stay."""
    rows = []
    for n in range(maximum):
        keys = [f"{prefix}-{n}-{name}" for name in names]
        if not any(key in request.form for key in keys):
            break
        rows.append(Row(*(request.form.get(key, "").strip() for key in keys)))
    return rows


def _filled(rows: list[Row]):
    return [(n, row) for n, row in enumerate(rows) if row.first or row.second or row.third]


def _windows_from(rows: list[Row]) -> list[Window]:
    windows = []
    for n, row in _filled(rows):
        if not row.first.isdigit():
            message = _("Bitte einen Wochentag wählen.")
            raise AvailabilityError(message, code="invalid_weekday", field=f"window-{n}-weekday")
        starts, ends = parse_clock(row.second, f"window-{n}-from"), parse_clock(row.third, f"window-{n}-to")
        # The time field cannot say 24:00: "bis 00:00" means until midnight.
        windows.append(Window(int(row.first), starts, ends or MINUTES_PER_DAY))
    return windows


def _absences_from(rows: list[Row]) -> list[DaysAway]:
    return [
        DaysAway(parse_date(row.first, f"absence-{n}-from"), parse_date(row.second, f"absence-{n}-to"))
        for n, row in _filled(rows)
    ]


@bp.route("/availability", methods=["GET", "POST"])
@login_required
def availability():
    if request.method == "POST":
        window_rows = _posted_rows("window", ("weekday", "from", "to"), MAX_WINDOWS)
        absence_rows = _posted_rows("absence", ("from", "to"), MAX_ABSENCES)
        try:
            windows, absences = _windows_from(window_rows), _absences_from(absence_rows)
            save_availability(user=current_user, windows=windows, absences=absences)
        except AvailabilityError as error:
            db.session.rollback()
            error.field = _row_field(error.field, window_rows, absence_rows)
            return _page(window_rows, absence_rows, error), 422
        flash(_("Ihre Zeiten sind gespeichert."), "success")
        return redirect(url_for("availability.availability"))
    return _page(_window_rows(windows_of(current_user)), _absence_rows(absences_of(current_user)))


def _row_field(field: str | None, window_rows, absence_rows) -> str | None:
    """The service counts filled rows ("weekly[1]" is the second filled one); the form names the
    row as it was sent, blank rows included."""
    for prefix, kind, rows in (("weekly[", "window", window_rows), ("absences[", "absence", absence_rows)):
        if field and field.startswith(prefix) and field.endswith("]"):
            filled = _filled(rows)
            index = int(field[len(prefix) : -1])
            return f"{kind}-{filled[index][0]}-from" if index < len(filled) else None
    return field


def _page(window_rows, absence_rows, error=None):
    return render_template(
        "availability/availability.html",
        window_rows=window_rows,
        absence_rows=absence_rows,
        error=error,
        max_windows=MAX_WINDOWS,
        max_absences=MAX_ABSENCES,
    )


@bp.route("/invitations/<int:invitation_id>")
@login_required
def invitation(invitation_id):
    found = invitations.invitation_for(current_user, invitation_id)
    return render_template(
        "availability/invitation.html", invitation=found, blockers=invitations.decide_blockers(found)
    )


# "Übernehmen" / "Ablehnen": a page with one confirming button (mail scanners follow links, so
# a GET changes nothing), reached from the mail with the button's token, or signed in.
@bp.route("/invitations/<int:invitation_id>/accept", methods=["GET", "POST"])
def accept_invitation(invitation_id):
    return _answer_page(invitation_id, ACCEPT)


@bp.route("/invitations/<int:invitation_id>/decline", methods=["GET", "POST"])
def decline_invitation(invitation_id):
    return _answer_page(invitation_id, DECLINE)


def _answer_page(invitation_id: int, action: str):
    token = request.values.get("token") or None
    found, token = _answering(invitation_id, action, token)
    if found is None:
        return redirect(url_for("accounts.login", next=request.path))
    if request.method == "POST":
        ok, result = attempt(lambda: invitations.answer(invitation=found, volunteer=found.volunteer, action=action))
        if ok:
            flash(invitations.answer_message(result), "success")
        return redirect(url_for(request.endpoint, invitation_id=invitation_id, token=token))
    blockers = invitations.decide_blockers(found)
    return render_template("availability/answer.html", invitation=found, action=action, token=token, blockers=blockers)


def _answering(invitation_id: int, action: str, token: str | None):
    """The invitation and the token that opens it; without a usable token the signed-in person's own
    (anyone else's is "not found"), or None: then the login, which leads back here."""
    if token is not None:
        try:
            return invitation_for_token(
                token, invitation_id=invitation_id, answer=action, signed_in=current_user
            ), token
        except AnswerTokenError as error:
            flash(error.message, "error")
    if not current_user.is_authenticated:
        return None, None
    return invitations.invitation_for(current_user, invitation_id), None


@bp.route("/centres/<slug>/shifts/<int:shift_id>/invitations", methods=["POST"])
@login_required
def invite(slug, shift_id):
    centre = staff_centre_or_404(slug)
    shift = get_in_centre_or_404(Shift, shift_id, centre)
    me, volunteer_id = current_user._get_current_object(), request.form.get("volunteer_id", "")
    volunteer = db.session.get(User, int(volunteer_id)) if volunteer_id.isdigit() and len(volunteer_id) < 10 else None
    if not invitations.is_invitable_volunteer(shift, volunteer):
        flash(_("Diese Person gibt es in Ihrem Zentrum nicht."), "error")
    elif attempt(lambda: invitations.invite(shift=shift, volunteer=volunteer, by=me))[0]:
        flash(_("%(name)s ist angefragt.", name=volunteer.name), "success")
    return redirect(url_for("plan.shift_detail", slug=slug, shift_id=shift.id) + "#candidates")


@bp.app_context_processor
def availability_for_templates():
    # The shift page (shifts/plan) includes availability/_candidates.html, which asks shift_candidates.
    return {
        "shift_candidates": candidates,
        "weekday_names": weekday_names,
        "invitation_status_names": INVITATION_STATUS_NAMES,
    }


def weekday_names() -> list[tuple[int, str]]:
    """ISO weekday numbers with their names in the reader's language, Monday first."""
    names = get_day_names("wide", locale=get_locale())
    return [(number, names[number - 1]) for number in range(1, 8)]

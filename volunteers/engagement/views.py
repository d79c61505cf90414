"""Pages: "Mein Engagement" for volunteers, the public check of a certificate, and the
coordinators' Ehrenamtskarte list with the confirmation PDF."""

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..centres.models import Centre
from ..core import time
from ..core.errors import DomainError
from ..core.rate_limits import Limit, count_use
from ..core.tenancy import staff_centre_or_404
from ..core.web import show_domain_error
from ..extensions import db
from . import queries, services
from .documents import certificate_pdf, confirmation_pdf
from .forms import CertificatePeriodForm
from .models import EngagementCertificate
from .policy import Criteria, Progress, last_twelve_months
from .sheets import certificate_sheet, confirmation_sheet
from .units import writing_unit

bp = Blueprint("engagement", __name__)

# Unknown codes from one address: enough for typing errors, far too few to search for codes.
FAILED_CHECKS = (Limit(20, timedelta(minutes=10)), Limit(100, timedelta(days=1)))


@bp.app_template_filter("one_decimal")
def _one_decimal(value: float) -> str:
    return format_decimal(value, "#,##0.0")


def today():
    return time.to_berlin(time.now()).date()


def pdf_response(body: bytes, filename: str):
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def certificate_download(certificate: EngagementCertificate):
    with force_locale("de"):  # for the office that reads it, whatever the page's language
        body = certificate_pdf(certificate_sheet(certificate))
    return pdf_response(body, f"ehrenamtsnachweis-{certificate.period_start}-{certificate.period_end}.pdf")


# --- the volunteer's page ---------------------------------------------------------------


@dataclass(frozen=True)
class CentreProgress:
    centre: Centre
    progress: Progress


def _period_form(formdata=None) -> CertificatePeriodForm:
    start, end = last_twelve_months(today())
    form = CertificatePeriodForm(formdata=formdata, data={"start": start, "end": end})
    form.domain_fields = {"from": "start", "to": "end"}
    centres = current_user.volunteer_centres
    form.centre.choices = [(c.slug, c.name) for c in centres]
    if len(centres) == 1 and not form.centre.data:
        form.centre.data = centres[0].slug
    return form


def _my_page(form: CertificatePeriodForm, status: int = 200):
    rows = [CentreProgress(c, queries.progress_of(c, current_user, today())) for c in current_user.volunteer_centres]
    return render_template(
        "engagement/mine.html",
        rows=rows,
        form=form,
        certificates=services.certificates_of(current_user),
    ), status


@bp.route("/engagement")
@login_required
def mine():
    return _my_page(_period_form())


@bp.route("/engagement/certificates", methods=["POST"])
@login_required
def issue():
    form = _period_form(request.form)
    centre = _chosen_centre(form)
    if not form.validate_on_submit() or centre is None:
        return _my_page(form, 422)
    try:
        certificate = services.issue_certificate(
            centre=centre, user=current_user, start=form.start.data, end=form.end.data
        )
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return _my_page(form, 422)
    return certificate_download(certificate)


def _chosen_centre(form: CertificatePeriodForm) -> Centre | None:
    """The centre chosen, or the only one the person volunteers in; else a field error."""
    centres = current_user.volunteer_centres
    chosen = next((c for c in centres if c.slug == form.centre.data), centres[0] if len(centres) == 1 else None)
    if chosen is None:
        form.centre.errors = [*form.centre.errors, _("Bitte wählen Sie ein Zentrum.")]
    return chosen


@bp.route("/engagement/certificates/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int):
    return certificate_download(_own(certificate_id))


@bp.route("/engagement/certificates/<int:certificate_id>/revoke", methods=["POST"])
@login_required
def revoke(certificate_id: int):
    services.revoke_certificate(certificate=_own(certificate_id), by=current_user)
    flash(_("Der Nachweis ist widerrufen. Die Prüfseite zeigt das ab sofort an."), "success")
    return redirect(url_for("engagement.mine"))


def _own(certificate_id: int) -> EngagementCertificate:
    try:
        return services.own_certificate_or_404(current_user, certificate_id)
    except DomainError:
        abort(404)


# --- the public check ---------------------------------------------------------------------


@bp.route("/verify/<path:code>")
def verify(code: str):
    certificate = services.certificate_by_code(code[:64])
    if certificate is None:
        try:
            with writing_unit():
                count_use(key=f"verify:{request.remote_addr}", limits=FAILED_CHECKS, message=_("Zu viele Versuche."))
        except DomainError:
            abort(429)
        response = make_response(render_template("engagement/verify_unknown.html"), 404)
    else:
        response = make_response(render_template("engagement/verify.html", certificate=certificate))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- coordinators --------------------------------------------------------------------------


@bp.route("/centres/<slug>/ehrenamtskarte")
@login_required
def centre_list(slug: str):
    centre = staff_centre_or_404(slug)
    rows = queries.volunteers_progress(centre, today())
    return render_template(
        "engagement/centre.html",
        centre=centre,
        met=[row for row in rows if row.progress.is_met],
        close=[row for row in rows if row.progress.is_close],
        others=sum(1 for row in rows if not row.progress.is_met and not row.progress.is_close),
        criteria=Criteria.of(centre),
        window=last_twelve_months(today()),
    )


@bp.route("/centres/<slug>/ehrenamtskarte/<int:user_id>.pdf")
@login_required
def confirmation(slug: str, user_id: int):
    centre = staff_centre_or_404(slug)
    volunteer = queries.volunteer_of(centre, user_id)
    if volunteer is None:
        abort(404)
    progress = queries.progress_of(centre, volunteer, today())
    with force_locale("de"):
        body = confirmation_pdf(confirmation_sheet(centre, volunteer, progress, today()))
    with writing_unit():
        services.record_confirmation(
            centre_id=centre.id, volunteer_id=user_id, progress=progress, by_id=current_user.id
        )
    return pdf_response(body, f"bestaetigung-ehrenamtskarte-{volunteer.id}.pdf")

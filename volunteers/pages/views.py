"""Start page, legal pages and the health check."""

import copy
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..core.i18n import LOCALES, RTL_LOCALES
from ..core.static_files import service_worker_build
from ..extensions import db
from .attention import attention_for
from .home import volunteer_home

bp = Blueprint("pages", __name__)

# When the accessibility statement was written or last reviewed: move it with every review.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 12, 1)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("pages/welcome.html")
    # The first screen says what to do next: for volunteers their next shift and what waits on
    # them, for the staff of a centre what needs their attention.
    return render_template(
        "pages/home.html",
        volunteer_homes=volunteer_home(current_user),
        attention=attention_for(current_user),
    )


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/imprint")
def imprint():
    return render_template("pages/imprint.html")


# The enforcement body for public bodies in NRW (§§ 10d, 10e BGG NRW, §§ 9 ff. BITVNRW), as its
# own pages name it; an installation outside NRW, or a newer address, overrides it in the settings.
NRW_OMBUDSSTELLE = {
    "name": "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
    "email": "ombudsstelle-barrierefreie-it@mags.nrw.de",
    "url": "https://www.lbbp.nrw.de/ombudsstelle",
    "address": None,
    "phone": None,
}


def _accessibility_contact() -> dict:
    """The installation's contact point for accessibility feedback (BITV 2.0 § 7 (1) Nr. 2)."""
    config = current_app.config
    return {
        "name": config.get("ACCESSIBILITY_CONTACT_NAME"),
        "email": config.get("ACCESSIBILITY_CONTACT_EMAIL"),
        "phone": config.get("ACCESSIBILITY_CONTACT_PHONE"),
        "address": config.get("ACCESSIBILITY_CONTACT_ADDRESS"),
    }


def _enforcement_body() -> dict:
    config = current_app.config
    return {
        key: config.get(f"ACCESSIBILITY_ENFORCEMENT_{key.upper()}", default)
        for key, default in NRW_OMBUDSSTELLE.items()
    }


@bp.route("/accessibility")
def accessibility_statement():
    return render_template(
        "pages/accessibility.html",
        statement_date=ACCESSIBILITY_STATEMENT_DATE,
        contact=_accessibility_contact(),
        enforcement=_enforcement_body(),
    )


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify(status="error"), 503  # the failed transaction ends at teardown, like every read
    return jsonify(status="ok")


@lru_cache(maxsize=1)
def _manifest_template(static_folder: str) -> dict:
    return json.loads((Path(static_folder) / "manifest.webmanifest").read_text(encoding="utf-8"))


def _translated_manifest(locale: str) -> dict:
    """The manifest in the person's language: browsers fetch it without the session cookie, so the
    page names its language in the link (?lang=)."""
    manifest = copy.deepcopy(_manifest_template(current_app.static_folder))
    with force_locale(locale):
        manifest.update(
            lang=locale,
            dir="rtl" if locale in RTL_LOCALES else "ltr",
            name=_("Treffpunkt – Ehrenamt an den Ankommenstreffpunkten"),
            description=_(
                "Schichten planen, übernehmen und Stunden erfassen – für die Kommunalen Integrationszentren in NRW."
            ),
        )
        names = {"/my/shifts": _("Meine Schichten"), "/hours": _("Stunden eintragen")}
        for shortcut in manifest["shortcuts"]:
            shortcut["name"] = names.get(shortcut["url"], shortcut["name"])
    return manifest


@bp.route("/manifest.webmanifest")
def manifest():
    locale = request.args.get("lang", "de")
    response = jsonify(_translated_manifest(locale if locale in LOCALES else "de"))
    response.mimetype = "application/manifest+json"
    response.cache_control.max_age = 3600
    response.cache_control.public = True
    return response


@bp.route("/service-worker.js")
def service_worker():
    # Served from the root so that its scope is the whole app; asked again each time, so updates
    # arrive. Its first line names the app shell under this release's hashed URLs.
    source = (Path(current_app.static_folder) / "js" / "service-worker.js").read_text(encoding="utf-8")
    strict = '"use strict";\n'
    response = Response(source.replace(strict, strict + service_worker_build(), 1), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/offline")
def offline():
    return render_template("pages/offline.html")

"""Start page, legal pages and the health check."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from flask_login import current_user

from ..extensions import db

bp = Blueprint("pages", __name__)

# When the accessibility statement was written or last reviewed: move it with every review.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 22)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("pages/welcome.html")
    return render_template("pages/home.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/imprint")
def imprint():
    return render_template("pages/imprint.html")


@bp.route("/accessibility")
def accessibility_statement():
    return render_template("pages/accessibility.html", statement_date=ACCESSIBILITY_STATEMENT_DATE)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return jsonify(status="error"), 503  # the failed transaction ends at teardown, like every read
    return jsonify(status="ok")


@bp.route("/manifest.webmanifest")
def manifest():
    response = send_from_directory(
        current_app.static_folder, "manifest.webmanifest", mimetype="application/manifest+json", max_age=3600
    )
    return response


@bp.route("/service-worker.js")
def service_worker():
    # Served from the root so that its scope is the whole app; never cached, so updates arrive.
    response = send_from_directory(
        current_app.static_folder, "js/service-worker.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
def offline():
    return render_template("pages/offline.html")

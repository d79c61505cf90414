"""Start page, legal pages and the health check."""
import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from ..extensions import db

bp = Blueprint("pages", __name__)


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


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error"), 503
    return jsonify(status="ok")

"""Coordinators' and centre leads' pages for hours: review queue, edits, corrections, staff hours,
report periods, audit trail and the check-in poster."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/centres/<slug>")

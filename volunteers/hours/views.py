"""The volunteer's hours: proposals from attended shifts, manual entries, history and totals,
and the check-in page behind the meeting point's poster."""
from flask import Blueprint

bp = Blueprint("hours", __name__)

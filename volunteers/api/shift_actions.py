"""What the coordination does on a shift's page, through the API: a message to everyone on the
shift, and recording a walk-in ("Spontan da gewesen"). The same services and blockers as the page
(shifts/messages.py, shifts/walk_ins.py); refusals answer in the error format (422, 429)."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..extensions import db
from ..shifts import messages, walk_ins
from ..shifts.errors import SignupError
from ..shifts.queries import volunteer_directory
from . import bp
from .helpers import id_field, invalid, json_body, multiline_text_field
from .hours import entry_json
from .shifts import _managed_shift, signups_json


@bp.post("/shifts/<int:shift_id>/messages")
def send_shift_message(shift_id: int):
    shift = _managed_shift(shift_id)
    body = json_body()
    include_waitlist = body.get("include_waitlist", False)
    if not isinstance(include_waitlist, bool):
        raise invalid(_("„%(name)s“ muss true oder false sein.", name="include_waitlist"), "include_waitlist")
    text = multiline_text_field(body.get("text"), "text", messages.SHIFT_MESSAGE)
    count = messages.send_shift_message(
        shift=shift, text=text, by=current_user._get_current_object(), include_waitlist=include_waitlist
    )
    return jsonify(recipients=count), 201


@bp.post("/shifts/<int:shift_id>/walk-ins")
def record_walk_in(shift_id: int):
    shift = _managed_shift(shift_id)
    volunteer_id = id_field(json_body().get("volunteer_id"), "volunteer_id")
    # Only the centre's volunteers, as the page's list offers them: anyone else, or an unknown id,
    # is the same refusal, so that no other centre's people can be probed.
    if volunteer_id not in {entry.user.id for entry in volunteer_directory(shift.centre)}:
        message = _("Diese Person ist keine Ehrenamtliche des Zentrums.")
        raise SignupError(message, code="not_member", field="volunteer_id")
    walk_in = walk_ins.record_walk_in(
        shift=shift, volunteer=db.session.get(User, volunteer_id), by=current_user._get_current_object()
    )
    return jsonify(
        signup=signups_json([walk_in.signup])[0],
        hours_entry=entry_json(walk_in.entry),
        raised_capacity=walk_in.raised_capacity,
        capacity=shift.capacity_max,
    ), 201

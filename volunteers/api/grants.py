"""A centre's grants in the JSON API, for its lead and the admin: the list, and a year's grant set
with PUT (201 when it was new). Money is a JSON number in euros with at most two decimals, as in the
report's JSON. The rules live in volunteers/grants; here only types and shapes are checked."""

from decimal import Decimal

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..grants.access import grants_centre_or_abort
from ..grants.services import GrantValues, grants_of, set_grant
from ..reports.models import KOMMAN, Grant
from . import bp
from .helpers import in_api_terms, invalid, json_body, multiline_text_field, require_login, text_field

# Clients send the cap's amount as in_kind_cap_eur; the model keeps it as in_kind_cap_amount_eur,
# because its in_kind_cap_eur is the cap in effect (from the amount or the percentage).
API_FIELD_NAMES = {"in_kind_cap_amount_eur": "in_kind_cap_eur"}


def _number_json(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def grant_json(grant: Grant) -> dict:
    return {
        "year": grant.year,
        "programme": grant.programme,
        "amount_eur": _number_json(grant.amount_eur),
        "valuation_rate_eur": _number_json(grant.valuation_rate_eur),
        "in_kind_cap_eur": _number_json(grant.in_kind_cap_amount_eur),
        "in_kind_cap_percent": _number_json(grant.in_kind_cap_percent),
        "eligible_costs_eur": _number_json(grant.eligible_costs_eur),
        "effective_in_kind_cap_eur": _number_json(grant.in_kind_cap_eur),
        "note": grant.note,
    }


def _number(body: dict, name: str) -> Decimal | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(_("„%(name)s“ muss eine Zahl sein.", name=name), name)
    return Decimal(str(value))  # the digits the client wrote, not the float's binary value


def _values(body: dict) -> GrantValues:
    programme = body.get("programme")
    return GrantValues(
        programme=KOMMAN if programme is None else text_field(programme, "programme"),
        amount_eur=_number(body, "amount_eur"),
        valuation_rate_eur=_number(body, "valuation_rate_eur"),
        in_kind_cap_amount_eur=_number(body, "in_kind_cap_eur"),
        in_kind_cap_percent=_number(body, "in_kind_cap_percent"),
        eligible_costs_eur=_number(body, "eligible_costs_eur"),
        note=multiline_text_field(body.get("note"), "note"),
    )


def _centre(slug: str):
    require_login()
    return grants_centre_or_abort(slug)


@bp.get("/centres/<slug>/grants")
def list_grants(slug: str):
    return jsonify(items=[grant_json(grant) for grant in grants_of(_centre(slug))])


@bp.put("/centres/<slug>/grants/<int:year>")
def put_grant(slug: str, year: int):
    centre = _centre(slug)
    values = _values(json_body())
    with in_api_terms(API_FIELD_NAMES):
        grant, created = set_grant(centre=centre, year=year, values=values, by=current_user._get_current_object())
    return jsonify(grant_json(grant)), 201 if created else 200

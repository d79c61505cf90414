"""The API's description, GET /api/v1/openapi.json: every route under /api/v1 and the report
downloads that programs call (tests/api/test_openapi.py compares it with the app's routes, and
tests/api/test_schemathesis.py checks the app's answers against it)."""

from flask import jsonify

from . import bp

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*statuses: int) -> dict:
    return {
        str(status): {"description": "Fehler", "content": {"application/json": {"schema": ERROR}}}
        for status in statuses
    }


def _ok(description: str, schema: dict | None = None, status: int = 200) -> dict:
    response = {"description": description}
    if schema:
        response["content"] = {"application/json": {"schema": schema}}
    return {str(status): response}


def _list_of(ref: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}}


def _errors_for_pages(*statuses: int) -> dict:
    """Errors of a path outside /api/v1: the error format for a client that accepts JSON, else a page."""
    content = {"application/json": {"schema": ERROR}, "text/html": {"schema": {"type": "string"}}}
    return {str(status): {"description": "Fehler", "content": content} for status in statuses}


def _json_body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"}}


SHIFT_ID = {"name": "shift_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ENTRY_ID = {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CENTRE_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
STRINGS = {"type": "array", "items": {"type": "string"}}
INSTANT = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
SLUG = {"type": "string", "nullable": True}


NUMBER_OR_NULL = {"type": "number", "nullable": True}
SHARE = {**NUMBER_OR_NULL, "description": "Anteil von 0 bis 1; null ohne Stunden"}
EUROS = {**NUMBER_OR_NULL, "description": "Euro; null ohne erfasste Förderung"}
MINUTES = {"type": "integer"}
HOURS_SPLIT = {"volunteer_minutes": MINUTES, "staff_minutes": MINUTES, "volunteer_share": SHARE}


def _rows(properties: dict) -> dict:
    return {"type": "array", "items": {"type": "object", "properties": properties}}


# The figures of a centre, and of an area (a Regierungsbezirk, NRW) as the sums of its centres.
FIGURES = {
    "from": DAY,
    "to": DAY,
    **HOURS_SPLIT,
    "volunteer_hours": {"type": "number"},
    "staff_hours": {"type": "number"},
    "programme_volunteer_share": {"type": "number", "description": "KommAn: 7,7 von 13 Mio. EUR"},
    "in_kind_value_eur": EUROS,
    "in_kind_value_capped_eur": {**NUMBER_OR_NULL, "description": "null ohne Deckelung"},
    "grant_amount_eur": EUROS,
    "cost_per_volunteer_hour_eur": EUROS,
    "volunteer_minutes_with_grant": MINUTES,
    "years_without_grant": {"type": "array", "items": {"type": "integer"}},
    "active_volunteers": {"type": "integer"},
    "new_volunteers": {"type": "integer"},
    "pending_minutes": {**MINUTES, "description": "eingereicht, noch nicht freigegeben"},
    "shifts_held": {"type": "integer"},
    "filled_slots": {"type": "integer"},
    "capacity": {"type": "integer"},
    "fill_rate": SHARE,
    "participants_reached": {"type": "integer"},
    "sessions_with_participants": {"type": "integer"},
    "by_month": _rows({"month": {"type": "string", "description": "JJJJ-MM"}, **HOURS_SPLIT}),
    "by_baustein": _rows(
        {"baustein": {"type": "string", "enum": ["A", "B", "C", "D"]}, **HOURS_SPLIT, "in_kind_value_eur": EUROS}
    ),
    "by_meeting_point": _rows(
        {
            "meeting_point": {"type": "string", "description": "Name; leer: ohne Treffpunkt"},
            "centre": {"type": "string", "description": "nur in Summen mehrerer Zentren"},
            "volunteer_minutes": MINUTES,
        }
    ),
    "by_activity": _rows(
        {"activity": {"type": "string"}, "activity_name": {"type": "string"}, "volunteer_minutes": MINUTES}
    ),
}
REQUIRED_FIGURES = [
    "volunteer_minutes",
    "staff_minutes",
    "volunteer_share",
    "in_kind_value_eur",
    "active_volunteers",
    "pending_minutes",
]
CENTRE_FIGURES = {
    **FIGURES,
    "centre": {"type": "string", "description": "Slug des Zentrums"},
    "centre_name": {"type": "string"},
    "regierungsbezirk": {"type": "string"},
    "period_closed": {"type": "boolean", "description": "genau ein abgeschlossener Zeitraum: eingefrorene Zahlen"},
}
AREA_FIGURES = {**FIGURES, "centres": {"type": "integer", "description": "Zahl der Zentren"}}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
            }
        },
    },
    "Candidate": {  # availability
        "type": "object",
        "required": ["volunteer_id", "name", "score", "reasons"],
        "properties": {
            "volunteer_id": {"type": "integer"},
            "name": {"type": "string"},
            "score": {"type": "integer", "description": "höher = passender"},
            "reasons": {
                "type": "array",
                "items": {"type": "object", "properties": {"code": {"type": "string"}, "text": {"type": "string"}}},
            },
            "recent_shifts": {"type": "integer", "description": "Schichten in den letzten 4 Wochen"},
            "invited": {"type": "boolean", "description": "schon angefragt, Anfrage offen"},
        },
    },
    "MeetingPoint": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "centre": {"type": "string"},
            "municipality": {"type": "string"},
            "address": {"type": "string"},
            "latitude": {"type": "number", "nullable": True},
            "longitude": {"type": "number", "nullable": True},
            "languages": {"type": "array", "items": {"type": "string"}},
            "opening_notes": {"type": "string"},
            "calendar_url": {"type": "string", "format": "uri"},
        },
    },
    "Me": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "phone": {"type": "string"},
            "locale": {"type": "string", "nullable": True},
            "roles": {"type": "array", "items": {"type": "string"}},
            "global_role": {"type": "string", "nullable": True},
            "centres": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}},
                },
            },
            "calendar_feed_url": {"type": "string", "nullable": True},
        },
    },
    "Activity": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "baustein": {
                "type": "string",
                "enum": ["A", "B", "C", "D"],
                "nullable": True,
                "description": "KommAn-Baustein; null: der Standard des Treffpunkts",
            },
        },
    },
    "Shift": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "meeting_point": {"type": "string", "description": "Slug des Treffpunkts"},
            "meeting_point_name": {"type": "string"},
            "address": {"type": "string"},
            "centre": {"type": "string", "description": "Slug des Zentrums"},
            "starts_at": {
                **INSTANT,
                "description": "mit dem Versatz von Europe/Berlin, z. B. 2026-10-27T16:00:00+01:00",
            },
            "ends_at": INSTANT,
            "duration_minutes": {"type": "integer"},
            "capacity": {"type": "integer", "description": "Höchstzahl der Plätze"},
            "capacity_min": {"type": "integer"},
            "confirmed_count": {"type": "integer"},
            "free_slots": {"type": "integer"},
            "status": {"type": "string", "enum": ["draft", "published", "cancelled"]},
            "activity": {"type": "string"},
            "activity_name": {"type": "string"},
            "baustein": {"type": "string", "enum": ["A", "B", "C", "D"]},
            "languages": STRINGS,
            "requires_police_certificate": {"type": "boolean"},
            "notes": {"type": "string"},
            "cancel_reason": {"type": "string", "nullable": True},
            "series_id": {"type": "integer", "nullable": True},
            "my_signup": {
                "type": "string",
                "nullable": True,
                "enum": ["confirmed", "waitlisted", "pending", "cancelled", None],
                "description": "Status der eigenen Anmeldung, null ohne Anmeldung",
            },
        },
    },
    "ShiftInput": {
        "type": "object",
        "description": "Bei PATCH jede Teilmenge; Zeiten ohne Versatz gelten als Ortszeit Europe/Berlin.",
        "properties": {
            "meeting_point": {"type": "string"},
            "starts_at": INSTANT,
            "ends_at": INSTANT,
            "capacity": {"type": "integer", "minimum": 1},
            "capacity_min": {"type": "integer", "minimum": 0},
            "activity": {"type": "string"},
            "languages": STRINGS,
            "requires_police_certificate": {"type": "boolean"},
            "notes": {"type": "string"},
            "baustein": {"type": "string", "enum": ["A", "B", "C", "D"], "nullable": True},
            "status": {"type": "string", "enum": ["draft", "published"]},
        },
    },
    "Signup": {
        "type": "object",
        "properties": {
            "signup_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted", "pending", "cancelled"]},
            "is_late_cancellation": {"type": "boolean"},
            "attendance": {"type": "string", "enum": ["attended", "no_show", None], "nullable": True},
            "shift": {"$ref": "#/components/schemas/Shift"},
        },
    },
    "Handover": {  # task handover
        "type": "object",
        "required": ["id", "status", "shift_id", "shift"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["open", "awaiting_approval", "taken", "withdrawn", "lapsed"]},
            "shift_id": {"type": "integer"},
            "is_mine": {"type": "boolean", "description": "das eigene Angebot"},
            "offered_at": INSTANT,
            "decided_at": {**INSTANT, "nullable": True},
            "shift": {"$ref": "#/components/schemas/Shift"},
        },
    },
    "HoursEntry": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "client_id": {"type": "string", "format": "uuid", "nullable": True},
            "date": DAY,
            "minutes": {"type": "integer", "description": "negativ nur bei Korrekturen"},
            "activity": {"type": "string"},
            "activity_name": {"type": "string"},
            "baustein": {"type": "string", "enum": ["A", "B", "C", "D"]},
            "meeting_point": {**SLUG, "description": "Slug des Treffpunkts"},
            "shift_id": {"type": "integer", "nullable": True},
            "note": {"type": "string"},
            "status": {"type": "string", "enum": ["submitted", "approved", "rejected"]},
            "review_reason": {"type": "string", "nullable": True, "description": "Grund einer Ablehnung"},
            "centre": {"type": "string", "description": "Slug des Zentrums"},
            "kind": {"type": "string", "enum": ["volunteer", "staff"]},
            "is_correction": {"type": "boolean"},
            "created_at": INSTANT,
        },
    },
    "HoursInput": {
        "type": "object",
        "required": ["client_id", "date", "minutes", "activity"],
        "properties": {
            "client_id": {
                "type": "string",
                "format": "uuid",
                "description": "vom Gerät erzeugt; dieselbe ID noch einmal speichert nichts Neues",
            },
            "date": DAY,
            "minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
            "activity": {"type": "string", "description": "Slug der Tätigkeit"},
            "shift_id": {"type": "integer", "nullable": True, "description": "eine Schicht, bei der man dabei war"},
            "meeting_point": {**SLUG, "description": "Slug des Treffpunkts; Standard: der Treffpunkt der Schicht"},
            "centre": {
                **SLUG,
                "description": "Slug des Zentrums; Standard: das der Schicht, sonst das einzige, "
                "in dem man Ehrenamtliche/r ist",
            },
            "note": {"type": "string", "maxLength": 500},
        },
    },
    "HoursList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/HoursEntry"}},
            "totals": {
                "type": "object",
                "description": "Minuten im laufenden Monat und Jahr",
                "properties": {
                    name: {"type": "integer"}
                    for name in (
                        "month_approved_minutes",
                        "month_submitted_minutes",
                        "year_approved_minutes",
                        "year_submitted_minutes",
                    )
                },
            },
        },
    },
    "Grant": {
        "type": "object",
        "description": "Die Förderung eines Zentrums für ein Jahr. Beträge in Euro als Zahl mit höchstens "
        "zwei Nachkommastellen, wie im Bericht.",
        "properties": {
            "year": {"type": "integer"},
            "programme": {"type": "string"},
            "amount_eur": {"type": "number"},
            "valuation_rate_eur": {"type": "number", "description": "Wert einer ehrenamtlichen Stunde"},
            "in_kind_cap_eur": {"type": "number", "nullable": True, "description": "Deckelung als Höchstbetrag"},
            "in_kind_cap_percent": {
                "type": "number",
                "nullable": True,
                "description": "Deckelung als Prozentsatz der zuwendungsfähigen Ausgaben",
            },
            "eligible_costs_eur": {
                "type": "number",
                "nullable": True,
                "description": "zuwendungsfähige Ausgaben; null: die Fördersumme",
            },
            "effective_in_kind_cap_eur": {
                "type": "number",
                "nullable": True,
                "description": "die Deckelung in Euro für das ganze Jahr, null ohne Deckelung",
            },
            "note": {"type": "string"},
        },
    },
    "GrantInput": {
        "type": "object",
        "description": "Ersetzt die Förderung des Jahres ganz; fehlende Felder gelten als null (programme: "
        "KommAn-NRW). Höchstens eine Deckelung: in_kind_cap_eur oder in_kind_cap_percent.",
        "required": ["amount_eur", "valuation_rate_eur"],
        "properties": {
            "programme": {"type": "string", "maxLength": 60, "default": "KommAn-NRW"},
            "amount_eur": {"type": "number", "minimum": 0, "maximum": 100000000},
            "valuation_rate_eur": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 500},
            "in_kind_cap_eur": {"type": "number", "nullable": True, "minimum": 0, "maximum": 100000000},
            "in_kind_cap_percent": {"type": "number", "nullable": True, "minimum": 0, "maximum": 100},
            "eligible_costs_eur": {"type": "number", "nullable": True, "minimum": 0, "maximum": 100000000},
            "note": {"type": "string", "maxLength": 500},
        },
    },
    "Export": {
        "type": "object",
        "additionalProperties": True,
        "description": "Alle gespeicherten Daten der Person: profile, memberships, signups, hours, devices, "
        "notifications, notification_settings, api_tokens, calendar_feeds, audit_events",
    },
    "CalendarFeed": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {
                "type": "string",
                "format": "uri",
                "description": "geheime https-Adresse des persönlichen Kalenders (iCal)",
            }
        },
    },
    "CentreReport": {
        "type": "object",
        "required": [*REQUIRED_FIGURES, "from", "to", "centre", "checksum", "period_closed"],
        "properties": {
            **CENTRE_FIGURES,
            "checksum": {"type": "string", "description": "SHA-256 der Zahlen"},
            "period_label": {"type": "string", "nullable": True, "description": "Name des abgeschlossenen Zeitraums"},
        },
    },
    "StateReport": {
        "type": "object",
        "description": "Nur Summen, keine Personen: NRW, jeder Regierungsbezirk und jedes Zentrum",
        "required": ["from", "to", "nrw", "regierungsbezirke", "centres", "checksum"],
        "properties": {
            "from": DAY,
            "to": DAY,
            "checksum": {"type": "string"},
            "nrw": {
                "type": "object",
                "nullable": True,
                "description": "null ohne Zentren",
                "required": REQUIRED_FIGURES,
                "properties": {**AREA_FIGURES, "centres_without_grant": STRINGS},
            },
            "regierungsbezirke": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["regierungsbezirk", *REQUIRED_FIGURES],
                    "properties": {
                        **AREA_FIGURES,
                        "regierungsbezirk": {"type": "string"},
                        "centres_without_grant": STRINGS,
                    },
                },
            },
            "centres": {
                "type": "array",
                "items": {"type": "object", "required": ["centre", *REQUIRED_FIGURES], "properties": CENTRE_FIGURES},
            },
        },
    },
}

SHIFT = {"$ref": "#/components/schemas/Shift"}
CALENDAR_FEED = {"$ref": "#/components/schemas/CalendarFeed"}
REPORT_PERIOD = [
    _query("from", "JJJJ-MM-TT, erster Tag; Standard: 1. Januar des laufenden Jahres", DAY),
    _query("to", "JJJJ-MM-TT, letzter Tag (einschließlich); Standard: heute; höchstens fünf Jahre", DAY),
    _query(
        "format",
        "html (Standard), json, csv (Semikolon, UTF-8 mit BOM, Dezimalkomma), xlsx oder pdf",
        {"type": "string", "enum": ["html", "json", "csv", "xlsx", "pdf"], "default": "html"},
    ),
]
FILE = {"type": "string", "format": "binary"}
# GET /me/engagement (api/engagement.py progress_json)
ENGAGEMENT_LIST = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": _rows(
            {
                "centre": {"type": "string"},
                "centre_name": {"type": "string"},
                "from": DAY,
                "to": DAY,
                "minutes_last_12_months": MINUTES,
                "hours_last_12_months": {"type": "number"},
                "weekly_average_minutes": MINUTES,
                "weekly_average_hours": {"type": "number"},
                "engaged_since": {**DAY, "nullable": True, "description": "Tag der ersten freigegebenen Stunden"},
                "years_engaged": {"type": "number"},
                "criteria": {
                    "type": "object",
                    "properties": {
                        "hours_per_year": {"type": "integer"},
                        "hours_per_week": {"type": "integer"},
                        "min_years": {"type": "integer"},
                    },
                },
                "meets_hours_per_year": {"type": "boolean"},
                "meets_hours_per_week": {"type": "boolean"},
                "meets_min_years": {"type": "boolean"},
                "criteria_met": {"type": "boolean"},
                "missing_minutes": MINUTES,
                "min_years_reached_on": {**DAY, "nullable": True},
            }
        )
    },
}


def _report(summary: str, figures: str, parameters: list) -> dict:
    """A report download: outside /api/v1, hence its own server (the site's root)."""
    return {
        "servers": [{"url": "/"}],
        "get": {
            "summary": summary,
            "parameters": [*parameters, *REPORT_PERIOD],
            "responses": {
                "200": {
                    "description": "Die Zahlen im gewählten Format; Dateien mit Content-Disposition: attachment",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{figures}"}},
                        "text/csv": {"schema": FILE},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": FILE},
                        "application/pdf": {"schema": FILE},
                        "text/html": {"schema": {"type": "string"}},
                    },
                },
                "302": {
                    "description": "format=html ohne Sitzung im Browser (ein Bearer-Token gilt nur für "
                    "json, csv, xlsx und pdf): Weiterleitung zur Anmeldung"
                },
                **_errors_for_pages(400, 401, 404),
            },
        },
    }


SIGNUP = {"$ref": "#/components/schemas/Signup"}
HANDOVER = {"$ref": "#/components/schemas/Handover"}
OFFER_ID = {"name": "offer_id", "in": "path", "required": True, "schema": {"type": "integer"}}
HOURS_ENTRY = {"$ref": "#/components/schemas/HoursEntry"}
INSTANT_OR_NULL = {**INSTANT, "nullable": True}
CHECKIN = {  # checkin_offline: the answer of POST /me/checkins
    "type": "object",
    "required": ["client_id", "direction", "shift_id", "scanned_at", "checked_in_at", "checked_out_at"],
    "properties": {
        "client_id": {"type": "string"},
        "direction": {"type": "string", "enum": ["in", "out"], "description": "in: früheste Zeit, also Ankunft"},
        "shift_id": {"type": "integer"},
        "scanned_at": INSTANT,
        "checked_in_at": INSTANT_OR_NULL,
        "checked_out_at": INSTANT_OR_NULL,
    },
}

INVITATION_ID = {"name": "invitation_id", "in": "path", "required": True, "schema": {"type": "integer"}}
CLOCK = {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}
AVAILABILITY = {  # availability
    "type": "object",
    "properties": {
        "weekly": {
            "type": "array",
            "maxItems": 28,
            "items": {
                "type": "object",
                "required": ["weekday", "from", "to"],
                "properties": {
                    "weekday": {"type": "integer", "minimum": 1, "maximum": 7, "description": "ISO, Montag = 1"},
                    "from": CLOCK,
                    "to": {**CLOCK, "description": "HH:MM, 24:00 = Mitternacht"},
                },
            },
        },
        "absences": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["from", "to"],
                "properties": {"from": DAY, "to": {**DAY, "description": "letzter Tag, einschließlich"}},
            },
        },
    },
}
INVITATION = {  # availability
    "type": "object",
    "required": ["id", "shift_id", "volunteer_id", "status"],
    "properties": {
        "id": {"type": "integer"},
        "shift_id": {"type": "integer"},
        "volunteer_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["open", "accepted", "declined", "expired"]},
        "created_at": INSTANT,
        "decided_at": {**INSTANT, "nullable": True},
        "signup": {"type": "object", "description": "nur beim Annehmen: die Anmeldung"},
        "message": {
            "type": "string",
            "description": "nur beim Antworten: was geschehen ist, in der Sprache der Person",
        },
    },
}
ANSWER_TOKEN = _json_body(
    {
        "type": "object",
        "properties": {
            "token": {
                "type": "string",
                "description": "das Zeichen aus der Schaltfläche der Nachricht oder dem Link der E-Mail: "
                "antwortet ohne Anmeldung als die angefragte Person (403 token_invalid / token_expired)",
            }
        },
    },
    required=False,
)

PATHS = {
    "/auth/token": {
        "post": {
            "summary": "Bearer-Token mit E-Mail und Passwort holen",
            "security": [],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["email", "password"],
                    "properties": {
                        "email": {"type": "string"},
                        "password": {"type": "string"},
                        "label": {"type": "string"},
                    },
                }
            ),
            "responses": {
                **_ok(
                    "Token",
                    {"type": "object", "properties": {"token": {"type": "string"}, "token_type": {"type": "string"}}},
                    201,
                ),
                **_errors(400, 401, 415, 422, 429),
            },
        },
        "delete": {
            "summary": "Das verwendete Bearer-Token widerrufen",
            "responses": {"204": {"description": "widerrufen"}, **_errors(400, 401)},
        },
    },
    "/me": {
        "get": {
            "summary": "Eigenes Profil, Rollen, Zentren, Kalender-Abo",
            "responses": {**_ok("Profil", {"$ref": "#/components/schemas/Me"}), **_errors(401)},
        },
        "delete": {
            "summary": "Eigenes Konto löschen (DSGVO Art. 17): persönliche Daten gelöscht, Stunden bleiben "
            "pseudonymisiert in der Statistik; braucht das Passwort",
            "requestBody": _json_body(
                {"type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}}
            ),
            "responses": {
                "204": {"description": "gelöscht; Token und Sitzungen gelten nicht mehr"},
                **_errors(400, 401, 403, 415, 422, 429),
            },
        },
    },
    "/me/calendar-feed": {
        "post": {
            "summary": "Persönliches Kalender-Abo einschalten (201) oder das eingeschaltete nennen (200); "
            "wiederholbar, eine funktionierende Adresse bleibt",
            "responses": {
                **_ok("Eingeschaltet", CALENDAR_FEED, 201),
                **_ok("War schon eingeschaltet: dieselbe Adresse", CALENDAR_FEED),
                **_errors(400, 401),
            },
        },
        "delete": {
            "summary": "Kalender-Abo beenden: die Adresse funktioniert sofort nicht mehr",
            "responses": {"204": {"description": "beendet (auch wenn keins bestand)"}, **_errors(400, 401)},
        },
    },
    "/me/export": {
        "get": {
            "summary": "Alle eigenen Daten als JSON-Download (DSGVO Art. 15/20)",
            "responses": {
                **_ok("Download (Content-Disposition: attachment)", {"$ref": "#/components/schemas/Export"}),
                **_errors(401),
            },
        }
    },
    "/me/checkins": {
        "post": {
            "summary": "Ein- oder Auschecken am Plakat des Treffpunkts, mit der Zeit des Scans (höchstens 12 h alt); "
            "früheste Zeit = Ankunft, späteste = Gehen; dieselbe client_id noch einmal gibt die erste Antwort (200)",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["client_id", "code"],
                    "properties": {
                        "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$"},
                        "code": {"type": "string", "description": "Code auf dem Plakat (aus /checkin/<code>)"},
                        "scanned_at": {**INSTANT, "description": "Zeit des Scans mit Zeitzone; ohne: jetzt"},
                    },
                }
            ),
            "responses": {
                **_ok("Erfasst", CHECKIN, 201),
                **_ok("Schon erfasst (gleiche client_id)", CHECKIN),
                **_errors(400, 401, 415, 422),
            },
        },
    },
    "/me/hours": {
        "get": {
            "summary": "Eigene Stunden mit Status, neueste zuerst, und Summen für Monat und Jahr",
            "parameters": [
                _query("from", "JJJJ-MM-TT, erster Tag (einschließlich)", DAY),
                _query("to", "JJJJ-MM-TT, letzter Tag (einschließlich)", DAY),
            ],
            "responses": {**_ok("Liste", {"$ref": "#/components/schemas/HoursList"}), **_errors(401, 422)},
        },
        "post": {
            "summary": "Stunden eintragen; dieselbe client_id noch einmal gibt den gespeicherten Eintrag (200)",
            "requestBody": _json_body({"$ref": "#/components/schemas/HoursInput"}),
            "responses": {
                **_ok("Eingetragen", HOURS_ENTRY, 201),
                **_ok("Schon gespeichert (gleiche client_id)", HOURS_ENTRY),
                **_errors(400, 401, 415, 422),
            },
        },
    },
    "/hours/{entry_id}/approve": {
        "parameters": [ENTRY_ID],
        "post": {
            "summary": "Stunden freigeben (Koordination des Zentrums)",
            "responses": {**_ok("Freigegeben", HOURS_ENTRY), **_errors(400, 401, 404, 422)},
        },
    },
    "/hours/{entry_id}/reject": {
        "parameters": [ENTRY_ID],
        "post": {
            "summary": "Stunden ablehnen, mit Grund (Koordination des Zentrums)",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string", "maxLength": 500}},
                }
            ),
            "responses": {**_ok("Abgelehnt", HOURS_ENTRY), **_errors(400, 401, 404, 415, 422)},
        },
    },
    "/meeting-points": {
        "get": {
            "summary": "Ankommenstreffpunkte (öffentlich)",
            "security": [],
            "parameters": [{"name": "centre", "in": "query", "schema": {"type": "string"}}],
            "responses": _ok("Liste", _list_of("#/components/schemas/MeetingPoint")),
        }
    },
    "/activities": {
        "get": {
            "summary": "Tätigkeiten (öffentlich): die Standardliste, mit centre auch die eigenen des Zentrums",
            "security": [],
            "parameters": [_query("centre", "Slug eines Zentrums")],
            "responses": {**_ok("Liste", _list_of("#/components/schemas/Activity")), **_errors(404)},
        }
    },
    "/shifts": {
        "get": {
            "summary": "Sichtbare Schichten im Zeitraum (Koordination: auch Entwürfe und Absagen)",
            "parameters": [
                _query("from", "JJJJ-MM-TT (Tagesbeginn in Berlin) oder ISO 8601; Standard: jetzt"),
                _query(
                    "to",
                    "JJJJ-MM-TT (einschließlich) oder ISO 8601; Standard: from + 8 Wochen; "
                    "höchstens 366 Tage nach from",
                ),
                _query("meeting_point", "Slug des Treffpunkts"),
                _query("language", "Sprachcode, z. B. ar"),
            ],
            "responses": {**_ok("Liste", _list_of("#/components/schemas/Shift")), **_errors(401, 422)},
        },
        "post": {
            "summary": "Schicht anlegen (Koordination des Treffpunkts)",
            "requestBody": _json_body(
                {
                    "allOf": [
                        {"$ref": "#/components/schemas/ShiftInput"},
                        {"required": ["meeting_point", "starts_at", "ends_at", "capacity", "activity"]},
                        {
                            "properties": {
                                "confirm_past": {
                                    "type": "boolean",
                                    "default": False,
                                    "description": "Beginn in der Vergangenheit bestätigen; ohne: 422 "
                                    "past_start_unconfirmed",
                                }
                            }
                        },
                    ]
                }
            ),
            "responses": {**_ok("Angelegt", SHIFT, 201), **_errors(400, 401, 403, 404, 415, 422)},
        },
    },
    "/shifts/{shift_id}": {
        "parameters": [SHIFT_ID],
        "get": {"summary": "Eine Schicht", "responses": {**_ok("Schicht", SHIFT), **_errors(401, 404)}},
        "patch": {
            "summary": "Schicht ändern oder veröffentlichen (status: published); nur Koordination",
            "requestBody": _json_body({"$ref": "#/components/schemas/ShiftInput"}),
            "responses": {**_ok("Geändert", SHIFT), **_errors(400, 401, 403, 404, 415, 422)},
        },
        "delete": {
            "summary": "Schicht absagen; Anmeldungen bleiben sichtbar. Nur Koordination",
            "parameters": [_query("reason", "Grund der Absage (oder im JSON-Inhalt)")],
            "requestBody": _json_body({"type": "object", "properties": {"reason": {"type": "string"}}}, required=False),
            "responses": {**_ok("Abgesagt", SHIFT), **_errors(400, 401, 403, 404, 422)},
        },
    },
    "/shifts/{shift_id}/signup": {
        "parameters": [SHIFT_ID],
        "post": {
            "summary": "Für die Schicht anmelden: bestätigt, solange Plätze frei sind, sonst Warteliste",
            "responses": {**_ok("Angemeldet", SIGNUP, 201), **_errors(401, 404, 409)},
        },
        "delete": {
            "summary": "Eigene Anmeldung stornieren („Ich kann nicht“); der erste auf der Warteliste rückt nach. "
            "Nach der Absagefrist gilt sie als kurzfristig; bei abgesagter Schicht 409 shift_cancelled",
            "requestBody": _json_body(
                {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 300}}}, required=False
            ),
            "responses": {**_ok("Storniert", SIGNUP), **_errors(401, 404, 409, 415, 422)},
        },
    },
    "/shifts/{shift_id}/messages": {
        "parameters": [SHIFT_ID],
        "post": {
            "summary": "Nachricht an alle Bestätigten der Schicht (und die Warteliste), per Push oder E-Mail, wie "
            "jede Person es gewählt hat; nur Koordination. 400 not_published, ended oder text_required; "
            "429 rate_limited (höchstens 5 je Stunde und Schicht)",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "maxLength": 500},
                        "include_waitlist": {"type": "boolean", "default": False},
                    },
                }
            ),
            "responses": {
                **_ok("Verschickt", {"type": "object", "properties": {"recipients": {"type": "integer"}}}, 201),
                **_errors(400, 401, 403, 404, 415, 422, 429),
            },
        },
    },
    "/shifts/{shift_id}/walk-ins": {
        "parameters": [SHIFT_ID],
        "post": {
            "summary": "„Spontan da gewesen“: eine Ehrenamtliche des Zentrums war ohne Anmeldung da. Legt eine "
            "anwesende Anmeldung und den Stundeneintrag für die Zeit der Schicht an (wartet auf Freigabe); "
            "ist die Schicht voll, steigt die Höchstzahl. Erst ab Beginn der Schicht, nicht in einem "
            "abgeschlossenen Zeitraum; nur Koordination",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["volunteer_id"],
                    "properties": {"volunteer_id": {"type": "integer", "minimum": 1}},
                }
            ),
            "responses": {
                **_ok(
                    "Erfasst",
                    {
                        "type": "object",
                        "properties": {
                            "signup": SIGNUP,
                            "hours_entry": {"$ref": "#/components/schemas/HoursEntry"},
                            "raised_capacity": {"type": "boolean"},
                            "capacity": {"type": "integer"},
                        },
                    },
                    201,
                ),
                **_errors(400, 401, 403, 404, 409, 415, 422),
            },
        },
    },
    "/me/shifts": {
        "get": {
            "summary": "Eigene Anmeldungen mit ihren Schichten",
            "parameters": [
                _query(
                    "when",
                    "upcoming (Standard) oder past",
                    {"type": "string", "enum": ["upcoming", "past"], "default": "upcoming"},
                )
            ],
            "responses": {**_ok("Liste", _list_of("#/components/schemas/Signup")), **_errors(401, 422)},
        }
    },
    "/centres/{slug}/grants": {
        "parameters": [CENTRE_SLUG],
        "get": {
            "summary": "Förderungen des Zentrums, neuestes Jahr zuerst (KI-Leitung, Betrieb)",
            "responses": {**_ok("Liste", _list_of("#/components/schemas/Grant")), **_errors(401, 403, 404)},
        },
    },
    "/centres/{slug}/grants/{year}": {
        "parameters": [CENTRE_SLUG, {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "put": {
            "summary": "Förderung des Jahres eintragen oder ändern (KI-Leitung, Betrieb); steht im Änderungsprotokoll",
            "requestBody": _json_body({"$ref": "#/components/schemas/GrantInput"}),
            "responses": {
                **_ok("Eingetragen", {"$ref": "#/components/schemas/Grant"}, 201),
                **_ok("Geändert", {"$ref": "#/components/schemas/Grant"}),
                **_errors(400, 401, 403, 404, 415, 422),
            },
        },
    },
    # task handover: "Ich kann nicht – wer übernimmt?"
    "/shifts/{shift_id}/handover": {
        "parameters": [SHIFT_ID],
        "post": {
            "summary": "Die eigene sichere Schicht zur Übernahme anbieten (bis zur Absagefrist); wer sie übernehmen "
            "kann, wird benachrichtigt. 422-Codes: not_signed_up, not_confirmed, past_cutoff, already_offered, started",
            "responses": {**_ok("Angeboten", HANDOVER, 201), **_errors(401, 404, 422)},
        },
    },
    "/handovers": {
        "get": {
            "summary": "Offene Übernahme-Angebote, die der oder die Aufrufende jetzt übernehmen kann",
            "responses": {**_ok("Liste", _list_of("#/components/schemas/Handover")), **_errors(401)},
        },
    },
    "/handovers/{offer_id}": {
        "parameters": [OFFER_ID],
        "delete": {
            "summary": "Das eigene Angebot zurückziehen, solange niemand übernommen hat",
            "responses": {**_ok("Zurückgezogen", HANDOVER), **_errors(401, 403, 404, 422)},
        },
    },
    "/handovers/{offer_id}/accept": {
        "parameters": [OFFER_ID],
        "post": {
            "summary": "Übernehmen: wer zuerst kommt, bekommt den Platz (201, die neue Anmeldung); braucht das Zentrum "
            "eine Bestätigung, wartet das Angebot auf die Koordination (202). 422-Codes: taken, lapsed, withdrawn, "
            "own_offer, overlap, not_member, certificate_required, language_missing, absent, already_signed_up",
            "responses": {
                **_ok("Übernommen", SIGNUP, 201),
                **_ok("Wartet auf die Bestätigung der Koordination", HANDOVER, 202),
                **_errors(401, 404, 422),
            },
        },
    },
    "/handovers/{offer_id}/approve": {
        "parameters": [OFFER_ID],
        "post": {
            "summary": "Übernahme bestätigen (Koordination): der Platz geht an die wartende Person",
            "responses": {**_ok("Übernommen", SIGNUP), **_errors(401, 403, 404, 422)},
        },
    },
    "/handovers/{offer_id}/decline": {
        "parameters": [OFFER_ID],
        "post": {
            "summary": "Übernahme ablehnen (Koordination): das Angebot steht wieder offen",
            "responses": {**_ok("Abgelehnt", HANDOVER), **_errors(401, 403, 404, 422)},
        },
    },
    # availability: weekly windows, absences, who could cover a shift, personal invitations
    "/me/availability": {
        "get": {
            "summary": "Wann ich helfen kann: Zeitfenster je Wochentag und Abwesenheiten",
            "responses": {**_ok("Angaben", AVAILABILITY), **_errors(401)},
        },
        "put": {
            "summary": "Zeitfenster und Abwesenheiten ersetzen (höchstens 28 und 50)",
            "requestBody": _json_body(AVAILABILITY),
            "responses": {**_ok("Gespeichert", AVAILABILITY), **_errors(401, 415, 422)},
        },
    },
    "/shifts/{shift_id}/candidates": {
        "parameters": [SHIFT_ID],
        "get": {
            "summary": "Wer die Schicht übernehmen könnte, am besten Passende zuerst, mit Gründen (Koordination)",
            "responses": {**_ok("Liste", _list_of("#/components/schemas/Candidate")), **_errors(401, 403, 404)},
        },
    },
    "/shifts/{shift_id}/invitations": {
        "parameters": [SHIFT_ID],
        "post": {
            "summary": "Eine Person persönlich anfragen (Koordination); sie bekommt eine Nachricht",
            "requestBody": _json_body(
                {"type": "object", "required": ["volunteer_id"], "properties": {"volunteer_id": {"type": "integer"}}}
            ),
            "responses": {**_ok("Angefragt", INVITATION, 201), **_errors(401, 403, 404, 409, 415, 422)},
        },
    },
    "/invitations/{invitation_id}/accept": {
        "parameters": [INVITATION_ID],
        "post": {
            "summary": "Anfrage annehmen: eingetragen, auf der Warteliste, wenn die Schicht inzwischen voll ist",
            "requestBody": ANSWER_TOKEN,
            "responses": {**_ok("Angenommen", INVITATION), **_errors(401, 403, 404, 409, 415, 422)},
        },
    },
    "/invitations/{invitation_id}/decline": {
        "parameters": [INVITATION_ID],
        "post": {
            "summary": "Anfrage ablehnen",
            "requestBody": ANSWER_TOKEN,
            "responses": {**_ok("Abgelehnt", INVITATION), **_errors(401, 403, 404, 409, 415, 422)},
        },
    },
    # engagement: the certificate of engagement, the progress toward the Ehrenamtskarte NRW
    "/me/certificate": {
        "get": {
            "summary": "Ehrenamtsnachweis als PDF, mit Prüfcode (Header X-Verification-Code) für /verify/<code>; "
            "derselbe Zeitraum mit denselben Stunden gibt denselben Code",
            "parameters": [
                _query("from", "JJJJ-MM-TT, erster Tag; Standard: vor zwölf Monaten", DAY),
                _query("to", "JJJJ-MM-TT, letzter Tag (einschließlich), nicht in der Zukunft; Standard: heute", DAY),
                _query("centre", "Slug des Zentrums; nur nötig, wer in mehreren Zentren mitmacht"),
            ],
            "responses": {
                "200": {
                    "description": "PDF (Content-Disposition: attachment)",
                    "headers": {"X-Verification-Code": {"schema": {"type": "string"}}},
                    "content": {"application/pdf": {"schema": FILE}},
                },
                **_errors(401, 422),
            },
        }
    },
    "/me/engagement": {
        "get": {
            "summary": "Je Zentrum: Stunden der letzten zwölf Monate, Wochenschnitt, Jahre dabei und ob die "
            "Voraussetzungen der Ehrenamtskarte NRW (Einstellungen des Zentrums) erfüllt sind",
            "responses": {**_ok("Liste", ENGAGEMENT_LIST), **_errors(401)},
        }
    },
    "/openapi.json": {"get": {"summary": "Diese Beschreibung", "security": [], "responses": _ok("OpenAPI 3.0")}},
    "/reports/centre/{slug}": _report(
        "Bericht eines Zentrums (Koordination und Leitung des Zentrums, Land)", "CentreReport", [CENTRE_SLUG]
    ),
    "/reports/state": _report("Landesbericht: Summen je Regierungsbezirk und NRW (nur Land)", "StateReport", []),
}


METHODS = ("get", "put", "post", "patch", "delete")


def _refusals_of_any_request(paths: dict) -> dict:
    """Every operation may refuse a request whose text it cannot take (400: control characters,
    malformed JSON) and, with a body, one that is too large (413)."""
    for item in paths.values():
        page = "servers" in item  # outside /api/v1: the error format or a page
        for method in METHODS:
            if operation := item.get(method):
                refusals = (_errors_for_pages if page else _errors)(400, 413) if "requestBody" in operation else None
                refusals = refusals or (_errors_for_pages if page else _errors)(400)
                operation["responses"] = {**refusals, **operation["responses"]}
    return paths


PATHS = _refusals_of_any_request(PATHS)


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Treffpunkt API",
            "version": "1",
            "description": "JSON-API für die PWA, native Apps und Integrationen. Fehler haben immer "
            'die Form {"error": {"code", "message"}}. Mit Sitzungs-Cookie braucht '
            "jede ändernde Anfrage den Header X-CSRFToken.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "paths": PATHS,
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())

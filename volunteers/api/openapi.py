"""The API's description, GET /api/v1/openapi.json. A test checks that every route is in it."""
from flask import jsonify

from . import bp

ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*statuses: int) -> dict:
    return {str(status): {"description": "Fehler", "content": {"application/json": {"schema": ERROR}}}
            for status in statuses}


def _ok(description: str, schema: dict | None = None, status: int = 200) -> dict:
    response = {"description": description}
    if schema:
        response["content"] = {"application/json": {"schema": schema}}
    return {str(status): response}


def _list_of(ref: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "field": {"type": "string"}}}}},
    "MeetingPoint": {"type": "object", "properties": {
        "slug": {"type": "string"}, "name": {"type": "string"}, "centre": {"type": "string"},
        "municipality": {"type": "string"}, "address": {"type": "string"},
        "latitude": {"type": "number", "nullable": True}, "longitude": {"type": "number", "nullable": True},
        "languages": {"type": "array", "items": {"type": "string"}}, "opening_notes": {"type": "string"},
        "calendar_url": {"type": "string", "format": "uri"}}},
    "Me": {"type": "object", "properties": {
        "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
        "phone": {"type": "string"}, "locale": {"type": "string", "nullable": True},
        "roles": {"type": "array", "items": {"type": "string"}},
        "global_role": {"type": "string", "nullable": True},
        "centres": {"type": "array", "items": {"type": "object", "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}}}},
        "calendar_feed_url": {"type": "string", "nullable": True}}},
}

PATHS = {
    "/auth/token": {
        "post": {"summary": "Bearer-Token mit E-Mail und Passwort holen", "security": [],
                 "requestBody": _json_body({"type": "object", "required": ["email", "password"], "properties": {
                     "email": {"type": "string"}, "password": {"type": "string"}, "label": {"type": "string"}}}),
                 "responses": {**_ok("Token", {"type": "object", "properties": {
                     "token": {"type": "string"}, "token_type": {"type": "string"}}}, 201),
                     **_errors(400, 401, 415, 422, 429)}},
        "delete": {"summary": "Das verwendete Bearer-Token widerrufen",
                   "responses": {"204": {"description": "widerrufen"}, **_errors(400, 401)}},
    },
    "/me": {"get": {"summary": "Eigenes Profil, Rollen, Zentren, Kalender-Abo",
                    "responses": {**_ok("Profil", {"$ref": "#/components/schemas/Me"}), **_errors(401)}}},
    "/meeting-points": {"get": {
        "summary": "Ankommenstreffpunkte (öffentlich)", "security": [],
        "parameters": [{"name": "centre", "in": "query", "schema": {"type": "string"}}],
        "responses": _ok("Liste", _list_of("#/components/schemas/MeetingPoint"))}},
    "/openapi.json": {"get": {"summary": "Diese Beschreibung", "security": [],
                              "responses": _ok("OpenAPI 3.0")}},
}


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Treffpunkt API", "version": "1",
                 "description": "JSON-API für die PWA, native Apps und Integrationen. Fehler haben immer "
                                "die Form {\"error\": {\"code\", \"message\"}}. Mit Sitzungs-Cookie braucht "
                                "jede ändernde Anfrage den Header X-CSRFToken."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "paths": PATHS,
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())

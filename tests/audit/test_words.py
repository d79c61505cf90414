"""The audit trail in words: every action the code records has a sentence, each family reads right
in German and with the reader's dates in another language, and nothing shows a code or an ISO date."""

import ast
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import clock_frozen_at
from volunteers.audit.models import AuditEvent
from volunteers.audit.services import record
from volunteers.audit.words import DESCRIPTIONS, describe_event, describe_events
from volunteers.core import time
from volunteers.extensions import db
from volunteers.grants.services import GrantValues, set_grant
from volunteers.hours.periods import create_period
from volunteers.hours.services import HoursInput, approve, edit_entry, log_hours, reject
from volunteers.shifts.planning import cancel_shift

ROOT = Path(__file__).resolve().parents[2]
frozen_clock = clock_frozen_at(time.berlin_local(datetime(2026, 11, 20, 10, 0)))
WORK_DAY = date(2026, 11, 18)
# Where record() gets its action from a variable, the values that variable takes.
ACTIONS_OF_VARIABLES = {("volunteers/hours/services.py", "status"): {"approved", "rejected"}}


# --- every recorded action has a sentence ------------------------------------------------------


def _module_constants(tree: ast.Module) -> dict[str, str]:
    constants = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = zip(target.elts, node.value.elts, strict=False)
            for name, value in pairs:
                if isinstance(name, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    constants[name.id] = value.value
    return constants


def _values(node, constants, path: str) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _values(node.body, constants, path), _values(node.orelse, constants, path)
        return body | orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.Name):
        if node.id in constants:
            return {constants[node.id]}
        return ACTIONS_OF_VARIABLES.get((path, node.id))
    return None


def recorded_actions() -> tuple[set[tuple[str, str]], list[str]]:
    """(entity, action) of every audit record() call in volunteers/, and the calls not understood."""
    found, unknown = set(), []
    for file in sorted((ROOT / "volunteers").rglob("*.py")):
        path = str(file.relative_to(ROOT))
        tree = ast.parse(file.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record"
            ):
                continue
            arguments = {keyword.arg: keyword.value for keyword in node.keywords}
            if "entity" not in arguments or "action" not in arguments:
                continue
            entities = _values(arguments["entity"], constants, path)
            actions = _values(arguments["action"], constants, path)
            if entities is None or actions is None:
                unknown.append(f"{path}:{node.lineno}")
                continue
            found |= {(entity, action) for entity in entities for action in actions}
    return found, unknown


def test_every_recorded_action_has_a_sentence():
    found, unknown = recorded_actions()
    assert unknown == [], f"record() calls whose entity or action this test cannot read: {unknown}"
    assert {("hours_entry", "approved"), ("report_period", "closed"), ("grant", "updated")} <= found
    missing = sorted(found - DESCRIPTIONS.keys())
    assert missing == [], f"add a sentence to volunteers/audit/words.py DESCRIPTIONS for {missing}"


# --- the sentences, family by family ------------------------------------------------------------


@pytest.fixture
def kreuztal(make_centre, make_meeting_point, make_user):
    centre = make_centre("kreuztal")
    return {
        "centre": centre,
        "place": make_meeting_point(centre, name="Bürgerhaus Kreuztal"),
        "anna": make_user("volunteer", centre, name="Anna Müller"),
        "coordinator": make_user("coordinator", centre, name="Clara Koordination"),
        "lead": make_user("lead", centre, name="Lars Leitung"),
    }


def events_of(centre) -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.centre_id == centre.id).order_by(AuditEvent.id))
    )


def hours(kreuztal, minutes: int = 90):
    entry, _created = log_hours(
        centre=kreuztal["centre"],
        person=kreuztal["anna"],
        values=HoursInput(work_date=WORK_DAY, minutes=minutes, activity="sprachcafe"),
    )
    return entry


@pytest.mark.parametrize(
    ("locale", "day"),
    [("de", "18. November 2026"), ("en", "November 18, 2026"), ("uk", "18 листопада 2026\u202fр.")],
)
def test_hours_events_name_the_person_and_the_day(app, kreuztal, locale, day):
    approved, rejected, edited = hours(kreuztal), hours(kreuztal, 30), hours(kreuztal, 45)
    approve(entry=approved, by=kreuztal["coordinator"])
    reject(entry=rejected, by=kreuztal["coordinator"], reason="doppelt")
    values = HoursInput(work_date=WORK_DAY, minutes=60, activity="sprachcafe")
    edit_entry(entry=edited, values=values, by=kreuztal["coordinator"], reason="Pause")
    db.session.commit()
    with app.test_request_context():
        sentences = [describe_event(event, locale) for event in events_of(kreuztal["centre"])]
    assert len(sentences) == 6
    assert all("Anna Müller" in sentence and day in sentence for sentence in sentences), sentences
    assert all("2026-11-18" not in sentence and "hours_entry" not in sentence for sentence in sentences)
    if locale == "de":
        assert sentences[0] == "Stunden von Anna Müller für 18. November 2026 eingetragen"
        assert sentences[3] == "Stunden von Anna Müller für 18. November 2026 freigegeben"
        assert sentences[4] == "Stunden von Anna Müller für 18. November 2026 abgelehnt"
        assert sentences[5] == "Stunden von Anna Müller für 18. November 2026 geändert"


def test_a_correction_names_the_corrected_day(app, kreuztal):
    original, correction = hours(kreuztal), hours(kreuztal, 15)
    event = record(
        centre_id=kreuztal["centre"].id,
        actor=kreuztal["lead"],
        entity="hours_entry",
        entity_id=correction.id,
        action="corrected",
        before=original.snapshot(),
        after={**correction.snapshot(), "work_date": "2026-11-19"},
    )
    db.session.commit()
    with app.test_request_context():
        assert describe_event(event, "de") == "Korrektur der Stunden von Anna Müller für 18. November 2026 gebucht"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de", ["November 2026", "1. November 2026", "30. November 2026"]),
        ("en", ["November 2026", "November 1, 2026", "November 30, 2026"]),
    ],
)
def test_report_period_events_say_its_name_and_days(app, kreuztal, locale, expected):
    create_period(
        centre=kreuztal["centre"], label="November 2026", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)
    )
    closed = record(
        centre_id=kreuztal["centre"].id,
        actor=kreuztal["lead"],
        entity="report_period",
        entity_id=1,
        action="closed",
        after={"label": "November 2026", "starts_on": "2026-11-01", "ends_on": "2026-11-30", "checksum": "x"},
    )
    db.session.commit()
    with app.test_request_context():
        created, closed = (describe_event(event, locale) for event in events_of(kreuztal["centre"]))
    assert all(part in created for part in expected), created
    assert "report_period" not in created + closed and "2026-11-01" not in created
    if locale == "de":
        assert closed == "Berichtszeitraum November 2026 abgeschlossen"


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_grant_events_say_the_year(app, kreuztal, locale):
    values = GrantValues(amount_eur=Decimal("223000"), valuation_rate_eur=Decimal("15"))
    set_grant(centre=kreuztal["centre"], year=2026, values=values, by=kreuztal["lead"])
    set_grant(
        centre=kreuztal["centre"], year=2026, values=GrantValues(Decimal("230000"), Decimal("15")), by=kreuztal["lead"]
    )
    db.session.commit()
    with app.test_request_context():
        created, updated = (describe_event(event, locale) for event in events_of(kreuztal["centre"]))
    assert "2026" in created and "2026" in updated and created != updated
    if locale == "de":
        assert (created, updated) == ("Förderung für 2026 eingetragen", "Förderung für 2026 geändert")


@pytest.mark.parametrize(("locale", "day"), [("de", "3. Dezember 2026"), ("en", "December 3, 2026")])
def test_shift_events_name_activity_and_day(app, kreuztal, make_shift, make_user, locale, day):
    shift = make_shift(kreuztal["place"], starts=time.berlin_local(datetime(2026, 12, 3, 16, 0)), activity="sonstiges")
    record(
        centre_id=shift.centre_id,
        actor=kreuztal["coordinator"],
        entity="shift",
        entity_id=shift.id,
        action="message_sent",
        after={"text": "Bitte pünktlich", "include_waitlist": False, "recipients": 1},
    )
    record(
        centre_id=shift.centre_id,
        actor=kreuztal["coordinator"],
        entity="shift",
        entity_id=shift.id,
        action="message_sent",
        after={"text": "Danke", "include_waitlist": True, "recipients": 3},
    )
    cancel_shift(shift=shift, reason="Raum belegt")
    record(
        centre_id=shift.centre_id, actor=kreuztal["coordinator"], entity="shift", entity_id=shift.id, action="cancelled"
    )
    record(
        centre_id=shift.centre_id,
        actor=kreuztal["coordinator"],
        entity="signup",
        entity_id=1,
        action="walk_in",
        after={"shift_id": shift.id, "user_id": kreuztal["anna"].id, "hours_entry_id": 1, "raised_capacity": False},
    )
    db.session.commit()
    with app.test_request_context():
        sentences = [describe_event(event, locale) for event in events_of(kreuztal["centre"])]
    assert all(day in sentence for sentence in sentences), sentences
    assert "Anna Müller" in sentences[3]
    if locale == "de":
        assert sentences == [
            "Nachricht zur Schicht „Sonstiges“ am 3. Dezember 2026 an 1 Person geschickt",
            "Nachricht zur Schicht „Sonstiges“ am 3. Dezember 2026 an 3 Personen geschickt",
            "Schicht „Sonstiges“ am 3. Dezember 2026 abgesagt",
            "Anna Müller spontan in der Schicht „Sonstiges“ am 3. Dezember 2026 eingetragen",
        ]


@pytest.mark.parametrize(
    ("locale", "rows", "expected"),
    [
        ("de", 1, "Liste der Ehrenamtlichen heruntergeladen (1 Person)"),
        ("de", 12, "Liste der Ehrenamtlichen heruntergeladen (12 Personen)"),
        ("en", 12, "12"),
    ],
)
def test_a_volunteer_export_says_how_many_people(app, kreuztal, locale, rows, expected):
    centre = kreuztal["centre"]
    event = record(
        centre_id=centre.id,
        actor=kreuztal["coordinator"],
        entity="centre",
        entity_id=centre.id,
        action="volunteers_exported",
        after={"filter": {}, "rows": rows},
    )
    db.session.commit()
    with app.test_request_context():
        sentence = describe_event(event, locale)
    assert expected in sentence and "volunteers_exported" not in sentence
    if locale == "de":
        assert sentence == expected


def test_unknown_actions_and_vanished_rows_still_read_as_sentences(app, kreuztal, make_centre, make_user):
    stranger = make_user("volunteer", make_centre(), name="Fremde Person")
    other_entry, _created = log_hours(
        centre=stranger.memberships[0].centre,
        person=stranger,
        values=HoursInput(work_date=WORK_DAY, minutes=30, activity="sprachcafe"),
    )
    centre_id = kreuztal["centre"].id
    events = [
        record(centre_id=centre_id, actor=None, entity="shift", entity_id=999, action="archived"),
        record(centre_id=centre_id, actor=None, entity="something_new", entity_id=1, action="frobbed"),
        record(centre_id=centre_id, actor=None, entity="shift", entity_id=999, action="cancelled"),
        # An id of another centre's entry: its person is not named here.
        record(
            centre_id=centre_id,
            actor=None,
            entity="hours_entry",
            entity_id=other_entry.id,
            action="approved",
            after={"work_date": "2026-11-18"},
        ),
    ]
    db.session.commit()
    with app.test_request_context():
        sentences = describe_events(events, "de")
    assert [sentences[event.id] for event in events] == [
        "Änderung an einer Schicht",
        "Änderung an einem Eintrag",
        "Schicht Nr. 999 (gelöscht) abgesagt",
        "Stunden von einer gelöschten Person für 18. November 2026 freigegeben",
    ]


def test_audit_page_shows_sentences_not_codes(client, login, kreuztal):
    approve(entry=hours(kreuztal), by=kreuztal["coordinator"])
    create_period(
        centre=kreuztal["centre"], label="November 2026", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)
    )
    db.session.commit()
    login(user=kreuztal["lead"])
    page = client.get("/centres/kreuztal/audit").get_data(as_text=True)
    assert "Stunden von Anna Müller für 18. November 2026 freigegeben" in page
    assert "Berichtszeitraum November 2026 angelegt (1. November 2026 bis 30. November 2026)" in page
    assert "report_period #" not in page and "hours_entry" not in page


def test_audit_page_of_another_centre_stays_closed(client, login, kreuztal, make_centre):
    approve(entry=hours(kreuztal), by=kreuztal["coordinator"])
    db.session.commit()
    login("lead", make_centre())
    response = client.get("/centres/kreuztal/audit")
    assert response.status_code in (403, 404)
    assert "Anna Müller" not in response.get_data(as_text=True)


def test_a_page_of_sentences_costs_a_few_queries(app, kreuztal):
    for n in range(10):
        approve(entry=hours(kreuztal, 10 + n), by=kreuztal["coordinator"])
    db.session.commit()
    centre_id = kreuztal["centre"].id
    db.session.expunge_all()  # nothing the events name is in the session yet
    events = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.centre_id == centre_id)))
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            sentences = describe_events(events, "de")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(sentences) == 20 and all("Anna Müller" in sentence for sentence in sentences.values())
    assert len(statements) <= 4, statements  # entries with their people, shifts, people; not one per event

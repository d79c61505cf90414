"""One commit per request (core/transactions.py): after a view that succeeded, never after an
error, and a commit that fails ends on the error page with nothing of the request left behind."""

import pytest
import sqlalchemy as sa
from flask import has_request_context

from tests.helpers import post_form
from tests.mail.mailbox import deliver_mails
from volunteers.accounts.models import User
from volunteers.centres.models import Centre
from volunteers.core.errors import DomainError
from volunteers.core.transactions import after_commit, commit_despite_error
from volunteers.extensions import db

# The tests add routes of their own.
pytestmark = pytest.mark.fresh_app


def renaming_view(app, centre_id: int, answer):
    """A test route that renames the centre and then does `answer()`."""

    @app.post("/test/rename")
    def rename():
        db.session.get(Centre, centre_id).name = "Nachher"
        return answer()


def name_of(centre_id: int) -> str:
    return db.session.scalar(sa.select(Centre.name).where(Centre.id == centre_id))


def fail_commits_in_requests(monkeypatch) -> None:
    """From now on every commit of a request fails, as when the database goes away at that moment."""
    real_commit = sa.orm.Session.commit

    def commit(session):
        if has_request_context():
            raise sa.exc.OperationalError("COMMIT", {}, Exception("the database went away"))
        real_commit(session)

    monkeypatch.setattr(sa.orm.Session, "commit", commit)


def _raise_domain_error():
    raise DomainError("Geht nicht.", code="refused")


@pytest.mark.parametrize(
    "answer, kept",
    [
        (lambda: ("", 200), True),
        (lambda: ("", 302, {"Location": "/"}), True),
        (lambda: ("", 422), False),
        (_raise_domain_error, False),
    ],
    ids=["success", "redirect", "error answer", "domain error"],
)
def test_a_writing_request_commits_only_after_its_view_succeeded(app, client, make_centre, answer, kept):
    centre_id = make_centre(name="Vorher").id
    renaming_view(app, centre_id, answer)
    post_form(client, "/test/rename")
    assert name_of(centre_id) == ("Nachher" if kept else "Vorher")


def test_a_request_may_keep_its_changes_although_it_answers_with_an_error(app, client, make_centre):
    centre_id = make_centre(name="Vorher").id

    def refuse_but_keep():
        commit_despite_error()
        return "", 401

    renaming_view(app, centre_id, refuse_but_keep)
    assert post_form(client, "/test/rename").status_code == 401
    assert name_of(centre_id) == "Nachher"


def test_after_commit_runs_after_the_commit_and_not_after_a_rollback(app, client, make_centre):
    centre_id = make_centre(name="Vorher").id
    seen = []

    def answer():
        after_commit(lambda: seen.append(name_of(centre_id)))
        return "", 200 if not seen else 422

    renaming_view(app, centre_id, answer)
    post_form(client, "/test/rename")
    post_form(client, "/test/rename")
    assert seen == ["Nachher"]


def test_a_failing_commit_shows_the_error_page_and_leaves_nothing_behind(app, client, login, make_centre, monkeypatch):
    centre = make_centre()
    login("lead", centre)
    fail_commits_in_requests(monkeypatch)

    response = post_form(
        client,
        f"/centres/{centre.slug}/staff",
        {"name": "Neue Kollegin", "email": "neu@ki.example", "role": "coordinator"},
    )
    assert response.status_code == 503  # the database went away: try again (core/error_pages.py)
    monkeypatch.undo()
    assert db.session.scalar(sa.select(User).where(User.email == "neu@ki.example")) is None
    assert deliver_mails(app) == [], "an invitation to an account that does not exist"
    for page in (response, client.get(f"/centres/{centre.slug}/staff")):
        assert "gehört jetzt zum Team" not in page.get_data(as_text=True)


@pytest.mark.parametrize("how", ["flushed", "left pending", "bulk update"])
def test_a_read_that_wrote_after_all_is_rolled_back(app, client, make_centre, how):
    """Reads end with a COMMIT where they wrote nothing (core/transactions._end_read), never
    with one that would keep a write."""
    centre_id = make_centre(name="Vorher").id

    @app.get("/test/rename-on-read")
    def rename_on_read():
        if how == "bulk update":
            db.session.execute(sa.update(Centre).where(Centre.id == centre_id).values(name="Nachher"))
        else:
            db.session.get(Centre, centre_id).name = "Nachher"
            if how == "flushed":
                db.session.flush()
        return ""

    assert client.get("/test/rename-on-read").status_code == 200
    assert name_of(centre_id) == "Vorher"


@pytest.mark.database("postgresql")
def test_reads_keep_the_statements_psycopg_prepared_on_their_connection(app, client, make_centre):
    """psycopg prepares a statement at its fifth run on a connection and forgets all at a
    ROLLBACK: the reads' COMMIT lets a page's statements be parsed and planned only once."""
    make_centre(name="Vorbereitet")
    query = sa.select(Centre.name).where(Centre.name == sa.bindparam("name"))

    @app.get("/test/prepared")
    def prepared():
        db.session.execute(query, {"name": "Vorbereitet"}).all()
        shown = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT centres.name%FROM centres%'"
        return str(db.session.scalar(sa.text(shown)))

    # Twelve runs: at least five on one connection, should the pool take turns with two.
    answers = [client.get("/test/prepared").get_data(as_text=True) for _ in range(12)]
    assert "1" in answers, f"never prepared: {answers}"

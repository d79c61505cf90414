"""A restore from a backup made before a deletion must not bring the person back: `flask restore`
deletes again every account the erasure ledger lists (outside the database, kept through the
restore), on both databases; the neighbour and everything restored with them stay."""

from datetime import timedelta

import sqlalchemy as sa

from tests.privacy.test_erasure import EMAIL, NAME, NEIGHBOUR_EMAIL, PHONE, delete_through_the_api, person_and_neighbour
from volunteers.accounts.models import User
from volunteers.core import time
from volunteers.extensions import db
from volunteers.privacy.erasures import erased_ids, ledger_path


def run(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def person_row() -> dict:
    with db.engine.connect() as connection:
        row = connection.execute(sa.select(User.__table__).where(User.email.in_([EMAIL]))).mappings().first()
    return dict(row) if row else {}


def test_a_restore_from_before_a_deletion_deletes_the_person_again(app, client, tmp_path):
    world = person_and_neighbour(client)
    backup = tmp_path / "treffpunkt.backup"
    assert run(app, "backup", backup).exit_code == 0
    delete_through_the_api(client, world)
    assert list(erased_ids()) == [world.person.id]
    assert "\t" in ledger_path().read_text() and EMAIL not in ledger_path().read_text()

    restored = run(app, "restore", "--yes", backup)

    assert restored.exit_code == 0, restored.output
    assert "Seit der Sicherung gelöschte Konten erneut gelöscht: 1" in restored.output
    db.session.expire_all()
    assert person_row() == {}  # no row holds the address any more
    person = db.session.get(User, world.person.id)
    assert person.deleted_at is not None and (person.name, person.phone) != (NAME, PHONE)
    neighbour = db.session.scalar(sa.select(User).where(User.email == NEIGHBOUR_EMAIL))
    assert neighbour is not None and neighbour.deleted_at is None
    again = run(app, "privacy", "reapply-erasures")
    assert again.exit_code == 0 and "0 gelöschte Konten erneut gelöscht" in again.output


def test_a_restore_without_deletions_since_changes_nobody(app, client, tmp_path):
    person_and_neighbour(client)
    backup = tmp_path / "treffpunkt.backup"
    assert run(app, "backup", backup).exit_code == 0
    restored = run(app, "restore", "--yes", backup)
    assert restored.exit_code == 0, restored.output
    assert "erneut gelöscht: 0" in restored.output
    assert person_row()["name"] == NAME


def test_an_id_given_anew_after_the_deletion_is_left_alone(app, client):
    world = person_and_neighbour(client)
    ledger_path().parent.mkdir(parents=True, exist_ok=True)
    deleted_before_it_was_made = world.person.created_at - timedelta(days=1)
    ledger_path().write_text(f"{world.person.id}\t{deleted_before_it_was_made.isoformat()}\nnot a line\n")
    with time.travel(time.now() + timedelta(minutes=1)):
        result = run(app, "privacy", "reapply-erasures")
    assert result.exit_code == 0 and "0 gelöschte Konten" in result.output
    assert person_row()["name"] == NAME

"""`flask db upgrade` builds the whole schema from an empty database, on SQLite and PostgreSQL,
and the migrations match the models exactly (no forgotten migration), triggers and functions
included: those are SQL of the code's own (reports/rollups.py), which autogenerate cannot see,
and the migrations carry them frozen (migrations/frozen/)."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import PG_URL
from volunteers import create_app
from volunteers.extensions import db


def empty_database(kind: str, tmp_path, purpose: str = "migrations") -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / f'{purpose}.sqlite'}"
    url = sa.make_url(PG_URL)
    name = f"{url.database}_{purpose}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "kind",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[pytest.mark.postgresql, pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")],
        ),
    ],
)
def test_upgrade_from_empty_matches_the_models(kind, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database(kind, tmp_path), "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            migrated = triggers_and_functions(connection)
        assert differences == []
        assert migrated == triggers_and_functions_of_the_models(kind, tmp_path), (
            "the code's trigger SQL changed: add a migration with the new SQL frozen in migrations/frozen/"
        )
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        with db.engine.connect() as connection:
            assert triggers_and_functions(connection) == {}
        db.engine.dispose()


def triggers_and_functions(connection) -> dict[str, str]:
    """Each trigger's and function's definition, as the database gives it back."""
    if connection.dialect.name == "sqlite":
        return dict(connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())
    triggers = connection.execute(
        sa.text("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal")
    ).all()
    functions = connection.execute(
        sa.text(
            "SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p"
            " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        )
    ).all()
    return dict(triggers) | dict(functions)


def triggers_and_functions_of_the_models(kind: str, tmp_path) -> dict[str, str]:
    engine = sa.create_engine(empty_database(kind, tmp_path, "models"))
    try:
        db.metadata.create_all(engine)  # with the triggers the code makes (after_create)
        with engine.connect() as connection:
            made = triggers_and_functions(connection)
        assert made, "the models make triggers: the comparison compares something"
        return made
    finally:
        engine.dispose()

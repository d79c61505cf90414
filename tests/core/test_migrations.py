"""`flask db upgrade` builds the whole schema from an empty database, on SQLite and PostgreSQL,
and the migrations match the models exactly (no forgotten migration)."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import PG_URL
from volunteers import create_app
from volunteers.extensions import db


def empty_database(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    url = sa.make_url(PG_URL)
    name = f"{url.database}_migrations"
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
        assert differences == []
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()

from . import database, liveness  # noqa: F401 - engine settings (SQLite) and checks (PostgreSQL) for every engine

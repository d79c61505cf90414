from . import database  # noqa: F401 - SQLite engine settings apply to every engine

"""Backups of the configured database and restores from them (`flask backup`, `flask restore`)."""

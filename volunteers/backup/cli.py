"""`flask --app wsgi backup PATH` and `flask --app wsgi restore PATH`: see docs/deploy.md, Backups."""

from pathlib import Path

import click

from ..core.errors import DomainError
from ..privacy.services import reapply_erasures
from .services import Outcome, back_up_database, restore_database

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("path", type=FILE)
def backup_command(path: Path):
    """Die Datenbank konsistent nach PATH sichern, auch während die App läuft."""
    outcome = _or_fail(back_up_database, path=path)
    click.echo(f"Sicherung geschrieben: {path}")
    _report(outcome)


@click.command("restore")
@click.argument("path", type=FILE)
@click.confirmation_option(prompt="Die Datenbank wird durch die Sicherung ersetzt. Fortfahren?")
def restore_command(path: Path):
    """Die Datenbank durch die Sicherung in PATH ersetzen (App und Worker vorher anhalten)."""
    outcome = _or_fail(restore_database, path=path)
    click.echo(f"Wiederhergestellt aus: {path}")
    _report(outcome)
    # The backup may be older than a deletion: the person must not come back with it.
    click.echo(f"Seit der Sicherung gelöschte Konten erneut gelöscht: {reapply_erasures()}")


def _or_fail(service, **arguments) -> Outcome:
    try:
        return service(**arguments)
    except DomainError as error:
        raise click.ClickException(f"{error.message} ({error.code})") from None


def _report(outcome: Outcome) -> None:
    checked = f", integrity_check: {outcome.integrity}" if outcome.integrity else ""
    click.echo(f"{outcome.database}, {len(outcome.row_counts)} Tabellen{checked}")
    width = max(map(len, outcome.row_counts), default=0)
    for table, count in outcome.row_counts.items():
        click.echo(f"  {table:<{width}}  {count:>8}")
    click.echo(f"  {'zusammen':<{width}}  {sum(outcome.row_counts.values()):>8} Zeilen")

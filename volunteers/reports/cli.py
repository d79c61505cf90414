"""`flask --app wsgi report export --centre SLUG | --state [--from --to --format --output]`: the
report downloads as files, for archives and cron jobs, from the same services and builders."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..centres.models import Centre
from ..core import time
from ..core.errors import DomainError
from ..extensions import db
from .rendering import centre_file, state_file
from .services import centre_report, parse_period, state_report

FORMATS = ("csv", "xlsx", "pdf", "json")

report_cli = AppGroup("report", help="KommAn-Berichte.")


@report_cli.command("export")
@click.option("--centre", "centre_slug", metavar="SLUG", help="Bericht eines Zentrums (Kürzel).")
@click.option("--state", "whole_state", is_flag=True, help="Landesbericht: alle Zentren, nur Summen.")
@click.option("--from", "start", metavar="JJJJ-MM-TT", help="Erster Tag (Vorgabe: 1. Januar dieses Jahres).")
@click.option("--to", "end", metavar="JJJJ-MM-TT", help="Letzter Tag (Vorgabe: heute).")
@click.option("--format", "output", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "--output",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zieldatei (Vorgabe: der Name des Downloads, im aktuellen Verzeichnis).",
)
def export_command(centre_slug, whole_state, start, end, output, path):
    """Einen Bericht als Datei schreiben (CSV, XLSX, PDF oder JSON)."""
    if bool(centre_slug) == whole_state:
        raise click.UsageError("Bitte genau eines angeben: --centre SLUG oder --state.")
    try:
        period = parse_period(start, end, time.to_berlin(time.now()).date())
    except DomainError as error:
        raise click.UsageError(f"{error.message} ({error.code})") from None
    body, name = _centre(centre_slug, period, output) if centre_slug else _state(period, output)
    target = path or Path(f"{name}.{output}")
    target.write_bytes(body)
    click.echo(f"{target} geschrieben ({len(body)} Bytes).")


def _centre(slug: str, period, output: str) -> tuple[bytes, str]:
    centre = db.session.scalar(sa.select(Centre).where(Centre.slug == slug))
    if centre is None:
        raise click.UsageError(f"Kein Zentrum mit dem Kürzel {slug!r}.")
    figures = centre_report(centre, period)
    body = _json(figures) if output == "json" else centre_file(output, centre.name, figures)
    return body, f"kommAn-{centre.slug}-{period.start}-{period.end}"


def _state(period, output: str) -> tuple[bytes, str]:
    figures = state_report(period)
    body = _json(figures) if output == "json" else state_file(output, figures)
    return body, f"kommAn-nrw-{period.start}-{period.end}"


def _json(figures: dict) -> bytes:
    return current_app.json.dumps(figures, indent=2).encode()

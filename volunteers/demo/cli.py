"""`flask --app wsgi seed-demo`: demo data for an empty installation; does nothing twice."""

import click

from ..extensions import db
from .data import DEMO_ACCOUNTS, DEMO_PASSWORD
from .services import is_seeded, seed_demo


@click.command("seed-demo")
def seed_demo_command():
    """Create the demo centres, meeting points and accounts (only if not there yet)."""
    if is_seeded():
        click.echo("Demo data already present; nothing changed.")
    else:
        seed_demo()
        db.session.commit()
        click.echo("Demo data created.")
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        click.echo(
            f"  {account['email']:<42} {account['role']}" + (f" ({account['centre']})" if account.get("centre") else "")
        )

"""`flask --app wsgi privacy inactive` lists, `privacy pseudonymise-inactive` pseudonymises volunteer
accounts without any activity for RETENTION_INACTIVE_DAYS (default two years); `privacy
reapply-erasures` deletes again the accounts a restore brought back (privacy/erasures.py)."""

import click

from ..extensions import db
from .copies import erase_copies
from .services import delete_account, inactive_volunteers, reapply_erasures


@click.group("privacy")
def privacy_group():
    """Retention of personal data."""


@privacy_group.command("inactive")
@click.option("--days", type=int, help="Override RETENTION_INACTIVE_DAYS.")
def list_inactive(days):
    """Count the inactive volunteer accounts (no names are printed)."""
    click.echo(f"{len(inactive_volunteers(days))} inactive volunteer accounts")


@privacy_group.command("pseudonymise-inactive")
@click.option("--days", type=int, help="Override RETENTION_INACTIVE_DAYS.")
@click.option("--yes", is_flag=True, help="Do it; without this flag nothing changes.")
def pseudonymise_inactive(days, yes):
    """Pseudonymise inactive volunteer accounts; their hours stay for the funding figures."""
    users = inactive_volunteers(days)
    if not yes:
        click.echo(f"{len(users)} accounts would be pseudonymised; run again with --yes")
        return
    emails, user_ids = [user.email for user in users], [user.id for user in users]
    for user in users:
        delete_account(user=user)
    db.session.commit()
    erase_copies(emails=emails, user_ids=user_ids)
    click.echo(f"{len(users)} accounts pseudonymised")


@privacy_group.command("reapply-erasures")
def reapply_erasures_command():
    """Delete again the accounts that were deleted after the backup a restore came from
    (`flask restore` does this itself; for a restore done by hand)."""
    click.echo(f"{reapply_erasures()} gelöschte Konten erneut gelöscht")

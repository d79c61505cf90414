"""`flask --app wsgi create-user EMAIL --password P --name N --role ROLE [--centre SLUG]`."""

import click
import sqlalchemy as sa

from ..centres.models import Centre
from ..core.errors import DomainError
from ..extensions import db
from . import services
from .models import CENTRE_ROLES, GLOBAL_ROLES


@click.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="Initial password (at least 10 characters).")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice(CENTRE_ROLES + GLOBAL_ROLES))
@click.option("--centre", "centre_slug", help="Slug of the centre (for volunteer, coordinator, lead).")
def create_user_command(email, password, name, role, centre_slug):
    """Create an account with a role."""
    if len(password) < services.MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"password must have at least {services.MIN_PASSWORD_LENGTH} characters")
    centre = None
    if centre_slug:
        centre = db.session.scalar(sa.select(Centre).where(Centre.slug == centre_slug))
        if centre is None:
            raise click.UsageError(f"no centre with slug {centre_slug!r}")
    try:
        user = services.create_user(email=email, name=name, password=password, role=role, centre=centre)
    except DomainError as error:
        raise click.ClickException(f"{error.code}: {error.message}") from None
    db.session.commit()
    click.echo(f"created user {user.email} ({role}{' of ' + centre.slug if centre else ''})")

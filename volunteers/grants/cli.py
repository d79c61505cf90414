"""`flask --app wsgi grants set --centre SLUG --year Y --amount A --rate R [--cap-eur C | --cap-percent P
[--eligible-costs E]] [--programme NAME] [--note TEXT]`: a grant from the command line, through the
same service and validation as the page and the API."""

from decimal import Decimal, InvalidOperation

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..centres.models import Centre
from ..core.errors import DomainError
from ..extensions import db
from ..reports.models import KOMMAN
from .services import GrantValues, set_grant

grants_cli = AppGroup("grants", help="Förderungen der Zentren.")
# The service names the field as the model does; people here know the options.
OPTIONS = {
    "year": "--year",
    "programme": "--programme",
    "amount_eur": "--amount",
    "valuation_rate_eur": "--rate",
    "in_kind_cap_amount_eur": "--cap-eur",
    "in_kind_cap_percent": "--cap-percent",
    "eligible_costs_eur": "--eligible-costs",
    "note": "--note",
}


class DecimalType(click.ParamType):
    """A number written as 1234.56."""

    name = "decimal"

    def convert(self, value, param, ctx):
        if isinstance(value, Decimal):
            return value
        try:
            return Decimal(value)
        except InvalidOperation:
            self.fail(f"{value!r} ist keine Zahl wie 1234.56", param, ctx)


DECIMAL = DecimalType()


@grants_cli.command("set")
@click.option("--centre", "centre_slug", required=True, metavar="SLUG", help="Kürzel des Zentrums.")
@click.option("--year", required=True, type=int, help="Jahr der Förderung.")
@click.option("--amount", required=True, type=DECIMAL, help="Fördersumme in Euro.")
@click.option("--rate", required=True, type=DECIMAL, help="Wert einer ehrenamtlichen Stunde in Euro.")
@click.option("--cap-eur", type=DECIMAL, help="Deckelung des Geldwerts: ein Höchstbetrag in Euro.")
@click.option("--cap-percent", type=DECIMAL, help="Deckelung des Geldwerts: Prozent der zuwendungsfähigen Ausgaben.")
@click.option("--eligible-costs", type=DECIMAL, help="Zuwendungsfähige Ausgaben (Vorgabe: die Fördersumme).")
@click.option("--programme", default=KOMMAN, show_default=True, help="Förderprogramm.")
@click.option("--note", default="", help="Notiz, höchstens 500 Zeichen.")
def set_command(centre_slug, year, amount, rate, cap_eur, cap_percent, eligible_costs, programme, note):
    """Die Förderung eines Zentrums für ein Jahr eintragen oder ändern."""
    centre = db.session.scalar(sa.select(Centre).where(Centre.slug == centre_slug))
    if centre is None:
        raise click.UsageError(f"Kein Zentrum mit dem Kürzel {centre_slug!r}.")
    values = GrantValues(
        programme=programme,
        amount_eur=amount,
        valuation_rate_eur=rate,
        in_kind_cap_amount_eur=cap_eur,
        in_kind_cap_percent=cap_percent,
        eligible_costs_eur=eligible_costs,
        note=note,
    )
    try:
        grant, created = set_grant(centre=centre, year=year, values=values, by=None, reason="flask grants set")
    except DomainError as error:
        option = f"{OPTIONS[error.field]}: " if error.field in OPTIONS else ""
        raise click.ClickException(f"{option}{error.message} ({error.code})") from None
    db.session.commit()
    click.echo(f"Förderung {grant.year} für {centre.slug} {'eingetragen' if created else 'gespeichert'}.")

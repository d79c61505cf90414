"""The report as tables: one list of sections that the HTML page, CSV, XLSX and PDF all render,
so every format shows exactly the same figures with the same rounding."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

# Cell kinds decide the format: minutes as integers, hours with two decimals, shares as percent.
MINUTES, HOURS, PERCENT, EUR, COUNT, TEXT = "minutes", "hours", "percent", "eur", "count", "text"
NUMBER_KINDS = (MINUTES, HOURS, PERCENT, EUR, COUNT)

# A spreadsheet runs a cell whose text starts with one of these (OWASP "CSV injection"), also after
# blanks; some read the full-width forms (＝＋－＠) as the ASCII ones. TAB and CR start a formula
# in some importers, and a line feed hides what follows it.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
CONTROL_STARTS = frozenset("\t\r\n")


def inert_text(text: str) -> str:
    """Text that a spreadsheet shows and never runs: a formula-like start gets an apostrophe
    before it, as OWASP advises. The one rule for every text cell of the CSV and XLSX files."""
    if text[:1] in CONTROL_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of a table and its kind, which is all a writer needs to format it."""

    value: object  # None: no value (e.g. no share without hours)
    kind: str

    def __str__(self) -> str:  # a row's label, as the HTML table shows it
        return str(self.value)

    @property
    def is_number(self) -> bool:
        """Written as a number; everything else is text, for a spreadsheet inert_text."""
        return self.kind in NUMBER_KINDS and self.value is not None


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # of its cells; the summary's value column says TEXT, its cells bring their own kinds


@dataclass
class Table:
    key: str  # stable, for sheet names and anchors
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    # Per row, the slug of the centre it is about (the state table; the page links the row to that
    # centre's report), or None for a row that sums several. Empty: no row is about one centre.
    row_centres: list[str | None] = field(default_factory=list)

    @classmethod
    def of_values(cls, key: str, title: str, columns: list[Column], rows: list[list], **extra) -> "Table":
        """A table of plain values, each cell of its column's kind."""
        cells = [[Cell(value, column.kind) for value, column in zip(row, columns, strict=True)] for row in rows]
        return cls(key, title, columns, cells, **extra)


def hours(minutes: int | None) -> Decimal | None:
    """Minutes as hours, rounded half up to hundredths: the one rounding rule of every export."""
    if minutes is None:
        return None
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def checksum(figures: dict) -> str:
    """SHA-256 of the figures in canonical JSON: the same figures give the same checksum, always."""
    data = {key: value for key, value in figures.items() if key != "checksum"}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hours_columns(first: Column) -> list[Column]:
    return [
        first,
        Column(_("Ehrenamt (Min.)"), MINUTES),
        Column(_("Ehrenamt (Std.)"), HOURS),
        Column(_("Hauptamt (Min.)"), MINUTES),
        Column(_("Hauptamt (Std.)"), HOURS),
        Column(_("Ehrenamtsanteil"), PERCENT),
    ]


def _hours_cells(row: dict) -> list:
    return [
        row["volunteer_minutes"],
        hours(row["volunteer_minutes"]),
        row["staff_minutes"],
        hours(row["staff_minutes"]),
        row["volunteer_share"],
    ]


def summary_table(figures: dict) -> Table:
    rows = [
        [_("Ehrenamtliche Stunden (freigegeben)"), hours(figures["volunteer_minutes"]), HOURS],
        [_("Hauptamtliche Stunden zur Unterstützung"), hours(figures["staff_minutes"]), HOURS],
        [_("Ehrenamtsanteil V/(V+S)"), figures["volunteer_share"], PERCENT],
        [
            _("Zum Vergleich: Anteil Ehrenamt im Programm (7,7 von 13 Mio. EUR)"),
            figures["programme_volunteer_share"],
            PERCENT,
        ],
        [_("Geldwert des Ehrenamts"), figures["in_kind_value_eur"], EUR],
        [_("Geldwert nach Deckelung"), figures["in_kind_value_capped_eur"], EUR],
        [_("Fördersumme (anteilig für den Zeitraum)"), figures["grant_amount_eur"], EUR],
        [_("Kosten je ehrenamtlicher Stunde"), figures["cost_per_volunteer_hour_eur"], EUR],
        [_("Aktive Ehrenamtliche"), figures["active_volunteers"], COUNT],
        [_("Neue Ehrenamtliche"), figures["new_volunteers"], COUNT],
        [_("Stattgefundene Schichten"), figures["shifts_held"], COUNT],
        [_("Besetzungsquote (besetzte Plätze / Plätze)"), figures["fill_rate"], PERCENT],
        [_("Erreichte Teilnehmende"), figures["participants_reached"], COUNT],
        [_("Noch nicht freigegebene Stunden"), hours(figures["pending_minutes"]), HOURS],
    ]
    # Each value keeps its own kind: the summary mixes hours, money and counts.
    return Table(
        "summary",
        _("Übersicht"),
        [Column(_("Kennzahl"), TEXT), Column(_("Wert"), TEXT)],
        [[Cell(label, TEXT), Cell(value, kind)] for label, value, kind in rows],
    )


def report_tables(figures: dict) -> list[Table]:
    return [
        summary_table(figures),
        Table.of_values(
            "baustein",
            _("Nach KommAn-Baustein"),
            _hours_columns(Column(_("Baustein"), TEXT)) + [Column(_("Geldwert"), EUR)],
            [[row["baustein"], *_hours_cells(row), row["in_kind_value_eur"]] for row in figures["by_baustein"]],
        ),
        Table.of_values(
            "month",
            _("Nach Monat"),
            _hours_columns(Column(_("Monat"), TEXT)),
            [[row["month"], *_hours_cells(row)] for row in figures["by_month"]],
        ),
        Table.of_values(
            "meeting_point",
            _("Ehrenamt nach Treffpunkt"),
            [Column(_("Treffpunkt"), TEXT), Column(_("Minuten"), MINUTES), Column(_("Stunden"), HOURS)],
            [
                [
                    row["meeting_point"] or _("ohne Treffpunkt"),
                    row["volunteer_minutes"],
                    hours(row["volunteer_minutes"]),
                ]
                for row in figures["by_meeting_point"]
            ],
        ),
        Table.of_values(
            "activity",
            _("Ehrenamt nach Tätigkeit"),
            [Column(_("Tätigkeit"), TEXT), Column(_("Minuten"), MINUTES), Column(_("Stunden"), HOURS)],
            [
                [row["activity_name"], row["volunteer_minutes"], hours(row["volunteer_minutes"])]
                for row in figures["by_activity"]
            ],
        ),
    ]

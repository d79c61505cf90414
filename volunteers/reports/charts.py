"""Small server-side SVG charts: readable on a phone and in print, with a title and a text
description for screen readers (the numbers are in the tables beside them as well, and read the
same: labels and descriptions are formatted and rounded as the tables' cells). In a language
written right to left they are drawn mirrored, as the page and the PDF around them: labels on the
right, bars growing to the left, months running from right to left."""

from decimal import Decimal

from markupsafe import Markup, escape

from ..core.pdf_text import is_rtl
from .formatting import format_cell
from .tables import HOURS, PERCENT

BAR = "#1d5c8f"
BAR_ALT = "#b36b00"
INK = "#1b1f24"


def _number(value: Decimal | float, kind: str) -> str:
    """As a table cell of that kind, in the reader's locale (German outside a request): 83,25 h
    in the chart where the table says 83,25."""
    return format_cell(value, kind)


class _Axis:
    """x positions and text anchors written for a left-to-right chart, mirrored when the reader's
    language is written right to left."""

    def __init__(self, width: int):
        self.width, self.mirrored = width, is_rtl()

    def x(self, x: float) -> str:
        return f"{self.width - x if self.mirrored else x:.1f}"

    def span(self, x: float, length: float) -> str:
        """The left edge of a rectangle from x to x + length."""
        return self.x(x + length if self.mirrored else x)

    def anchor(self, anchor: str) -> str:
        if self.mirrored:
            anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
        return f'text-anchor="{anchor}"'


def _svg(key: str, width: int, height: int, title: str, description: str, body: str) -> Markup:
    # Every label and the title went through escape() above: safe to mark up. direction="ltr": the
    # anchors are meant as on paper (start: left), as svglib reads them for the PDF; inherited from
    # an Arabic page, "start" would be the right end and the labels would run into the bars.
    return Markup(  # nosec B704
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{key}-t {key}-d" '
        f'direction="ltr" xmlns="http://www.w3.org/2000/svg"><title id="{key}-t">{escape(title)}</title>'
        f'<desc id="{key}-d">{escape(description)}</desc>{body}</svg>'
    )


def bar_chart(key: str, rows: list[tuple[str, Decimal]], *, title: str, unit: str, kind: str = HOURS) -> Markup:
    """Horizontal bars, one row per label: long German labels fit, and it reads on a phone. The
    values are of a table cell's kind (hours by default) and show as such a cell does."""
    width, row_height, label_width = 640, 28, 260
    height = max(row_height * len(rows), row_height) + 8
    peak = max((float(value) for _, value in rows), default=0) or 1
    axis, parts = _Axis(width), []
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        bar = (width - label_width - 90) * float(value) / peak
        parts.append(
            f'<text x="{axis.x(label_width - 8)}" y="{y + 18}" {axis.anchor("end")} font-size="13" fill="{INK}">'
            f"{escape(label[:38])}</text>"
            f'<rect x="{axis.span(label_width, bar)}" y="{y + 4}" width="{bar:.1f}" height="{row_height - 10}"'
            f' fill="{BAR}"/>'
            f'<text x="{axis.x(label_width + bar + 6)}" y="{y + 18}" {axis.anchor("start")} font-size="13"'
            f' fill="{INK}">{escape(_number(value, kind))}&#160;{escape(unit)}</text>'
        )
    description = "; ".join(f"{label}: {_number(value, kind)} {unit}" for label, value in rows)
    return _svg(key, width, height, title, description, "".join(parts))


def share_line(
    key: str, points: list[tuple[str, float | None]], *, title: str, reference: float, reference_label: str
) -> Markup:
    """The volunteer share per month as a line, with the programme's share as a dashed line."""
    width, height, left, bottom, top = 640, 220, 40, 30, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    step = plot_w / max(len(points) - 1, 1)
    axis = _Axis(width)

    def y(value: float) -> float:
        return top + plot_h * (1 - value)

    coords = [(axis.x(left + i * step), y(v)) for i, (_, v) in enumerate(points) if v is not None]
    line = " ".join(f"{x},{yy:.1f}" for x, yy in coords)
    labels = "".join(
        f'<text x="{axis.x(left + i * step)}" y="{height - 10}" font-size="11" text-anchor="middle" '
        f'fill="{INK}">{escape(month[2:])}</text>'
        for i, (month, _) in enumerate(points)
    )
    dots = "".join(f'<circle cx="{x}" cy="{yy:.1f}" r="3.5" fill="{BAR}"/>' for x, yy in coords)
    percents = "".join(
        f'<text x="{axis.x(left - 6)}" y="{y(v) + 4:.1f}" font-size="11" {axis.anchor("end")} fill="{INK}">'
        f"{int(v * 100)}&#160;%</text>"
        for v in (0, 0.5, 1)
    )
    body = (
        f'<line x1="{axis.x(left)}" x2="{axis.x(width - 10)}" y1="{y(reference):.1f}" y2="{y(reference):.1f}" '
        f'stroke="{BAR_ALT}" stroke-dasharray="6 4" stroke-width="2"/><text x="{axis.x(width - 12)}" '
        f'y="{y(reference) - 6:.1f}" font-size="12" {axis.anchor("end")} fill="{INK}">{escape(reference_label)}</text>'
        f'<polyline points="{line}" fill="none" stroke="{BAR}" stroke-width="2.5"/>{dots}{percents}{labels}'
    )
    description = "; ".join(f"{month}: {_number(v, PERCENT)}" for month, v in points)
    return _svg(key, width, height, title, description, body)

"""A report's period: the days it covers, as dates and as Berlin instants, and its share of each year."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ..core import time


@dataclass
class Period:
    start: date
    end: date  # inclusive

    def instants(self) -> tuple[datetime, datetime]:
        """Berlin midnight at the start to Berlin midnight after the last day."""
        first = datetime.combine(self.start, datetime.min.time())
        after = datetime.combine(self.end + timedelta(days=1), datetime.min.time())
        return time.berlin_local(first), time.berlin_local(after)

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def days_in_year(self, year: int) -> int:
        first, last = max(self.start, date(year, 1, 1)), min(self.end, date(year, 12, 31))
        return max((last - first).days + 1, 0)

    def part_of_year(self, year: int) -> Decimal:
        """The share of the year that lies in the period, by days."""
        return Decimal(self.days_in_year(year)) / Decimal((date(year, 12, 31) - date(year, 1, 1)).days + 1)

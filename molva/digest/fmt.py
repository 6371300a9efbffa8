"""Numbers, percentages and dates written the way each language reads them (Babel's CLDR data).

ru: ``1 234,5``, ``72 %``, ``30 ноября 2026``; en: ``1,234.5``, ``72%``, ``30 November 2026``. A missing value is an
en dash. Signed changes carry a real minus sign (−) so columns of deltas line up and read clearly.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal

MINUS = "\u2212"
DASH = "\u2013"
NBSP = "\u00a0"


class Formatter:
    """Formats values for one language (``ru`` or ``en``)."""

    def __init__(self, lang: str) -> None:
        if lang not in ("ru", "en"):
            raise ValueError(f"unsupported digest language {lang!r} (use ru or en)")
        self.lang = lang
        self.locale = "ru_RU" if lang == "ru" else "en_GB"

    @staticmethod
    def _missing(value: float | None) -> bool:
        return value is None or (isinstance(value, float) and math.isnan(value))

    def number(self, value: float | None, digits: int = 0) -> str:
        """``1 234,5`` / ``1,234.5`` with exactly ``digits`` decimals."""
        if self._missing(value):
            return DASH
        assert value is not None
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        text = format_decimal(round(float(value), digits) + 0.0, format=pattern, locale=self.locale)
        return text.replace("-", MINUS)

    def signed(self, value: float | None, digits: int = 0) -> str:
        """A change with its sign: ``+12``, ``−0,35``; zero shows as ``±0``."""
        if self._missing(value):
            return DASH
        assert value is not None
        if round(value, digits) == 0:
            return "±" + self.number(0, digits)
        body = self.number(abs(value), digits)
        return ("+" if value > 0 else MINUS) + body

    def percent(self, share: float | None, digits: int = 0) -> str:
        """A share 0..1 as a percentage: ``72 %`` (ru, with a non-breaking space) or ``72%`` (en)."""
        if self._missing(share):
            return DASH
        assert share is not None
        sep = NBSP if self.lang == "ru" else ""
        return f"{self.number(share * 100, digits)}{sep}%"

    def points(self, delta: float | None, digits: int = 0) -> str:
        """A change of a share, in percentage points: ``+3 п.п.`` / ``+3 pp``."""
        if self._missing(delta):
            return DASH
        assert delta is not None
        unit = "п.п." if self.lang == "ru" else "pp"
        return f"{self.signed(delta * 100, digits)}{NBSP}{unit}"

    def score100(self, value: float | None) -> str:
        """A −1..1 index (NPS proxy, net sentiment) on the familiar −100..100 scale: ``+23``."""
        if self._missing(value):
            return DASH
        assert value is not None
        return self.signed(value * 100, 0)

    def date(self, value: dt.date | None) -> str:
        """``30 ноября 2026`` / ``30 November 2026``."""
        if value is None:
            return DASH
        day = value.date() if isinstance(value, dt.datetime) else value
        return format_date(day, "d MMMM y", locale=self.locale)

    def short_date(self, value: dt.date | None) -> str:
        """``30 нояб.`` / ``30 Nov``: chart axes and compact tables."""
        if value is None:
            return DASH
        day = value.date() if isinstance(value, dt.datetime) else value
        return format_date(day, "d MMM", locale=self.locale)

    def month(self, value: dt.date) -> str:
        """``ноябрь 2026`` / ``November 2026`` (standalone month name)."""
        return format_date(value, "LLLL y", locale=self.locale)

    def date_range(self, start: dt.date, end: dt.date) -> str:
        """``16–22 ноября 2026`` when both days share a month, else ``30 ноября – 6 декабря 2026``."""
        if start.year == end.year and start.month == end.month:
            return f"{start.day}{DASH}{self.date(end)}"
        if start.year == end.year:
            first = format_date(start, "d MMMM", locale=self.locale)
            return f"{first} {DASH} {self.date(end)}"
        return f"{self.date(start)} {DASH} {self.date(end)}"

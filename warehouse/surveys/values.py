"""Turn export cells into typed answers, recording every rejected or changed value as an :class:`Issue`.

Nothing is changed silently: a value outside its scale, a half point on a point scale or an unreadable date is dropped
(stored as null) and reported with the line, field, value and reason; a row without an id or without any answer is
rejected whole. Decimal commas ("4,5") and declared text labels are readings, not changes, and are not reported.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from molva.privacy import pseudonymise
from warehouse.surveys.mapping import ScoreColumn, SurveyMapping
from warehouse.surveys.readers import Cell, clean_header

Action = Literal["rejected", "coerced", "replaced"]

_BUILTIN_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)
_GMT_SUFFIX = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class Issue:
    """One reported problem: source line, field, the value as read, what was done and why."""

    line_no: int
    field: str | None
    value: str | None
    action: Action
    reason: str


@dataclass
class ParsedResponse:
    """One respondent's answers after validation; scores are on the survey's own scales, ``None`` = not answered."""

    line_no: int
    respondent_id: str
    responded_at: datetime | None = None
    channel: str | None = None
    segment: str | None = None
    touchpoint: str | None = None
    nps: float | None = None
    csat: float | None = None
    ces: float | None = None
    overall: float | None = None
    factors: dict[str, tuple[float, float | None]] = field(default_factory=dict)  # factor -> (rating, importance)
    open_text: dict[str, str] = field(default_factory=dict)
    _hash: str | None = field(default=None, repr=False, compare=False)

    @property
    def has_answers(self) -> bool:
        scores = (self.nps, self.csat, self.ces, self.overall)
        return any(s is not None for s in scores) or bool(self.factors) or bool(self.open_text)

    def content_hash(self) -> str:
        """Hash of the answers (not of the line): re-importing the same answers changes nothing.

        Computed once: a response is not changed after :func:`parse_row` returns it.
        """
        if self._hash is None:
            data = [
                self.respondent_id,
                self.responded_at.isoformat() if self.responded_at else None,
                self.channel,
                self.segment,
                self.touchpoint,
                self.nps,
                self.csat,
                self.ces,
                self.overall,
                sorted(self.factors.items()),
                sorted(self.open_text.items()),
            ]
            blob = json.dumps(data, ensure_ascii=False)
            self._hash = hashlib.sha256(blob.encode("utf-8")).hexdigest()
        return self._hash


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_number(cell: Cell, decimal: str = "auto") -> float:
    """Read a number from a cell; "4,5" is 4.5 when decimal is "," or "auto". Raises ValueError otherwise."""
    if isinstance(cell, bool):
        raise ValueError("not a number")
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(text):
        raise ValueError("not a number")
    if "," in text:
        if decimal == ".":
            raise ValueError("decimal comma where the mapping expects a decimal point")
        text = text.replace(",", ".")
    return float(text)


def parse_score(
    cell: Cell, spec: ScoreColumn, name: str, line_no: int, decimal: str, issues: list[Issue]
) -> float | None:
    """A score on ``spec``'s scale, or None (blank, or dropped with an issue when it is not a valid answer)."""
    if is_blank(cell):
        return None
    shown = _show(cell)
    if isinstance(cell, str) and spec.labels:
        wanted = " ".join(cell.split()).casefold()
        for label, value in spec.labels.items():
            if " ".join(label.split()).casefold() == wanted:
                return float(value)
    try:
        value = parse_number(cell, decimal)
    except ValueError as exc:
        why = f"{exc} nor a mapped label" if spec.labels and str(exc) == "not a number" else str(exc)
        issues.append(Issue(line_no, name, shown, "coerced", f"{why}; answer dropped (stored as null)"))
        return None
    scale = f"{_fmt(spec.min)}-{_fmt(spec.max)}"
    if not spec.min <= value <= spec.max:
        issues.append(Issue(line_no, name, shown, "coerced", f"outside the {scale} scale; answer dropped"))
        return None
    if spec.integer and not value.is_integer():
        issues.append(Issue(line_no, name, shown, "coerced", f"not a point of the {scale} scale; answer dropped"))
        return None
    return value


def parse_date(cell: Cell, formats: list[str], offset_hours: float = 0) -> datetime:
    """A naive UTC datetime from an XLSX datetime or a string; ``offset_hours`` is the export's local time zone."""
    if isinstance(cell, datetime):
        value = cell
    else:
        text = " ".join(str(cell).split())
        tz: timezone | None = None
        match = _GMT_SUFFIX.search(text)
        if match:  # Google Forms: "2024/03/15 10:22:33 AM GMT+3"
            sign = -1 if match.group(1) == "-" else 1
            tz = timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
            text = text[: match.start()]
        value = _strptime_any(text, formats)
        if tz is not None and value.tzinfo is None:
            value = value.replace(tzinfo=tz)
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value - timedelta(hours=offset_hours)


def _strptime_any(text: str, formats: list[str]) -> datetime:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _BUILTIN_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    tried = ", ".join([*formats, "ISO 8601", *_BUILTIN_DATE_FORMATS])
    raise ValueError(f"unreadable date (tried {tried})")


def parse_row(
    line_no: int, cells: dict[str, Cell], mapping: SurveyMapping, decimal: str, salt: str | None = None
) -> tuple[ParsedResponse | None, list[Issue]]:
    """Validate one data row. Returns (response or None when the row is rejected, the issues of this row).

    With ``mapping.pseudonymise_respondent_id`` the id is replaced by its salted HMAC here, before it reaches any
    table or issue, so the warehouse never holds the raw id (``salt`` is then required).
    """
    issues: list[Issue] = []

    def cell(column: str | None) -> Cell:
        return None if column is None else cells.get(clean_header(column))

    def text(column: str | None, default: str | None = None) -> str | None:
        value = cell(column)
        return default if is_blank(value) else " ".join(str(value).split())

    respondent = text(mapping.respondent_id)
    if respondent is None:
        issues.append(Issue(line_no, mapping.respondent_id, None, "rejected", "blank respondent id"))
        return None, issues
    if respondent.endswith(".0") and isinstance(cell(mapping.respondent_id), float):
        respondent = respondent[:-2]  # XLSX stores numeric ids as floats: 17 -> "17", not "17.0"
    if mapping.pseudonymise_respondent_id:
        if not salt:
            raise ValueError("pseudonymise_respondent_id needs a salt")
        respondent = pseudonymise(respondent, salt) or respondent
    response = ParsedResponse(line_no=line_no, respondent_id=respondent)
    response.channel = text(mapping.channel, mapping.default_channel)
    response.segment = text(mapping.segment)
    response.touchpoint = text(mapping.touchpoint, mapping.default_touchpoint)

    raw_date = cell(mapping.date)
    if mapping.date and not is_blank(raw_date):
        try:
            response.responded_at = parse_date(raw_date, mapping.date_formats, mapping.timezone_offset_hours)
        except ValueError as exc:
            issues.append(Issue(line_no, mapping.date, _show(raw_date), "coerced", f"{exc}; stored without a date"))

    for name, spec in (
        ("nps", mapping.nps),
        ("csat", mapping.csat),
        ("ces", mapping.ces),
        ("overall", mapping.overall),
    ):
        if spec is not None:
            setattr(response, name, parse_score(cell(spec.column), spec, spec.column, line_no, decimal, issues))
    for factor, fspec in mapping.factors.items():
        rating = parse_score(cell(fspec.column), fspec, fspec.column, line_no, decimal, issues)
        importance = None
        if fspec.importance_column and not is_blank(cell(fspec.importance_column)):
            raw = cell(fspec.importance_column)
            try:
                importance = parse_number(raw, decimal)
                if importance < 0:
                    raise ValueError("negative importance")
            except ValueError as exc:
                issues.append(Issue(line_no, fspec.importance_column, _show(raw), "coerced", f"{exc}; dropped"))
                importance = None
        if rating is not None:
            response.factors[factor] = (rating, importance)
    for question, column in mapping.open_text.items():
        answer = cell(column)
        if not is_blank(answer):
            response.open_text[question] = str(answer).strip()

    if not response.has_answers:
        issues.append(Issue(line_no, None, None, "rejected", "no valid answer in the row"))
        return None, issues
    return response, issues


def _show(cell: Cell) -> str:
    return cell.isoformat() if isinstance(cell, datetime) else str(cell)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)

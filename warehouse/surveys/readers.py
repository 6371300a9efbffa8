"""Read survey exports (CSV or XLSX) into rows of cells that keep their source line numbers.

Russian Excel saves CSV in cp1251 with semicolons, so the encoding and the delimiter are detected unless the mapping
fixes them. Cells stay as read (strings, or numbers and datetimes from XLSX); turning them into scores is the job of
:mod:`warehouse.surveys.values`, which reports every change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from warehouse.surveys.mapping import SurveyMapping

Cell = str | float | int | datetime | None


class ReadError(ValueError):
    """The file cannot be read as a survey export; the message names the file and what is wrong."""


@dataclass
class SurveyTable:
    """Header and data rows of an export; ``rows`` holds (line number in the source file, cells by column name)."""

    path: Path
    columns: list[str]
    rows: list[tuple[int, dict[str, Cell]]]
    encoding: str | None = None
    delimiter: str | None = None
    extra_cells: dict[int, int] = field(default_factory=dict)  # line -> non-blank cells beyond the header's columns


def read_export(path: str | Path, mapping: SurveyMapping) -> SurveyTable:
    """Read ``path`` (``.csv``/``.tsv``/``.txt`` or ``.xlsx``) with the header layout given by ``mapping``."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, mapping)
    if suffix in {".csv", ".tsv", ".txt"}:
        return _read_csv(path, mapping)
    raise ReadError(f"{path}: unsupported file type {suffix!r} (use CSV or XLSX)")


def decode_bytes(raw: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Decode an export: UTF-8 (BOM or not) when it decodes cleanly, else cp1251 (Russian Excel's "CSV")."""
    if encoding != "auto":
        return raw.decode(encoding), encoding
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1251"), "cp1251"


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter among comma, semicolon and tab from the first lines of the file."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max([",", ";", "\t"], key=first.count)


def _read_csv(path: Path, mapping: SurveyMapping) -> SurveyTable:
    try:
        text, encoding = decode_bytes(path.read_bytes(), mapping.csv.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ReadError(f"{path}: cannot decode as {mapping.csv.encoding}: {exc}") from exc
    delimiter = sniff_delimiter(text) if mapping.csv.delimiter == "auto" else mapping.csv.delimiter
    if delimiter in {"\\t", "tab"}:
        delimiter = "\t"
    records = list(_csv_records(text, delimiter))
    table = _to_table(path, records, mapping)
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (first physical line of the record, cells); a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for record in reader:
        yield start, list(record)
        start = reader.line_num + 1


def _read_xlsx(path: Path, mapping: SurveyMapping) -> SurveyTable:
    from openpyxl import load_workbook  # heavy-ish import, only for XLSX

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise ReadError(f"{path}: cannot open as XLSX: {exc}") from exc
    try:
        if mapping.sheet is not None and mapping.sheet not in book.sheetnames:
            raise ReadError(f"{path}: no sheet {mapping.sheet!r} (sheets: {', '.join(book.sheetnames)})")
        sheet = book[mapping.sheet] if mapping.sheet else book.worksheets[0]
        records = [(i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    return _to_table(path, records, mapping)


def _to_table(path: Path, records: list[tuple[int, list[Cell]]], mapping: SurveyMapping) -> SurveyTable:
    header_at = mapping.header_row - 1
    if len(records) <= header_at:
        raise ReadError(f"{path}: no header at line {mapping.header_row}")
    header_line, header_cells = records[header_at]
    columns = [clean_header(c) for c in header_cells]
    while columns and not columns[-1]:
        columns.pop()
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise ReadError(f"{path}: line {header_line}: column {name!r} appears twice; rename it in the export")
        seen.add(name)
    missing = [c for c in _mapped_columns(mapping) if c not in seen]
    if missing:
        raise ReadError(
            f"{path}: line {header_line}: mapped column(s) not in the header: {', '.join(repr(m) for m in missing)}"
        )
    rows: list[tuple[int, dict[str, Cell]]] = []
    extra: dict[int, int] = {}
    for line_no, cells in records[header_at + 1 + mapping.skip_rows_after_header :]:
        if all(_blank(c) for c in cells):
            continue  # empty trailing lines of spreadsheets are not respondents
        n_extra = sum(1 for c in cells[len(columns) :] if not _blank(c))
        if n_extra:
            extra[line_no] = n_extra
        rows.append((line_no, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(columns)}))
    return SurveyTable(path=path, columns=columns, rows=rows, extra_cells=extra)


def _mapped_columns(mapping: SurveyMapping) -> list[str]:
    names = [mapping.respondent_id, mapping.date, mapping.channel, mapping.segment, mapping.touchpoint]
    for score in (mapping.nps, mapping.csat, mapping.ces, mapping.overall):
        if score is not None:
            names.append(score.column)
    for factor in mapping.factors.values():
        names += [factor.column, factor.importance_column]
    names += list(mapping.open_text.values())
    return [clean_header(n) for n in names if n]


def clean_header(cell: Cell) -> str:
    """Column name as matched against the mapping: whitespace collapsed (exports wrap long questions)."""
    return "" if cell is None else " ".join(str(cell).split())


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())

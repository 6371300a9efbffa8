"""Read and write the tables ``molva classify`` works on (Parquet, CSV, JSON Lines), tolerating bad bytes and lines.

Invalid UTF-8 is decoded with replacement characters (and counted later by the cleaner) rather than failing the
file; an unparsable JSON line is skipped and reported with its line number; a missing text column is an error that
lists the columns the file does have.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl"}  # fmt: skip


class InputError(ValueError):
    """The input file cannot be used; the message names the file and, where it applies, the line or field."""


@dataclass
class ReadResult:
    """The table plus what reading had to work around."""

    frame: pd.DataFrame
    bad_lines: list[int] = field(default_factory=list)  # 1-based JSONL lines that were skipped
    had_invalid_utf8: bool = False


def table_format(path: Path) -> str:
    """``parquet``, ``csv`` or ``jsonl`` by file extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unsupported extension {path.suffix!r} (use .parquet, .csv or .jsonl)")
    return fmt


def _decode(path: Path) -> tuple[str, bool]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8-sig", errors="replace"), True


def read_table(path: Path, text_column: str) -> ReadResult:
    """Load ``path`` and check it has ``text_column``."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    fmt = table_format(path)
    result = ReadResult(pd.DataFrame())
    if fmt == "parquet":
        try:
            result.frame = pd.read_parquet(path)
        except Exception as exc:
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    else:
        text, result.had_invalid_utf8 = _decode(path)
        if fmt == "csv":
            try:
                result.frame = pd.read_csv(io.StringIO(text), dtype={text_column: "string"}, keep_default_na=False)
            except pd.errors.ParserError as exc:
                raise InputError(f"{path}: malformed CSV ({exc})") from exc
        else:
            rows = []
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    result.bad_lines.append(number)
                    continue
                if not isinstance(row, dict):
                    result.bad_lines.append(number)
                    continue
                rows.append(row)
            result.frame = pd.DataFrame(rows)
    if text_column not in result.frame.columns:
        columns = ", ".join(map(str, result.frame.columns)) or "none"
        raise InputError(f"{path}: no column {text_column!r} (columns: {columns}); pass --text-column")
    return result


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write by extension; the parent folder is created."""
    fmt = table_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False, date_format="iso")

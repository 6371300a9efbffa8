"""Read review rows from JSON Lines or Parquet files, keeping line numbers so rejects can point at them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warehouse.loader import Reject

FORMATS = ("jsonl", "parquet")


def detect_format(path: Path) -> str:
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".json")):
        return "jsonl"
    if suffixes.endswith((".parquet", ".pq")):
        return "parquet"
    raise ValueError(f"{path}: unknown file type (expected .jsonl/.ndjson or .parquet)")


def read_rows(path: Path) -> Iterator[dict[str, Any] | Reject]:
    """Yield one dict per review (with ``_line``) or a :class:`Reject` for a line that is not a JSON object."""
    if detect_format(path) == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        offset = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            for i, row in enumerate(batch.to_pylist(), start=offset + 1):
                row["_line"] = i
                yield row
            offset += batch.num_rows
        return
    opener: Any = open
    if path.suffix == ".gz":
        import gzip

        opener = gzip.open
    # Binary lines, each decoded on its own: one bad byte rejects that line (with its number) and the rest still loads.
    with opener(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Reject(line_no, "<line>", f"invalid UTF-8: {exc.reason} at byte {exc.start + 1} of the line")
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Reject(line_no, "<line>", f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(row, dict):
                yield Reject(line_no, "<line>", "expected a JSON object per line")
                continue
            row["_line"] = line_no
            yield row


def write_rejects(path: Path, rejects: list[Reject], source: Path | None = None) -> None:
    """One JSON object per rejected row: file, line, field, reason and the row itself."""
    with path.open("w", encoding="utf-8") as handle:
        for reject in rejects:
            record = {"file": str(source) if source else None, **reject.to_dict()}
            if record.get("row"):
                record["row"].pop("_line", None)
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

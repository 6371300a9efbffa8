"""``molva sql "select …"``: query the warehouse as a table, or write CSV/JSON/Parquet for other tools.

The console is read-only and sandboxed (:func:`warehouse.db.connect_readonly`): the warehouse is opened read-only,
external access is off and the configuration is locked, so a query can neither write, attach another database, copy to
a file nor read other files. Result files (``--out``) are written by Python from the fetched rows, not by DuckDB.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from molva.cli.common import EXIT_USAGE, ConfigOption, DbOption, console, db_path, fail


def _read_query(query: str | None, file: Path | None) -> str:
    if query is not None and file is not None:
        fail("give the query either as an argument or with --file, not both", EXIT_USAGE)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{file}: cannot read the query file: {exc}", EXIT_USAGE)
    elif query == "-":
        text = sys.stdin.read()
    elif query is None:
        fail('give a query: molva sql "select …", molva sql --file query.sql, or molva sql - < query.sql', EXIT_USAGE)
    else:
        text = query
    text = text.strip().rstrip(";").strip()
    if not text:
        fail("the query is empty", EXIT_USAGE)
    return text


def _write(relation: Any, fmt: str, out: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table: pa.Table = relation.to_arrow_table()
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.column_names)
            for row in table.to_pylist():
                writer.writerow(["" if v is None else v for v in row.values()])
    elif fmt == "parquet":
        pq.write_table(table, out)
    else:
        out.write_text(json.dumps(table.to_pylist(), ensure_ascii=False, default=str), encoding="utf-8")
    return int(table.num_rows)


def sql(
    query: Annotated[
        str | None,
        typer.Argument(help="A SQL query (DuckDB dialect); '-' reads it from stdin.", show_default=False),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the query from this file.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (csv/json/parquet).")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Run read-only SQL against the warehouse (tables: docs/warehouse.md, marts: docs/marts.md).

    Nothing can be written: no attach, no copy to files, no reading other files.
    """
    import duckdb
    from rich.table import Table

    from warehouse.db import WarehouseOpenError, connect_readonly
    from warehouse.export import QUERY_FORMATS

    if fmt not in QUERY_FORMATS:
        fail(f"--format must be one of {', '.join(QUERY_FORMATS)}", EXIT_USAGE)
    if fmt != "table" and out is None:
        fail(f"--out FILE is required with --format {fmt}", EXIT_USAGE)
    text = _read_query(query, file)
    path = db_path(db, config)
    try:
        con = connect_readonly(path)
    except WarehouseOpenError as exc:
        fail(str(exc))
    try:
        relation = con.sql(text)
        if relation is None:
            console.print("ok")
            return
        if fmt != "table":
            assert out is not None
            n = _write(relation, fmt, out)
            console.print(f"wrote {n} rows to {out}", highlight=False)
            return
        columns = relation.columns
        rows = relation.limit(limit + 1).fetchall()
    except duckdb.PermissionException as exc:
        fail(f"not allowed in the read-only console (no files, no attach, no writes): {exc}")
    except duckdb.Error as exc:
        low = str(exc).lower()
        if "read-only" in low or "read only" in low or "locked" in low:
            fail(f"not allowed in the read-only console (no files, no attach, no writes): {exc}")
        fail(f"SQL error: {exc}")
    except OSError as exc:
        fail(f"{out}: cannot write the result: {exc}")
    finally:
        con.close()
    table = Table(*columns, show_lines=False)
    for row in rows[:limit]:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console.print(table)
    if len(rows) > limit:
        console.print("… more rows; raise --limit or use --format csv --out FILE", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("sql", context_settings={"ignore_unknown_options": True})(sql)

"""``molva sql "select …"``: query the warehouse as a table, or write CSV/JSON/Parquet for other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import ConfigOption, DbOption, console, db_path, fail


def sql(
    query: Annotated[str, typer.Argument(help="A SQL query (DuckDB dialect).", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (csv/json/parquet).")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Run read-only SQL against the warehouse (tables: docs/warehouse.md, marts: docs/marts.md)."""
    import duckdb
    from rich.table import Table

    from warehouse.db import connect
    from warehouse.export import QUERY_FORMATS, write_query

    if fmt not in QUERY_FORMATS:
        fail(f"--format must be one of {', '.join(QUERY_FORMATS)}", 2)
    path = db_path(db, config)
    try:
        con = connect(path, read_only=True)
    except FileNotFoundError as exc:
        fail(str(exc))
    query = query.strip().rstrip(";")
    try:
        if fmt != "table":
            if out is None:
                fail(f"--out FILE is required with --format {fmt}", 2)
            n = write_query(con, query, fmt, out)
            console.print(f"wrote {n} rows to {out}", highlight=False)
            return
        relation = con.sql(query)
        if relation is None:
            console.print("ok")
            return
        columns = relation.columns
        rows = relation.limit(limit + 1).fetchall()
    except duckdb.Error as exc:
        fail(f"SQL error: {exc}")
    table = Table(*columns, show_lines=False)
    for row in rows[:limit]:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console.print(table)
    if len(rows) > limit:
        console.print("… more rows; raise --limit or use --format csv --out FILE", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)

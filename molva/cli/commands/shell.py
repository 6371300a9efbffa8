"""``molva warehouse shell``: an interactive SQL console on the warehouse, with the DuckDB the warehouse was written by.

The DuckDB CLI on PyPI (``duckdb-cli`` 1.5.6) cannot open files written by duckdb 2.0.1 (a newer storage version), so
the console uses the project's own ``duckdb`` package: statements end with ``;`` and may span lines, results print
as tables, and a few dot commands mirror the CLI's. Read-only unless ``--write``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from molva.cli.common import ConfigOption, DbOption, console, db_path, fail

MAX_ROWS = 1000  # printed per result; export bigger ones with `molva sql … --out FILE`

HELP = """\
SQL statements end with ';' (they may span lines). Dot commands:
  .tables            tables and views, by schema
  .schema [S.]NAME   the columns of a table or view (S: its schema), with their comments
  .read FILE         run the SQL in FILE
  .help              this text
  .quit / .exit      leave (Ctrl-D too)"""


def _lines(prompt: bool) -> Iterator[str]:
    """Lines typed by the user (with readline history when interactive) or piped on stdin."""
    if prompt:
        with contextlib.suppress(ImportError):  # not on every platform
            import readline  # noqa: F401  (line editing and history for input())
    while True:
        try:
            yield input("molva> " if prompt else "")
        except EOFError:
            return


def _run(con: Any, sql: str) -> None:
    try:
        relation = con.sql(sql)
    except Exception as exc:  # a typo must not end the session
        console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        return
    if relation is None:
        return
    from rich.table import Table

    try:
        rows = relation.limit(MAX_ROWS + 1).fetchall()
    except Exception as exc:  # errors of a lazy relation surface here
        console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
        return
    table = Table(*relation.columns, show_lines=False)
    for row in rows[:MAX_ROWS]:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console.print(table, highlight=False, markup=False)
    note = f"first {MAX_ROWS} rows shown" if len(rows) > MAX_ROWS else f"{len(rows)} row{'s' * (len(rows) != 1)}"
    console.print(note, highlight=False, style="dim")


def _dot(con: Any, command: str) -> bool:
    """Run a dot command; False means quit."""
    name, _, arg = command.partition(" ")
    arg = arg.strip()
    if name in (".quit", ".exit"):
        return False
    if name == ".help":
        console.print(HELP, highlight=False, markup=False)
    elif name == ".tables":
        _run(
            con,
            "select table_schema as schema, table_name as name, table_type as type from information_schema.tables"
            " where table_catalog = current_database() order by 1, 2",
        )
    elif name == ".schema" and arg:
        from warehouse.sqltext import sql_literal

        schema, _, table = arg.rpartition(".")  # NAME or SCHEMA.NAME
        where = f"table_name = {sql_literal(table)}" + (f" and schema_name = {sql_literal(schema)}" if schema else "")
        _run(
            con,
            "select schema_name as schema, column_name, data_type, comment from duckdb_columns()"
            f" where {where} and database_name = current_database() order by schema_name, column_index",
        )
    elif name == ".read" and arg:
        try:
            with open(arg, encoding="utf-8") as handle:
                _run(con, handle.read())
        except OSError as exc:
            console.print(f"[red]error[/red] {exc}", highlight=False)
    else:
        console.print(f"unknown or incomplete command {command!r}; .help lists them", highlight=False, markup=False)
    return True


def shell(
    db: DbOption = None,
    config: ConfigOption = None,
    write: Annotated[bool, typer.Option(help="Open read-write (default: read-only).")] = False,
) -> None:
    """Open an interactive SQL console on the warehouse (the same DuckDB version that wrote it).

    Reads statements from stdin when it is not a terminal, e.g. `molva warehouse shell < query.sql`.
    """
    from warehouse.db import WarehouseOpenError, connect

    path = db_path(db, config)
    try:
        con = connect(path, read_only=not write)
    except (FileNotFoundError, WarehouseOpenError) as exc:
        fail(str(exc))
    interactive = sys.stdin.isatty()
    if interactive:
        console.print(f"warehouse {path} ({'read-write' if write else 'read-only'}); .help for help", highlight=False)
    buffer: list[str] = []
    try:
        for line in _lines(interactive):
            if not buffer and line.strip().startswith("."):
                if not _dot(con, line.strip()):
                    break
                continue
            buffer.append(line)
            if line.rstrip().endswith(";"):
                _run(con, "\n".join(buffer))
                buffer = []
        if any(part.strip() for part in buffer):
            _run(con, "\n".join(buffer))
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    """Attach ``shell`` to the ``molva warehouse`` group."""
    app.command("shell")(shell)

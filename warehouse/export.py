"""Analyst access: run SQL and export tables to files that any tool reads."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.sqltext import sql_literal

QUERY_FORMATS = ("table", "csv", "json", "parquet")


def user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the warehouse, whatever its schema (names are unique across schemas)."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [r[0] for r in rows]


def export_tables(con: duckdb.DuckDBPyConnection, out_dir: Path) -> list[tuple[str, Path, int]]:
    """Write one Parquet file per table; returns (table, file, rows)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in user_tables(con):
        target = out_dir / f"{table}.parquet"
        con.execute(f'copy (select * from "{table}") to {sql_literal(str(target))} (format parquet)')
        count = con.execute(f'select count(*) from "{table}"').fetchone()
        written.append((table, target, int(count[0]) if count else 0))
    return written


def write_query(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: Path) -> int:
    """Write a query's result as csv, json (array of records) or parquet; returns the row count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    relation = con.sql(sql)
    if fmt == "csv":
        relation.write_csv(str(out))
    elif fmt == "parquet":
        relation.write_parquet(str(out))
    elif fmt == "json":
        con.execute(f"copy ({sql}) to {sql_literal(str(out))} (format json, array true)")
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of csv, json, parquet")
    count = con.execute(f"select count(*) from ({sql})").fetchone()
    return int(count[0]) if count else 0

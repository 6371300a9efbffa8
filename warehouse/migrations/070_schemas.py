"""070: move every table out of ``main`` into its schema (raw, enriched, staging, marts, internal; warehouse/layout.py).

DuckDB has no ``ALTER TABLE … SET SCHEMA``, so each table is rebuilt: DuckDB's own ``CREATE TABLE`` statement for it
(columns, types, defaults, NOT NULL, CHECK and primary keys exactly as they are, including columns later migrations
added) is replayed in the target schema, the rows are copied, and the old table is dropped. The staging views and the
SQL macros in ``main`` are dropped: the next mart build (``molva marts build``, every nightly) creates them in
``staging``. A table the layout does not know (an analyst's own) stays in ``main``. Runs in the migration's
transaction: on any error nothing has moved.
"""

from __future__ import annotations

import re
from typing import Any

from warehouse.layout import SCHEMAS, in_schema, schema_for


def _create_in(sql: str, table: str, target: str) -> str:
    """DuckDB's ``CREATE TABLE name(...)`` for ``table`` rewritten to create ``target`` (a qualified name)."""
    pattern = re.compile(rf'^CREATE TABLE (?:main\.)?("?){re.escape(table)}\1\s*\(', re.IGNORECASE)
    if not pattern.match(sql):
        raise RuntimeError(f"070: unexpected DDL for table {table!r}: {sql[:80]!r}")
    return pattern.sub(lambda _: f"CREATE TABLE {target}(", sql, count=1)


def upgrade(con: Any) -> None:
    for name in SCHEMAS:
        con.execute(f"create schema if not exists {in_schema(con, name)}")
    old = in_schema(con, "main")
    main = "database_name = current_database() and schema_name = 'main' and not internal"
    for (view,) in con.execute(f"select view_name from duckdb_views() where {main}").fetchall():
        if schema_for(view) == "staging":
            con.execute(f'drop view {old}."{view}"')
    macros = con.execute(
        f"select distinct function_name, function_type from duckdb_functions() where {main}"
        " and function_type in ('macro', 'table_macro')"
    ).fetchall()
    for name, kind in macros:
        con.execute(f'drop {"macro table" if kind == "table_macro" else "macro"} {old}."{name}"')
    tables = con.execute(f"select table_name, sql from duckdb_tables() where {main} and not temporary").fetchall()
    for table, sql in sorted(tables):
        schema = schema_for(table)
        if schema is None:
            continue
        target = in_schema(con, schema, table)
        con.execute(_create_in(sql, table, target))
        con.execute(f'insert into {target} select * from {old}."{table}"')
        con.execute(f'drop table {old}."{table}"')

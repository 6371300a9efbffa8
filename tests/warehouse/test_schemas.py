"""Schemas (warehouse/layout.py): migration 070 moves a populated pre-070 warehouse's tables with their rows and keys;
a fresh warehouse has every table in its schema; every connection finds them by their plain names."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.db import MIGRATIONS_DIR, connect, connect_readonly, migrate
from warehouse.layout import SCHEMAS, schema_for
from warehouse.marts import build_marts


def _layout(con: Any) -> dict[str, tuple[str, str]]:
    """Table or view name -> (schema, type) in this database."""
    rows = con.execute(
        "select table_name, table_schema, table_type from information_schema.tables"
        " where table_catalog = current_database()"
    ).fetchall()
    return {name: (schema, kind) for name, schema, kind in rows}


def _columns(con: Any, schema: str, table: str) -> list[tuple[str, str, bool, str | None]]:
    return con.execute(
        "select column_name, data_type, is_nullable, column_default from duckdb_columns()"
        " where database_name = current_database() and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()


def _constraints(con: Any, schema: str, table: str) -> list[tuple[str, str]]:
    return sorted(
        con.execute(
            "select constraint_type, coalesce(expression, '') || list_sort(constraint_column_names)::varchar"
            " from duckdb_constraints() where database_name = current_database() and schema_name = ?"
            " and table_name = ?",
            [schema, table],
        ).fetchall()
    )


@pytest.fixture
def pre_070(tmp_path: Path) -> Path:
    """A warehouse at migration 060 with rows, a built-mart stand-in, a staging view, a macro and a scratch table."""
    before = tmp_path / "migrations-060"
    before.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:3]) < 70:
            shutil.copy(path, before / path.name)
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))  # plain: the warehouse as an older release left it, everything in main
    migrate(con, before)
    con.execute("insert into brands (brand_id, name_en, is_own, updated_at) values ('b1', 'B One', true, now())")
    con.execute(
        "insert into reviews (review_id, platform, external_id, text, first_seen_at, last_seen_at, content_hash)"
        " values ('r1', 'trustpilot', 'e1', 'Быстро и вежливо', now(), now(), 'h1'),"
        " ('r2', 'appstore', 'e2', 'slow', now(), now(), 'h2')"
    )
    con.execute(
        "insert into sentence_topics (review_id, sentence_index, topic_id, score, polarity, kind, start_char,"
        " end_char, content_hash, assigned_at, is_main, weight)"
        " values ('r1', 0, 'delivery', 0.9, 'positive', 'praise', 0, 6, 'h1', now(), true, 1.0)"
    )
    con.execute(
        "insert into flow_runs (flow_run_id, flow_name, started_at, status) values ('f1', 'nightly', now(), 'success')"
    )
    con.execute("create table mart_brand_period as select 'b1' as brand_id, 3 as n_reviews")
    con.execute("create macro wilson_low(k, n) as k / n")
    con.execute("create view stg_brands as select brand_id from brands")
    con.execute("create table my_notes as select 'keep me' as note")
    con.close()
    return db


def test_070_moves_every_table_with_its_rows_columns_and_keys(pre_070: Path) -> None:
    old = duckdb.connect(str(pre_070), read_only=True)  # plain: read the pre-070 state as it is
    tables = [t for t, (s, kind) in _layout(old).items() if kind == "BASE TABLE" and schema_for(t)]
    before = {
        t: (
            _columns(old, "main", t),
            _constraints(old, "main", t),
            old.sql(f"select * from {t} order by all").fetchall(),
        )
        for t in tables
    }
    old.close()

    con = connect(pre_070)
    layout = _layout(con)
    for table in tables:
        schema = schema_for(table)
        assert schema is not None
        assert layout[table] == (schema, "BASE TABLE"), table
        columns, constraints, rows = before[table]
        assert _columns(con, schema, table) == columns, table
        assert _constraints(con, schema, table) == constraints, table
        now = con.sql(f"select * from {schema}.{table} order by all").fetchall()
        if table == "schema_migrations":  # 070 itself is recorded
            now = [row for row in now if row[0] != 70]
        if table != "schema_comments":  # re-stamped after the migration
            assert now == rows, table
    assert layout["my_notes"] == ("main", "BASE TABLE")  # an analyst's table stays where it was
    assert [t for t, (s, _) in layout.items() if s == "main"] == ["my_notes"]
    assert con.execute(
        "select count(*) from duckdb_functions() where schema_name = 'main' and not internal"
    ).fetchone() == (0,)
    versions = [v for (v,) in con.execute("select version from internal.schema_migrations order by 1").fetchall()]
    assert versions[:12] == [1, 10, 11, 20, 30, 31, 32, 33, 34, 40, 50, 60] and {65, 70} <= set(versions)

    # keys and defaults work in the new place, through plain names
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "insert into reviews (review_id, platform, external_id, text, first_seen_at, last_seen_at, content_hash)"
            " values ('r1', 'x', 'y', 'z', now(), now(), 'h')"
        )
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "insert into sentence_topics (review_id, sentence_index, topic_id, score, polarity, kind, start_char,"
            " end_char, content_hash, assigned_at) values ('r2', 0, 't', 0.5, 'angry', 'praise', 0, 1, 'h', now())"
        )
    con.execute(
        "insert into reviews (review_id, platform, external_id, text, first_seen_at, last_seen_at, content_hash)"
        " values ('r3', 'x', 'e3', 'ok', now(), now(), 'h3')"
    )
    assert con.execute("select kind, version from raw.reviews where review_id = 'r3'").fetchone() == ("review", 1)
    con.close()

    # a second open is a no-op; a read-only, sandboxed open sees the same names
    assert connect(pre_070).execute("select count(*) from reviews").fetchone() == (3,)
    ro = connect_readonly(pre_070)
    assert ro.execute("select count(*) from flow_runs").fetchone() == (1,)
    assert ro.execute("select count(*) from schema_migrations").fetchone()[0] >= 12  # type: ignore[index]


def test_a_fresh_warehouse_puts_every_table_and_view_in_its_schema(tmp_path: Path) -> None:
    con = connect(tmp_path / "marts.duckdb")  # a file named like a schema must not make names ambiguous
    build_marts(con, timezone="Europe/Moscow")
    layout = _layout(con)
    misplaced = {name: where for name, where in layout.items() if where[0] != schema_for(name)}
    assert misplaced == {}, "tables or views outside their schema (warehouse/layout.py)"
    assert {s for s, _ in layout.values()} == set(SCHEMAS)
    kinds = {(s, k) for s, k in layout.values()}
    assert ("staging", "BASE TABLE") not in kinds and ("marts", "VIEW") not in kinds
    macros = {s for (s,) in con.execute("select schema_name from duckdb_functions() where not internal").fetchall()}
    assert macros == {"staging"}
    # unqualified reads work on every connection the project opens
    assert con.execute("select count(*) from stg_reviews").fetchone() == (0,)
    con.close()
    ro = connect_readonly(tmp_path / "marts.duckdb")
    assert ro.execute("select count(*) from mart_brand_period").fetchone() == (0,)
    assert (
        ro.execute("select current_setting('search_path')").fetchone()[0]
        == "marts.main,marts.marts,marts.staging,marts.enriched,marts.raw,marts.internal"
    )  # type: ignore[index]


def test_the_shell_and_molva_sql_see_every_schema_by_plain_names(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from molva.cli.main import app

    db = tmp_path / "wh.duckdb"
    con = connect(db)
    build_marts(con, timezone="UTC")
    con.close()
    runner = CliRunner()
    script = ".tables\n.schema raw.reviews\ncreate table scratch as select 1 as a;\n.quit\n"
    shell = runner.invoke(app, ["warehouse", "shell", "--db", str(db), "--write"], input=script, env={"COLUMNS": "200"})
    assert shell.exit_code == 0, shell.output
    for schema in SCHEMAS:
        assert schema in shell.output  # .tables lists the schema of each table and view
    assert "review text" in shell.output  # .schema raw.reviews shows the column comments
    query = "select (select count(*) from stg_reviews) + (select count(*) from reviews)"
    query += " + (select count(*) from flow_runs) as n"
    out = tmp_path / "n.csv"
    result = runner.invoke(app, ["sql", query, "--db", str(db), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().split() == ["n", "0"]
    placed = (
        connect_readonly(db)
        .execute("select table_schema from information_schema.tables where table_name = 'scratch'")
        .fetchall()
    )
    assert placed == [("main",)]  # an analyst's table lands in main, never among the warehouse's own

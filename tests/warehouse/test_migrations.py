from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import db as warehouse_db
from warehouse.db import MigrationError, available_migrations, connect, migrate


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


def test_migrate_from_empty_creates_core_tables_and_records_versions(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    assert {"brands", "sources", "crawl_runs", "reviews", "review_versions", "schema_migrations"} <= _tables(con)
    recorded = [r[0] for r in con.execute("select version from schema_migrations order by version").fetchall()]
    assert recorded == [m.version for m in available_migrations()]


def test_migrating_twice_is_a_noop(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    connect(path).close()
    con = warehouse_db.connect(path)
    before = con.execute("select * from schema_migrations order by version").fetchall()
    assert migrate(con) == []
    assert con.execute("select * from schema_migrations order by version").fetchall() == before


def test_failing_migration_rolls_back_and_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_ok.sql").write_text("create table a (x integer);")
    (folder / "002_broken.sql").write_text("create table b (y integer); create tabel oops;")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))  # plain: the runner on its own, with a test folder
    with pytest.raises(MigrationError, match=r"002_broken\.sql"):
        migrate(con, folder)
    tables = _tables(con)
    assert "a" in tables and "b" not in tables
    assert [r[0] for r in con.execute("select version from schema_migrations").fetchall()] == [1]


def test_badly_named_or_duplicate_migrations_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "1_short.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="NNN_lowercase_name"):
        available_migrations(tmp_path)
    (tmp_path / "1_short.sql").unlink()
    (tmp_path / "001_a.sql").write_text("select 1;")
    (tmp_path / "001_b.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match="used twice"):
        available_migrations(tmp_path)


def test_read_only_open_of_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no warehouse here yet"):
        connect(tmp_path / "absent.duckdb", read_only=True)


def test_columns_carry_the_docs_meaning_and_the_docs_name_only_real_columns() -> None:
    from warehouse.comments import read_dictionary
    from warehouse.marts import build_marts

    con = connect(":memory:")
    build_marts(con)
    dictionary = read_dictionary()
    columns = {
        (t, c): comment
        for t, c, comment in con.execute(
            "select table_name, column_name, comment from duckdb_columns() where not internal"
        ).fetchall()
    }
    tables = {t for t, _ in columns}
    drift = [f"{dictionary.where[k]}: {k[0]}.{k[1]}" for k in dictionary.columns if k not in columns]
    assert drift == [], "the docs describe columns the warehouse does not have"
    assert {t for t, _ in dictionary.columns} <= tables
    assert columns[("reviews", "content_hash")] == dictionary.columns[("reviews", "content_hash")]
    assert columns[("reviews", "content_hash")].startswith("sha256 of title, text, rating")
    assert columns[("mart_brand_period", "period_grain")] == "day, week or month"  # marts: after each rebuild
    described = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
    assert described["crawl_runs"] == "One row per crawl of one source."
    assert sum(1 for v in columns.values() if v) == len(dictionary.columns)


def test_comments_are_refreshed_only_when_the_dictionary_changes(tmp_path: Path) -> None:
    from warehouse.db import comment_columns

    con = connect(tmp_path / "w.duckdb")
    assert comment_columns(con) == 0  # connect already commented; nothing changed since
    con.execute("comment on column reviews.text is 'edited by hand'")
    con.execute("delete from schema_comments")
    assert comment_columns(con) > 50  # the raw tables (marts are commented when built)
    assert con.execute(
        "select comment from duckdb_columns() where table_name = 'reviews' and column_name = 'text'"
    ).fetchone() == ("review text (never empty)",)

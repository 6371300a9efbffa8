"""Fault suite: `molva sql` is read-only and sandboxed; reading commands never create a warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from molva.cli.main import app
from warehouse import db as warehouse_db

runner = CliRunner()


@pytest.fixture
def warehouses(tmp_path: Path) -> tuple[Path, Path]:
    main = tmp_path / "main.duckdb"
    other = tmp_path / "other.duckdb"
    assert runner.invoke(app, ["warehouse", "migrate", "--db", str(main)]).exit_code == 0
    con = duckdb.connect(str(other))  # plain: a foreign DuckDB file, not a warehouse
    con.execute("create table reviews as select range as id from range(1500)")
    con.close()
    return main, other


def _other_rows(other: Path) -> int:
    con = warehouse_db.connect(other, read_only=True)
    n = con.execute("select count(*) from reviews").fetchone()
    con.close()
    assert n is not None
    return int(n[0])


@pytest.mark.parametrize(
    "query",
    [
        "attach '{other}' as v (READ_WRITE)",
        "attach '{other}' as v",
        "copy (select 'x') to '{victim}'",
        "select * from read_text('/etc/passwd')",
        "select * from read_csv('/etc/passwd')",
        "set enable_external_access = true",
        "set lock_configuration = false",
        "create table t (x int)",
        "delete from schema_migrations",
        "install httpfs",
    ],
)
def test_console_refuses_writes_files_and_attach(warehouses: tuple[Path, Path], tmp_path: Path, query: str) -> None:
    main, other = warehouses
    victim = tmp_path / "config.yaml"
    victim.write_text("keep: me\n")
    result = runner.invoke(app, ["sql", query.format(other=other, victim=victim), "--db", str(main)])
    assert result.exit_code == 1, result.output
    assert "error" in result.output and "Traceback" not in result.output
    assert victim.read_text() == "keep: me\n"
    assert _other_rows(other) == 1500


def test_file_access_gives_a_clear_message(warehouses: tuple[Path, Path]) -> None:
    main, _ = warehouses
    result = runner.invoke(app, ["sql", "select * from read_text('/etc/passwd')", "--db", str(main)])
    assert "not allowed in the read-only console" in result.output
    assert "root:" not in result.output


def test_query_from_file_stdin_and_leading_comment(warehouses: tuple[Path, Path], tmp_path: Path) -> None:
    main, _ = warehouses
    qfile = tmp_path / "q.sql"
    qfile.write_text("-- how many migrations\nselect count(*) > 0 as has_migrations from schema_migrations;\n")
    by_file = runner.invoke(app, ["sql", "--file", str(qfile), "--db", str(main)])
    assert by_file.exit_code == 0 and "True" in by_file.output, by_file.output
    by_stdin = runner.invoke(app, ["sql", "-", "--db", str(main)], input="select 40 + 2 as answer")
    assert by_stdin.exit_code == 0 and "42" in by_stdin.output, by_stdin.output
    comment_first = runner.invoke(app, ["sql", "-- a comment\nselect 7 * 6 as answer", "--db", str(main)])
    assert comment_first.exit_code == 0 and "42" in comment_first.output, comment_first.output
    neither = runner.invoke(app, ["sql", "--db", str(main)])
    assert neither.exit_code == 2 and "give a query" in neither.output


def test_result_files_are_still_written_by_the_console(warehouses: tuple[Path, Path], tmp_path: Path) -> None:
    main, _ = warehouses
    out = tmp_path / "out" / "q.csv"
    result = runner.invoke(
        app, ["sql", "select 1 as a union all select 2", "-f", "csv", "-o", str(out), "--db", str(main)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(out.read_text().split()[1:]) == ["1", "2"]


@pytest.mark.parametrize("args", [["sql", "select 1"], ["topics", "list"]])
def test_reading_commands_never_create_a_warehouse(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere" / "absent.duckdb"
    result = runner.invoke(app, [*args, "--db", str(missing)])
    assert result.exit_code == 1 and "no warehouse here" in result.output, result.output
    assert not missing.exists() and not missing.parent.exists()


def test_foreign_and_locked_files_are_messages_not_tracebacks(warehouses: tuple[Path, Path], tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.duckdb"
    foreign.write_bytes(b"PK\x03\x04 this is a zip, not a warehouse" * 200)
    result = runner.invoke(app, ["sql", "select 1", "--db", str(foreign)])
    assert result.exit_code == 1 and "not a readable DuckDB warehouse" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)

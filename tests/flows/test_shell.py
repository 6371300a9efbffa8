"""`molva warehouse shell`: an SQL console on the warehouse with the DuckDB version that wrote it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from molva.cli.main import app
from warehouse.db import connect


def test_shell_runs_statements_and_dot_commands_read_only(tmp_path: Path) -> None:
    db = tmp_path / "wh.duckdb"
    connect(db).close()
    script = "select 40 +\n  2 as answer;\n.tables\n.schema reviews\n"
    script += "create table x (a int);\nselect 'after' as s;\n.quit\n"
    result = CliRunner().invoke(app, ["warehouse", "shell", "--db", str(db)], input=script)
    assert result.exit_code == 0, result.output
    assert "answer" in result.output and "42" in result.output
    assert "reviews" in result.output and "content_hash" in result.output  # .tables, then .schema
    assert "read-only" in result.output.lower()  # the create was refused, and the session went on
    assert "after" in result.output


def test_shell_on_a_missing_warehouse_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["warehouse", "shell", "--db", str(tmp_path / "nope.duckdb")], input=".quit\n")
    assert result.exit_code == 1 and "no warehouse here yet" in result.output
    assert not (tmp_path / "nope.duckdb").exists()

"""Fault suite: a JSONL load skips a bad line and goes on; NUL bytes never reach the warehouse."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from molva.cli.main import app
from warehouse import db as warehouse_db

runner = CliRunner()


def _line(i: int, text: str = "fine") -> bytes:
    return (json.dumps({"platform": "p", "external_id": str(i), "text": f"{text} {i}"}) + "\n").encode()


def test_one_invalid_utf8_byte_rejects_that_line_only(tmp_path: Path) -> None:
    src = tmp_path / "r.jsonl"
    lines = [_line(i) for i in range(1, 11)]
    lines[4] = lines[4].replace(b"fine", b"fi\xffne")  # line 5
    src.write_bytes(b"".join(lines))
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["warehouse", "load", str(src), "--db", str(db)])
    assert "9 new" in result.output and "1 rejected" in result.output, result.output
    rejects = [json.loads(x) for x in (tmp_path / "r.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rejects] == [(5, "<line>")]
    assert "invalid UTF-8" in rejects[0]["reason"]
    con = warehouse_db.connect(db, read_only=True)
    stored = sorted(int(x) for (x,) in con.execute("select external_id from reviews").fetchall())
    assert stored == [1, 2, 3, 4, 6, 7, 8, 9, 10]  # served = stored, exactly once, the failure recorded


def test_nul_bytes_are_stripped_from_text(tmp_path: Path) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text(json.dumps({"platform": "p", "external_id": "1", "text": "a\u0000b", "title": "t\u0000"}) + "\n")
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["warehouse", "load", str(src), "--db", str(db)]).exit_code == 0
    con = warehouse_db.connect(db, read_only=True)
    assert con.execute("select text, title from reviews").fetchall() == [("ab", "t")]


def test_load_into_a_foreign_file_is_a_message(tmp_path: Path) -> None:
    src = tmp_path / "r.jsonl"
    src.write_bytes(_line(1))
    foreign = tmp_path / "w.duckdb"
    foreign.write_bytes(b"not a database" * 500)
    result = runner.invoke(app, ["warehouse", "load", str(src), "--db", str(foreign)])
    assert result.exit_code == 1 and "not a readable DuckDB warehouse" in result.output, result.output

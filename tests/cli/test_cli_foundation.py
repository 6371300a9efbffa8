"""The foundation's CLI: config check, warehouse migrate/load/export/tables, sql."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from molva.cli.main import app
from warehouse import db as warehouse_db

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def rows() -> list[dict[str, object]]:
    return [
        {"platform": "appstore", "external_id": "1", "text": "Удобное приложение", "rating": 5, "rating_scale": 5},
        {"platform": "appstore", "external_id": "2", "text": "Crashes on login", "rating": 1, "rating_scale": 5},
    ]


def write_jsonl(path: Path, items: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in items) + "\n")
    return path


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("config", "warehouse", "sql"):
        assert command in result.output


def test_config_check_exit_codes(tmp_path: Path) -> None:
    assert runner.invoke(app, ["config", "check", str(REPO / "configs" / "demo.yaml")]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("project:\n  name: x\nbrands: []\n")
    result = runner.invoke(app, ["config", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: brands" in result.output


def test_migrate_twice_is_a_noop(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = runner.invoke(app, ["warehouse", "migrate", "--db", str(db)])
    second = runner.invoke(app, ["warehouse", "migrate", "--db", str(db)])
    assert first.exit_code == 0 and "applied 001_core" in first.output
    assert second.exit_code == 0 and "(0 applied now)" in second.output


def test_load_jsonl_twice_is_idempotent_and_rejects_are_written(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    src = write_jsonl(tmp_path / "r.jsonl", [*rows(), "{broken", {"platform": "appstore", "external_id": "3"}])
    first = runner.invoke(app, ["warehouse", "load", str(src), "--db", str(db)])
    assert first.exit_code == 1, first.output  # rows were rejected, the good ones loaded
    assert "2 new" in first.output and "2 rejected" in first.output
    rejects = [json.loads(x) for x in (tmp_path / "r.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rejects] == [(3, "<line>"), (4, "text")]
    con = warehouse_db.connect(db)
    before = {t: con.execute(f"select * from {t} order by all").fetchall() for t in ("reviews", "review_versions")}
    con.close()
    second = runner.invoke(app, ["warehouse", "load", str(src), "--db", str(db)])
    assert "0 new, 0 updated, 2 unchanged" in second.output
    con = warehouse_db.connect(db)
    after = {t: con.execute(f"select * from {t} order by all").fetchall() for t in ("reviews", "review_versions")}
    assert after == before


def test_load_parquet_and_query_and_export(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    src = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist(rows()), src)
    assert runner.invoke(app, ["warehouse", "load", str(src), "--db", str(db)]).exit_code == 0
    shown = runner.invoke(app, ["sql", "select count(*) as n from reviews", "--db", str(db)])
    assert shown.exit_code == 0 and "2" in shown.output
    out = tmp_path / "q.csv"
    assert (
        runner.invoke(
            app, ["sql", "select external_id from reviews order by 1", "-f", "csv", "-o", str(out), "--db", str(db)]
        ).exit_code
        == 0
    )
    assert out.read_text().split() == ["external_id", "1", "2"]
    out_json = tmp_path / "q.json"
    runner.invoke(
        app, ["sql", "select external_id from reviews order by 1;", "-f", "json", "-o", str(out_json), "--db", str(db)]
    )
    assert [r["external_id"] for r in json.loads(out_json.read_text())] == ["1", "2"]
    export = runner.invoke(app, ["warehouse", "export", str(tmp_path / "dump"), "--db", str(db)])
    assert export.exit_code == 0
    assert pq.read_table(tmp_path / "dump" / "reviews.parquet").num_rows == 2


def test_sql_errors_are_reported_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    runner.invoke(app, ["warehouse", "migrate", "--db", str(db)])
    result = runner.invoke(app, ["sql", "select nope from reviews", "--db", str(db)])
    assert result.exit_code == 1 and "SQL error" in result.output
    missing = runner.invoke(app, ["sql", "select 1", "--db", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 1 and "no warehouse here yet" in missing.output

"""`molva marts build | check | list` on a small warehouse file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from molva.cli.main import app
from warehouse.db import connect


def test_marts_commands(tmp_path: Path) -> None:
    db = tmp_path / "m.duckdb"
    con = connect(db)
    con.execute("insert into brands values ('acme', 'Acme', null, [], true, now())")
    con.execute(
        "insert into reviews (review_id, brand_id, platform, external_id, rating, rating_norm, text, published_at,"
        " first_seen_at, last_seen_at, content_hash) values"
        " ('r1', 'acme', 'trustpilot', 'e1', 5, 1.0, 'great', '2026-11-02', now(), now(), 'h1'),"
        " ('r2', 'acme', 'trustpilot', 'e2', 1, 0.0, 'late', '2026-11-03', now(), now(), 'h2')"
    )
    con.close()
    runner = CliRunner()
    built = runner.invoke(app, ["marts", "build", "--db", str(db)])
    assert built.exit_code == 0, built.output
    assert "mart_brand_period" in built.output
    checked = runner.invoke(app, ["marts", "check", "--db", str(db)])
    assert checked.exit_code == 0 and "all mart contracts hold" in checked.output
    listed = runner.invoke(app, ["marts", "list", "--db", str(db)])
    assert listed.exit_code == 0 and "stg_reviews" in listed.output
    con = connect(db)
    con.execute("insert into mart_brand_period select * from mart_brand_period")  # break the unique key
    con.close()
    broken = runner.invoke(app, ["marts", "check", "--db", str(db)])
    assert broken.exit_code == 1 and "unique_key" in broken.output

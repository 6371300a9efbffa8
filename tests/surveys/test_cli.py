"""`molva surveys ...` end to end on the sample export, in a tmp_path warehouse."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from typer.testing import CliRunner

from molva.cli.main import app
from warehouse import db as warehouse_db

from .conftest import RU_CSV, SURVEY_YAML

runner = CliRunner()


def _import(tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    export = tmp_path / RU_CSV.name
    shutil.copy(RU_CSV, export)
    db = tmp_path / "molva.duckdb"
    args = ["surveys", "import", str(export), "--mapping", str(SURVEY_YAML), "--db", str(db), *extra]
    return runner.invoke(app, args, env={"COLUMNS": "200"}), export, db


def test_import_reports_and_exits_1(tmp_path: Path) -> None:
    result, export, _ = _import(tmp_path)
    assert result.exit_code == 1, result.output
    assert "12 rows, 9 new, 0 updated, 0 unchanged, 3 rejected, 1 with dropped values" in result.output
    assert "outside the 0-10 scale" in result.output and "blank respondent id" in result.output
    with (tmp_path / (export.name + ".rejects.csv")).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["line"], r["action"]) for r in rows] == [
        ("3", "rejected"), ("9", "coerced"), ("10", "rejected"), ("12", "rejected")
    ]  # fmt: skip


def test_dry_run_and_clean_reimport(tmp_path: Path) -> None:
    dry, _, _ = _import(tmp_path, "--dry-run", "--rejects", str(tmp_path / "r.csv"))
    assert "would import" in dry.output and "9 new" in dry.output
    _import(tmp_path)
    again, _, _ = _import(tmp_path)
    assert "0 new, 0 updated, 9 unchanged" in again.output


def test_indices_table(tmp_path: Path) -> None:
    _, _, db = _import(tmp_path)
    result = runner.invoke(app, ["surveys", "indices", "--by", "touchpoint", "--db", str(db)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "поддержка" in row)
    assert "-66.7" in line and "28.3" in line  # tNPS of support and its CSI
    quarter = runner.invoke(app, ["surveys", "indices", "--period", "quarter", "--db", str(db)], env={"COLUMNS": "200"})
    assert "2024-01-01" in quarter.output and "2024-04-01" in quarter.output
    bad = runner.invoke(app, ["surveys", "indices", "--by", "region", "--db", str(db)])
    assert bad.exit_code == 2


def test_drivers_and_topics(tmp_path: Path) -> None:
    _, _, db = _import(tmp_path)
    args = ["surveys", "drivers", "--survey", "cx-2024-h1", "--db", str(db)]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "n = 8" in result.output and "product" in result.output
    missing = runner.invoke(app, ["surveys", "drivers", "--survey", "nope", "--db", str(db)])
    assert missing.exit_code == 1
    topics = runner.invoke(app, ["surveys", "topics", "--db", str(db)])
    assert topics.exit_code == 0 and "no tagged open answers" in topics.output


def test_bad_mapping_names_the_file(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("survey_id: s\n")
    result = runner.invoke(
        app, ["surveys", "import", str(RU_CSV), "--mapping", str(mapping), "--db", str(tmp_path / "x.duckdb")]
    )
    assert result.exit_code == 1
    assert "m.yaml" in result.output and "respondent_id" in result.output


def test_unknown_brand_is_a_warning_and_fix_first_is_printed(tmp_path: Path) -> None:
    result, _, db = _import(tmp_path)
    assert "brand_id 'acme' is not in the brands table" in result.output
    out = runner.invoke(app, ["surveys", "drivers", "--survey", "cx-2024-h1", "--db", str(db)], env={"COLUMNS": "200"})
    assert "Fix first: 1. " in out.output


def test_tag_wires_the_models(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The command passes the loaded predictor and tagger to tag_open_answers (models replaced by fakes here)."""
    from molva.cli.commands import surveys as cli

    from .test_tagging import fake_sentiment, fake_topics

    _, _, db = _import(tmp_path)
    monkeypatch.setattr(cli, "_sentiment_predictor", lambda model, config: (fake_sentiment, "fake-model"))
    monkeypatch.setattr(cli, "_topic_tagger", lambda taxonomy, config: fake_topics)
    result = runner.invoke(app, ["surveys", "tag", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "7 open answers: 7 sentiment labels (fake-model), 8 topic tags" in result.output
    topics = runner.invoke(app, ["surveys", "topics", "--db", str(db)], env={"COLUMNS": "200"})
    assert topics.output.index("support") < topics.output.index("price") < topics.output.index("delivery")

    def missing(model, config):  # type: ignore[no-untyped-def]
        raise FileNotFoundError("model.json missing")

    monkeypatch.setattr(cli, "_sentiment_predictor", missing)
    failed = runner.invoke(app, ["surveys", "tag", "--db", str(db)])
    assert failed.exit_code == 1 and "--no-sentiment" in failed.output


def test_indices_come_from_the_marts_rebuilt_first(tmp_path: Path) -> None:
    """The command rebuilds the marts (so a change shows), --no-build reads them as last built; undated rows print."""

    _, _, db = _import(tmp_path)
    args = ["surveys", "indices", "--period", "week", "--db", str(db)]
    first = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "undated" not in first.output and "2024-01-08" in first.output  # r01's week (Monday)
    con = warehouse_db.connect(db)
    con.execute("update survey_responses set responded_at = null where respondent_id = 'r01'")
    con.close()
    stale = runner.invoke(app, [*args, "--no-build"], env={"COLUMNS": "200"})
    assert stale.exit_code == 0 and "undated" not in stale.output  # the marts as last built
    fresh = runner.invoke(app, args, env={"COLUMNS": "200"})
    line = next(row for row in fresh.output.splitlines() if "undated" in row)
    assert " 1 " in line and "100.0" in line  # r01 alone: n 1, NPS 10 -> +100
    assert "2024-01-08" not in fresh.output
    day = runner.invoke(app, ["surveys", "indices", "--period", "day", "--db", str(db)], env={"COLUMNS": "200"})
    assert day.exit_code == 0 and "2024-01-19" in day.output  # r02, answered 20.01 00:00 MSK
    everything = runner.invoke(app, ["surveys", "indices", "--db", str(db)], env={"COLUMNS": "200"})
    line = next(row for row in everything.output.splitlines() if "cx-2024-h1" in row)
    assert " 9 " in line and "12.5" in line  # period all counts the undated response too

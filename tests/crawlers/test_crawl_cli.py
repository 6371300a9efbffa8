"""``molva parse`` and ``molva crawl`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from crawl_mockserver import Canned, MockServer
from crawl_pages import jsonld_page, review
from crawl_support import FIXTURES, REPO
from typer.testing import CliRunner

from molva.cli.main import app

runner = CliRunner()


def test_parse_prints_one_json_object_per_review() -> None:
    result = runner.invoke(
        app,
        [
            "parse",
            str(FIXTURES / "irecommend" / "product_list.html"),
            "--platform",
            "selectors",
            "--selectors",
            str(REPO / "configs" / "selectors" / "irecommend.yaml"),
            "--url",
            "https://irecommend.ru/content/akme-bank",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == 2
    keys = {"external_id", "text", "title", "rating", "rating_scale", "author", "published_at", "url", "reply_text"}
    assert keys <= set(rows[0])
    assert rows[1]["url"] == "https://irecommend.ru/content/akme-bank-otzyv-12345001"
    assert rows[1]["published_at"] == "2024-03-12T00:00:00+00:00"


def test_parse_reports_bad_usage_and_empty_pages(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><body>no reviews</body></html>", encoding="utf-8")
    empty = runner.invoke(app, ["parse", str(page), "--platform", "structured"])
    assert empty.exit_code == 1 and "no reviews found" in empty.output
    assert runner.invoke(app, ["parse", str(page), "--platform", "selectors"]).exit_code == 2
    assert runner.invoke(app, ["parse", str(page), "--platform", "nope"]).exit_code == 2
    missing = runner.invoke(app, ["parse", str(tmp_path / "missing.html"), "--platform", "structured"])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_crawl_command_runs_sources_and_fails_on_a_broken_one(mockserver: MockServer, tmp_path: Path) -> None:
    mockserver.add("/good", Canned(jsonld_page([review(1), review(2)]).encode()))
    mockserver.add("/gone", Canned(b"", 410))
    config = tmp_path / "molva.yaml"
    config.write_text(
        "project: {name: t}\nbrands: [{id: acme, names: {en: Acme}, is_own: true}]\n"
        "sources:\n"
        f"  - {{id: good, brand: acme, platform: structured, url: '{mockserver.url('/good')}'}}\n"
        f"  - {{id: gone, brand: acme, platform: structured, url: '{mockserver.url('/gone')}'}}\n"
        f"warehouse: {{path: '{tmp_path / 'wh.duckdb'}'}}\ncrawl: {{download_delay: 0}}\n",
        encoding="utf-8",
    )
    only_good = runner.invoke(app, ["crawl", "--config", str(config), "--source", "good"])
    assert only_good.exit_code == 0, only_good.output
    assert "success" in only_good.output and "2 new" in only_good.output
    both = runner.invoke(app, ["crawl", "--config", str(config)])
    assert both.exit_code == 1 and "failed" in both.output and "HTTP 410" in both.output
    unknown = runner.invoke(app, ["crawl", "--config", str(config), "--source", "nope"])
    assert unknown.exit_code == 1 and "unknown source" in unknown.output

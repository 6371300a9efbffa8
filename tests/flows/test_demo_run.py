"""`molva run` end to end on the bundled demo corpus: a loopback server, the real spiders, the marts and the digest.

Enrichment is switched off (its models have their own tests); three sources of three platforms keep it short.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from flows.nightly import nightly
from molva.demo.server import DemoServer
from warehouse import db as warehouse_db

REPO = Path(__file__).resolve().parents[2]
KEEP = {"lastochka-trustpilot", "strela-appstore", "volna-otzyvy"}


def _config(tmp_path: Path) -> Path:
    data = yaml.safe_load((REPO / "configs" / "demo.yaml").read_text(encoding="utf-8"))
    data["sources"] = [s for s in data["sources"] if s["id"] in KEEP]
    data["warehouse"] = {"path": str(tmp_path / "demo.duckdb")}
    data["digest"]["out_dir"] = str(tmp_path / "reports")
    path = tmp_path / "demo.yaml"
    # keep the loopback URLs verbatim: `molva run` recognises a demo config by them
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_molva_run_crawls_the_demo_corpus_and_reruns_without_new_work(tmp_path: Path) -> None:
    config = _config(tmp_path)
    command = [sys.executable, "-m", "molva.cli.main", "run", "--config", str(config), "--no-enrich", "--port", "0"]
    first = subprocess.run([*command, "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert f"warehouse: {tmp_path / 'demo.duckdb'}" in output
    digests = sorted(p.suffix for p in (tmp_path / "reports").glob("digest-lastochka-*") if p.is_file())
    assert digests == [".html", ".md", ".pdf"], output
    con = warehouse_db.connect(tmp_path / "demo.duckdb", read_only=True)
    try:
        per_source = dict(con.execute("select source_id, count(*) from reviews group by all").fetchall())
        assert per_source == {"lastochka-trustpilot": 142, "strela-appstore": 60, "volna-otzyvy": 49}
        weeks = con.execute(
            "select count(distinct period_start) from mart_brand_period where period_grain = 'week'"
        ).fetchone()
        assert weeks is not None and weeks[0] >= 8
        assert con.execute("select count(*) from mart_competitors").fetchone()[0] > 0  # type: ignore[index]
    finally:
        con.close()

    # the same night again, in this process: the demo server on the port the run config names
    run_config = tmp_path / "demo-run-config.yaml"
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)", run_config.read_text(encoding="utf-8")).group(1))  # type: ignore[union-attr]
    with DemoServer(port=port):
        again = nightly(config_path=str(run_config), enrich=False, crawl_retries=0, quiet=True)
    assert again["status"] == "success"
    assert again["totals"]["n_new"] == 0 and again["totals"]["n_updated"] == 0
    con = warehouse_db.connect(tmp_path / "demo.duckdb", read_only=True)
    try:
        assert con.execute("select count(*) from reviews").fetchone() == (251,)
    finally:
        con.close()

"""The project's own environment works as a Prefect server and worker: `prefect server start` on 127.0.0.1 with a temp
PREFECT_HOME, `prefect deploy --all` from prefect.yaml to a `process` work pool, `prefect worker start`, and the
nightly deployment run on a small demo config finishing `Completed` — and a night with a dead source ending `Failed`
with the run's verdict as the state message.

Slow (a real server, deployments and flow-run subprocesses): about a minute on 2 cores.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from molva.demo.runconfig import demo_run_config
from molva.demo.server import DemoServer
from warehouse import db as warehouse_db

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
KEEP = {"lastochka-trustpilot", "strela-appstore", "volna-otzyvy"}

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _prefect(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [PREFECT, "--no-prompt", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{output[-3000:]}"
    return output


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A `prefect server start` of its own (temp PREFECT_HOME, SQLite, a free port); yields the clients' environment."""
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")
    }  # nothing from the test harness or the user's profile
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="1",
        MOLVA_HOME=str(REPO),
        PYTHONPATH=str(REPO),
        COLUMNS="200",  # rich tables of `prefect … ls` untruncated
    )
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/api/health")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "prefect server did not answer in 120 s"
                time.sleep(1)
        yield env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _config(tmp_path: Path, base_url: str, *, dead_source: bool) -> Path:
    data = yaml.safe_load((REPO / "configs" / "demo.yaml").read_text(encoding="utf-8"))
    data["sources"] = [s for s in data["sources"] if s["id"] in KEEP]
    if dead_source:  # nothing listens on this port: the crawl fails and the other sources go on
        dead = f"http://127.0.0.1:{_free_port()}/trustpilot"
        data["sources"].append({**data["sources"][0], "id": "dead-trustpilot", "options": {"base_url": dead}})
    name = "dead" if dead_source else "ok"
    source = tmp_path / f"{name}.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return demo_run_config(
        source, base_url, tmp_path / f"{name}-run.yaml", db_path=str(tmp_path / f"{name}.duckdb"),
        reports_dir=str(tmp_path / "reports"), crawl_overrides={"download_delay": 0.0},
    )  # fmt: skip


def _run_deployment(env: dict[str, str], config: Path) -> str:
    params = json.dumps({"config_path": str(config), "enrich": False, "crawl_retries": 0, "quiet": True})
    output = _prefect(env, "deployment", "run", "nightly/molva-nightly", "--params", params)
    found = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
    assert found, output
    return found.group(1)


def _wait_final(env: dict[str, str], flow_run_id: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _get(f"{env['PREFECT_API_URL']}/flow_runs/{flow_run_id}")
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return dict(run)
        time.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} not finished after {timeout} s: {run['state']}")


def test_deploy_to_a_process_pool_and_a_worker_runs_the_nightly(prefect_server: dict[str, str], tmp_path: Path) -> None:
    env = prefect_server
    _prefect(env, "work-pool", "create", "molva-pool", "--type", "process")
    deployed = _prefect(env, "deploy", "--all", timeout=300)
    # an HTTP 422 from the API (FastAPI validation); not the digits inside a deployment's UUID
    assert not re.search(r"(?<![\w-])422(?![\w-])", deployed), deployed
    listed = _prefect(env, "deployment", "ls")
    for name in ("nightly/molva-nightly", "weekly_digest/molva-weekly-digest", "backfill/molva-backfill"):
        assert name in listed, listed
    assert "molva-pool" in _prefect(env, "work-pool", "ls")

    worker_log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "molva-pool", "--type", "process"],
        cwd=REPO, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        with DemoServer(port=0) as demo:
            ok_run = _run_deployment(env, _config(tmp_path, demo.base_url, dead_source=False))
            dead_run = _run_deployment(env, _config(tmp_path, demo.base_url, dead_source=True))
            ok, dead = _wait_final(env, ok_run), _wait_final(env, dead_run)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        worker_log.close()
    log = (tmp_path / "worker.log").read_text(encoding="utf-8")
    assert ok["state"]["type"] == "COMPLETED", (ok["state"], log[-4000:])
    assert ok["work_pool_name"] == "molva-pool"
    assert dead["state"]["type"] == "FAILED", (dead["state"], log[-4000:])
    assert dead["state"]["message"].startswith("nightly partial: 1 of 4 sources failed (dead-trustpilot)")

    con = warehouse_db.connect(tmp_path / "ok.duckdb", read_only=True)
    try:
        assert con.execute("select flow_run_id, status from flow_runs").fetchall() == [(ok_run, "success")]
        per_source = dict(con.execute("select source_id, count(*) from reviews group by all").fetchall())
        assert per_source == {"lastochka-trustpilot": 142, "strela-appstore": 60, "volna-otzyvy": 49}
    finally:
        con.close()

"""Fault suite: a full disk during a load names the real cause and loses nothing stored; a locked or foreign
warehouse is a one-line message (exit 1) for `sql`, `enrich` and `warehouse load`, never a traceback."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from molva.cli.main import app
from warehouse.db import WarehouseOpenError, connect, connect_readonly, open_writable
from warehouse.loader import LoadError, load_reviews

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _rows(prefix: str, n: int, size: int = 20) -> list[dict[str, Any]]:
    return [{"platform": "p", "external_id": f"{prefix}{i}", "text": f"{prefix} {i} " + "x" * size} for i in range(n)]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _stored(db: Path) -> list[str]:
    con = connect(db, read_only=True)  # warehouse.db: the search_path finds raw.reviews
    try:
        return sorted(x for (x,) in con.execute("select external_id from reviews").fetchall())
    finally:
        con.close()


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse holding 100 reviews s0…s99 (the rows that must survive every fault below)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOLVA_AUTHOR_SALT", "test-salt")
    db = tmp_path / "w.duckdb"
    result = runner.invoke(
        app, ["warehouse", "load", str(_write_jsonl(tmp_path / "s.jsonl", _rows("s", 100))), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return db


# --- a full disk (a real file-size limit) during a load ---------------------------------------------------------


def test_file_too_large_is_the_message_and_stored_rows_survive(seeded: Path, tmp_path: Path) -> None:
    big = _write_jsonl(tmp_path / "big.jsonl", _rows("b", 3000, size=1000))  # ~3 MB: its WAL cannot fit
    limit = seeded.stat().st_size + 64 * 1024

    def cap_file_size() -> None:  # in the child only: any file it writes may grow to `limit` bytes
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(REPO), "MOLVA_AUTHOR_SALT": "test-salt"}
    command = [sys.executable, "-m", "molva.cli.main", "warehouse", "load", str(big), "--db", str(seeded)]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, preexec_fn=cap_file_size
    )
    message = done.stderr.strip()
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "File too large" in message and "the disk is full or a file-size limit" in message.lower(), message
    assert "Traceback" not in message and "cannot rollback" not in message
    assert len(message.splitlines()) == 1, message
    assert _stored(seeded) == sorted(f"s{i}" for i in range(100))  # nothing already stored was lost

    # With room again the same file loads completely, each review once.
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert _stored(seeded) == sorted([f"s{i}" for i in range(100)] + [f"b{i}" for i in range(3000)])


class _CommitFailsOnce:
    """A connection whose ``n``-th commit fails the way DuckDB's does on a full disk: the transaction is over (so a
    rollback finds none) and an IO error is raised."""

    def __init__(self, con: duckdb.DuckDBPyConnection, n: int) -> None:
        self._con, self._n, self._commits = con, n, 0

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.strip().lower() == "commit":
            self._commits += 1
            if self._commits == self._n:
                self._con.execute("rollback")
                raise duckdb.IOException('Could not write file "w.duckdb.wal": File too large')
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def test_a_failed_commit_names_its_cause_and_keeps_earlier_batches(seeded: Path) -> None:
    con = connect(seeded)
    try:
        with pytest.raises(LoadError) as info:
            load_reviews(_CommitFailsOnce(con, 2), _rows("n", 30), salt="test-salt", batch_size=10)  # type: ignore[arg-type]
        error = info.value
        assert isinstance(error.cause, duckdb.IOException)
        assert "File too large" in str(error) and "rows 11–20" in str(error)
        assert "cannot rollback" not in str(error)
        assert error.stored.n_new == 10  # batch 1 was committed before batch 2 failed
        assert "10 rows of this load were stored" in str(error)
    finally:
        con.close()
    expected = [f"s{i}" for i in range(100)] + [f"n{i}" for i in range(10)]
    assert _stored(seeded) == sorted(expected)  # batch 2 rolled back, batch 3 never written, nothing older lost


# --- locked and foreign warehouses: a message, exit 1, for every command that opens one --------------------------


@contextmanager
def _lock_held(db: Path) -> Iterator[None]:
    """Another process holds ``db``'s write lock inside the block."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=10)


def _commands(db: Path, tmp_path: Path) -> dict[str, list[str]]:
    load_file = _write_jsonl(tmp_path / "new.jsonl", _rows("new", 5))
    return {
        "sql": ["sql", "select count(*) from reviews", "--db", str(db)],
        "enrich": ["enrich", "--step", "duplicates", "--db", str(db)],
        "load": ["warehouse", "load", str(load_file), "--db", str(db)],
        "migrate": ["warehouse", "migrate", "--db", str(db)],
    }


def _assert_one_line_message(result: Any, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught error
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error ") and expected in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["sql", "enrich", "load", "migrate"])
def test_a_locked_warehouse_is_a_message(seeded: Path, tmp_path: Path, command: str) -> None:
    with _lock_held(seeded):
        result = runner.invoke(app, _commands(seeded, tmp_path)[command])
    _assert_one_line_message(result, "locked by another process")
    assert _stored(seeded) == sorted(f"s{i}" for i in range(100))


@pytest.mark.parametrize("command", ["sql", "enrich", "load", "migrate"])
def test_a_foreign_file_is_a_message_and_left_as_it_was(seeded: Path, tmp_path: Path, command: str) -> None:
    foreign = tmp_path / "foreign.duckdb"
    content = b"PK\x03\x04 a zip archive, not a duckdb warehouse " * 400
    foreign.write_bytes(content)
    result = runner.invoke(app, _commands(foreign, tmp_path)[command])
    _assert_one_line_message(result, "not a readable DuckDB warehouse")
    assert foreign.read_bytes() == content
    assert not (tmp_path / "foreign.duckdb.wal").exists()


def test_a_sqlite_file_is_refused_before_duckdb_sniffs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB would open an SQLite file by fetching its sqlite extension from the internet; the header check stops it
    first (duckdb.connect is never called, so this test cannot reach the network even when the check is missing)."""
    foreign = tmp_path / "old.db"
    foreign.write_bytes(b"SQLite format 3\x00" + bytes(4096))

    def no_connect(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("duckdb.connect was given a foreign file")

    monkeypatch.setattr(duckdb, "connect", no_connect)
    for open_it in (lambda: connect(foreign), lambda: connect(foreign, read_only=True), lambda: open_writable(foreign),
                    lambda: connect_readonly(foreign)):  # fmt: skip
        with pytest.raises(WarehouseOpenError, match="not a readable DuckDB warehouse"):
            open_it()

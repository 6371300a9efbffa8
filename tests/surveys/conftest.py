"""Shared fixtures of the survey tests: a migrated DuckDB in tmp_path and paths to the sample exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse helper when it exists, else a plain DuckDB with the migrations applied in order."""
    try:
        from warehouse.db import connect
    except ImportError:
        con = duckdb.connect(str(path))
        for sql in sorted((REPO / "warehouse" / "migrations").glob("*.sql")):
            con.execute(sql.read_text(encoding="utf-8"))
        return con
    return connect(path)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = _connect(tmp_path / "molva.duckdb")
    yield connection
    connection.close()

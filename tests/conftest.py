"""Fixtures shared by every test package: paths, the shared data folder (skipped when absent), small warehouses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = (REPO_ROOT / ".." / "shared").resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip with a clear message when the shared folder (or that file) is missing."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} is missing (tests that need ../shared skip without it)")
    return path


@pytest.fixture
def shared() -> Path:
    return shared_path()


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh, fully migrated warehouse file in tmp_path."""
    from warehouse.db import connect

    con = connect(tmp_path / "molva.duckdb")
    yield con
    con.close()

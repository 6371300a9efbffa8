"""Constants and helpers shared by the crawler tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_PAGES = REPO / ".." / "shared" / "fixtures" / "pages"
HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
EXPECTED = HERE / "expected"

# test settings: no politeness delays, short timeouts, quick backoff (the real defaults are in crawlers/settings.py)
FAST_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 2,
    "RETRY_TIMES": 2,
    "MOLVA_BACKOFF_BASE": 0.1,
    "MOLVA_BACKOFF_MAX": 3.0,
    "LOG_LEVEL": "INFO",
}


def shared_page(relative: str) -> Path:
    path = SHARED_PAGES / relative
    if not path.exists():
        pytest.skip(f"shared page {relative} not found under {SHARED_PAGES.resolve()} (the ../shared folder is absent)")
    return path


def expected(name: str) -> Any:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


def make_config(tmp_path: Path, sources: list[dict[str, Any]], **crawl: Any) -> Any:
    """A MolvaConfig with the given sources and a warehouse in ``tmp_path``."""
    from molva.config import MolvaConfig

    return MolvaConfig.model_validate(
        {
            "project": {"name": "test"},
            "brands": [{"id": "acme", "names": {"en": "Acme"}, "is_own": True}],
            "sources": [{"brand": "acme", **s} for s in sources],
            "warehouse": {"path": str(tmp_path / "wh.duckdb")},
            "crawl": {"download_delay": 0, **crawl},
        }
    )

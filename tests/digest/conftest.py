"""Fixtures for digest tests: one fixture warehouse per session (built with the real mart SQL) and the digest rendered
from it in both languages and every format."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest_fixture import FixtureInfo, build_fixture_warehouse

from molva.digest.render import DigestResult, render_digest


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> FixtureInfo:
    return build_fixture_warehouse(tmp_path_factory.mktemp("digest-db") / "molva.duckdb")


@pytest.fixture(scope="session")
def rendered(fixture_db: FixtureInfo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, DigestResult]:
    """The default digest (no week, no brand given) in Russian and English, as HTML, Markdown and PDF."""
    out: dict[str, DigestResult] = {}
    for lang in ("ru", "en"):
        folder = tmp_path_factory.mktemp(f"digest-{lang}")
        out[lang] = render_digest(fixture_db.path, lang=lang, formats=("html", "md", "pdf"), out_dir=folder)
    return out

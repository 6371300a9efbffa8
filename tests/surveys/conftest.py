"""Shared fixtures of the survey tests: a migrated warehouse in tmp_path, the sample exports and mappings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse.surveys.importer import ImportResult, import_survey
from warehouse.surveys.mapping import SurveyMapping, load_mapping

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RU_CSV = FIXTURES / "survey_ru_cp1251.csv"
SURVEY_YAML = REPO / "configs" / "survey.yaml"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    from warehouse.db import connect

    connection = connect(tmp_path / "molva.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def ru_mapping() -> SurveyMapping:
    return load_mapping(SURVEY_YAML)


@pytest.fixture
def ru_loaded(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping) -> ImportResult:
    """The cp1251 sample imported with configs/survey.yaml (9 valid respondents, see test_import.py)."""
    return import_survey(con, RU_CSV, ru_mapping)

from __future__ import annotations

from pathlib import Path

import pytest

from molva.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]

VALID = """\
project:
  name: Test
  timezone: Europe/Moscow
brands:
  - id: own
    names: {en: Own, ru: Свой}
    is_own: true
  - id: rival
    names: {en: Rival}
sources:
  - id: own-tp
    brand: own
    platform: trustpilot
    url: https://www.trustpilot.com/review/own.example
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["demo.yaml", "example.yaml"])
def test_shipped_configs_are_valid(name: str) -> None:
    config = load_config(REPO / "configs" / name)
    assert config.own_brand.is_own
    assert len(config.brands) >= 3


def test_defaults_fill_optional_sections(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.warehouse.path == "data/molva.duckdb"
    assert config.privacy.pseudonymise_authors is True
    assert config.schedule.nightly == "0 3 * * *"
    assert config.source("own-tp").brand == "own"


def problems_of(tmp_path: Path, text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_unknown_field_is_reported_with_line(tmp_path: Path) -> None:
    got = problems_of(tmp_path, VALID.replace("  timezone: Europe/Moscow", "  timezone: Europe/Moscow\n  colour: red"))
    assert got == [(4, "project.colour", "unknown field (check the spelling; see configs/example.yaml)")]


def test_wrong_type_and_bad_values_are_all_reported(tmp_path: Path) -> None:
    text = VALID.replace("Europe/Moscow", "Mars/Base").replace("platform: trustpilot", "platform: myspace")
    text += "schedule:\n  nightly: every night\n"
    got = problems_of(tmp_path, text)
    fields = {field: line for line, field, _ in got}
    assert fields == {"project.timezone": 3, "sources[0].platform": 13, "schedule.nightly": 16}


def test_missing_required_field(tmp_path: Path) -> None:
    got = problems_of(tmp_path, VALID.replace("  name: Test\n", ""))
    assert got == [(1, "project.name", "required field is missing")]  # the line of its parent


def test_cross_references_are_checked(tmp_path: Path) -> None:
    text = VALID.replace("brand: own\n", "brand: ghost\n") + "  - id: own-tp\n    brand: own\n    platform: reddit\n"
    text += "    url: https://www.reddit.com/r/x.json\n"
    got = problems_of(tmp_path, text)
    assert (12, "sources[0].brand", "unknown brand 'ghost' (known: own, rival)") in got
    assert any(f == "sources[1].id" and "duplicate source id" in m for _, f, m in got)


def test_exactly_one_own_brand(tmp_path: Path) -> None:
    got = problems_of(tmp_path, VALID.replace("    is_own: true\n", ""))
    assert [f for _, f, _ in got] == ["brands"]


def test_secrets_must_come_from_the_environment(tmp_path: Path) -> None:
    got = problems_of(tmp_path, VALID.replace("  timezone: Europe/Moscow", "  timezone: UTC\n  api_token: abc123"))
    assert got[0][:2] == (4, "project.api_token") and "environment variable" in got[0][2]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    got = problems_of(tmp_path, VALID + "sources: [unclosed\n")
    assert got[0][0] is not None and "YAML syntax" in got[0][2]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_salt_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write(tmp_path, VALID))
    monkeypatch.setenv("MOLVA_AUTHOR_SALT", "from-env")
    assert config.privacy.salt() == "from-env"

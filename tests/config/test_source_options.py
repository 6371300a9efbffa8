"""A source's ``options:`` hold only the keys its connector declares; no URL in a source carries credentials."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from molva.config import ConfigError, MolvaConfig, load_config
from molva.connectors import COMMON_OPTIONS, CONNECTORS

REPO = Path(__file__).resolve().parents[2]

HEAD = """\
project:
  name: Test
brands:
  - id: own
    names: {en: Own}
    is_own: true
sources:
"""


def problems(tmp_path: Path, sources: str) -> list[tuple[int | None, str, str]]:
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + sources, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_a_typo_in_options_names_file_line_source_key_and_the_closest_key(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "  - id: own-as\n    brand: own\n    platform: appstore\n    platform_id: '1'\n    options: {contry: ru}\n",
    )
    assert len(got) == 1
    line, field, message = got[0]
    assert (line, field) == (12, "sources[0].options.contry")
    assert "source 'own-as'" in message and "unknown option 'contry'" in message
    assert "did you mean 'country'?" in message


def test_every_bad_key_is_reported_and_types_are_checked(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "  - id: own-gp\n    brand: own\n    platform: googleplay\n    platform_id: com.acme\n    options:\n"
        "      langauge: ru\n      count: many\n      max_page: 3\n      overlap: -1\n",
    )
    by_field = {field: message for _, field, message in got}
    assert set(by_field) == {
        "sources[0].options.langauge",
        "sources[0].options.count",
        "sources[0].options.max_page",
        "sources[0].options.overlap",
    }
    assert "did you mean 'language'?" in by_field["sources[0].options.langauge"]
    assert "did you mean 'max_pages'?" in by_field["sources[0].options.max_page"]
    assert "integer" in by_field["sources[0].options.count"]
    assert [line for line, _, _ in got] == [13, 14, 15, 16]


def test_an_option_of_another_platform_is_rejected(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "  - id: own-tp\n    brand: own\n    platform: trustpilot\n    url: https://www.trustpilot.com/review/x\n"
        "    options: {selectors: configs/selectors/otzovik.yaml}\n",
    )
    assert [f for _, f, _ in got] == ["sources[0].options.selectors"]
    assert "unknown option 'selectors' for the trustpilot connector" in got[0][2]


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("    url: https://user:s3cret@www.trustpilot.com/review/x\n", "sources[0].url"),
        (
            "    url: https://www.trustpilot.com/review/x\n    options: {base_url: 'http://u:s3cret@127.0.0.1:9/tp'}\n",
            "sources[0].options.base_url",
        ),
        ("    url: https://token-only-s3cret@www.trustpilot.com/review/x\n", "sources[0].url"),
    ],
)
def test_urls_with_credentials_are_refused_without_repeating_the_secret(tmp_path: Path, where: str, field: str) -> None:
    got = problems(tmp_path, "  - id: own-tp\n    brand: own\n    platform: trustpilot\n" + where)
    assert [f for _, f, _ in got] == [field]
    message = got[0][2]
    assert "source 'own-tp'" in message and "embeds credentials" in message and "environment" in message
    assert "s3cret" not in message


def test_the_model_itself_refuses_bad_options_without_echoing_inputs() -> None:
    data = {
        "project": {"name": "x"},
        "brands": [{"id": "a", "names": {"en": "A"}, "is_own": True}],
        "sources": [
            {"id": "s", "brand": "a", "platform": "appstore", "platform_id": "1", "options": {"contry": "ru"}},
            {"id": "t", "brand": "a", "platform": "reddit", "url": "https://me:s3cret@www.reddit.com/r/x.json"},
        ],
    }
    with pytest.raises(ValueError) as info:
        MolvaConfig.model_validate(data)
    text = str(info.value)
    assert "unknown option 'contry'" in text and "embeds credentials" in text and "s3cret" not in text


DEPLOYMENT_CONFIGS = [p for p in sorted((REPO / "configs").glob("*.yaml")) if "\nsources:" in p.read_text("utf-8")]


@pytest.mark.parametrize("path", DEPLOYMENT_CONFIGS, ids=lambda p: p.name)
def test_shipped_configs_use_only_declared_options(path: Path) -> None:
    assert any(s.options for s in load_config(path).sources)


def test_every_option_a_spider_reads_is_declared() -> None:
    """The declaration on the connector stays in step with the code: each ``options.get("x")`` is allowed."""
    read = re.compile(r"options\.get\(\s*[\"'](\w+)[\"']")
    spiders = REPO / "crawlers" / "spiders"
    common = set(read.findall((spiders / "base.py").read_text(encoding="utf-8")))
    assert {"base_url", "overlap"} <= common  # max_pages / max_pages_full are read through a variable key
    assert common <= set(COMMON_OPTIONS)
    for name, conn in CONNECTORS.items():
        if conn.spider is None:
            continue
        module = conn.spider.split(":")[0].rsplit(".", 1)[1]
        used = set(read.findall((spiders / f"{module}.py").read_text(encoding="utf-8")))
        assert used <= set(conn.allowed_options()), (name, used - set(conn.allowed_options()))

"""The e-mail rendering, both languages side by side, the brief, and hostile input made inert in every format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from digest_fixture import HOSTILE_URL, FixtureInfo

from molva.digest.links import safe_url
from molva.digest.render import DigestResult, render_digest

ENCODED = "https://evil.example/x%3E%29%3Cimg%20src=x%20onerror=alert%286%29%3E"


def test_safe_url_scheme_and_encoding() -> None:
    assert safe_url(HOSTILE_URL) == ENCODED
    for bad in ("javascript:alert(1)", "data:text/html,<b>", "file:///etc/passwd", "//evil.example/x", "", None, 3):
        assert safe_url(bad) is None, bad
    assert safe_url('https://a.example/p?q=1&r="x"#f') == "https://a.example/p?q=1&r=%22x%22#f"


def test_hostile_url_and_text_inert_everywhere(rendered: dict[str, DigestResult]) -> None:
    for result in rendered.values():
        md = result.paths["md"].read_text(encoding="utf-8")
        for text in (result.html, result.email_html, md, result.text):
            assert HOSTILE_URL not in text and "<img src=x" not in text and "onerror=alert(6)>" not in text
        for text in (result.html, result.email_html, md):  # plain text shows the review verbatim: text is inert
            assert "<script" not in text and "<b>Courier" not in text
        assert ENCODED in md and f"(<{ENCODED}>)" in md  # an autolink target that cannot be closed early
        assert ENCODED in result.text and ENCODED in result.email_html


def test_both_languages_side_by_side(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    for lang in ("ru", "en"):
        render_digest(fixture_db.path, lang=lang, formats=("html", "md"), out_dir=tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "digest-lastochka-2026-W47-en-sql", "digest-lastochka-2026-W47-en.html", "digest-lastochka-2026-W47-en.md",
        "digest-lastochka-2026-W47-ru-sql", "digest-lastochka-2026-W47-ru.html", "digest-lastochka-2026-W47-ru.md",
    ]  # fmt: skip
    assert 'lang="ru"' in (tmp_path / "digest-lastochka-2026-W47-ru.html").read_text(encoding="utf-8")
    assert 'lang="en"' in (tmp_path / "digest-lastochka-2026-W47-en.html").read_text(encoding="utf-8")


def test_verdict_first(rendered: dict[str, DigestResult]) -> None:
    en = rendered["en"]
    html = en.html
    assert html.find('id="brief"') < html.find('id="headline"')
    brief = html[html.find('id="brief"') : html.find('id="summary"')]
    assert "Average rating over 4 weeks" in brief and "p = " in brief and "Main driver:" in brief
    assert re.search(r"(Rank among the brands|Last of|First of) .*3", brief)
    assert "Action:" in brief and "owner:" in brief
    assert en.preview and en.preview.split(".")[0] in en.email_html


def test_no_machine_paths(rendered: dict[str, DigestResult]) -> None:
    from pypdf import PdfReader

    for result in rendered.values():
        md = result.paths["md"].read_text(encoding="utf-8")
        for text in (result.html, result.email_html, md, result.text):
            assert "file://" not in text and str(result.paths["html"].parent) not in text
        reader = PdfReader(result.paths["pdf"])
        uris = [
            str(a.get_object().get("/A", {}).get("/URI", ""))
            for page in reader.pages
            for a in page.get("/Annots", []) or []
        ]
        assert not [u for u in uris if u.startswith("file:") or u.startswith("/")], uris
        # no trailing page with the footer alone
        assert len(reader.pages[-1].extract_text().strip()) > 300


def test_base_url_makes_sql_links_absolute(fixture_db: FixtureInfo, tmp_path: Path) -> None:
    from molva.config import load_config

    config = load_config(Path(__file__).resolve().parents[2] / "configs" / "demo.yaml")
    config.digest.base_url = "https://reports.example.com/molva/"
    result = render_digest(fixture_db.path, lang="en", formats=("html", "pdf"), out_dir=tmp_path, config=config)
    base = "https://reports.example.com/molva/digest-lastochka-2026-W47-en-sql/"
    hrefs = re.findall(r'href="([^"]*)"', result.email_html)
    assert f"{base}headline.sql" in hrefs and all(h.startswith("https://") for h in hrefs)
    assert f"{base}headline.sql" in result.text or base in result.text
    # the web page keeps its relative link to the folder beside it; the PDF links the published copy
    assert 'href="digest-lastochka-2026-W47-en-sql/headline.sql"' in result.html
    from pypdf import PdfReader

    uris = {
        str(a.get_object().get("/A", {}).get("/URI", ""))
        for page in PdfReader(result.paths["pdf"]).pages
        for a in page.get("/Annots", []) or []
    }
    assert f"{base}headline.sql" in uris


def test_bad_base_url_is_refused() -> None:
    from pydantic import ValidationError

    from molva.config import DigestConfig

    with pytest.raises(ValidationError, match="base_url"):
        DigestConfig(base_url="javascript:alert(1)")

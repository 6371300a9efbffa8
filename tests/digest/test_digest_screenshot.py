"""A real browser draws the digest: headless Chromium screenshots the HTML, and the charts' colours must be on it.

The trend charts draw each platform in its own colour, used nowhere else on the page; the same page with its SVG
removed must show none of them, so the pixels found come from the rendered charts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from molva.digest.charts import color_for
from molva.digest.render import DigestResult

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell")


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        f"no headless Chromium binary on PATH (looked for {', '.join(CHROMIUM_NAMES)}); apt-get install chromium"
    )


def _screenshot(binary: str, html: Path, png: Path, width: int) -> None:
    subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={png.parent / 'chromium-profile'}", f"--window-size={width},7000",
         f"--screenshot={png}", html.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def _count(png: Path, hex_color: str, tolerance: int = 4) -> int:
    from PIL import Image

    target = tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.open(png).convert("RGB")
    return sum(
        n
        for n, rgb in image.getcolors(maxcolors=1 << 24) or []
        if all(abs(c - t) <= tolerance for c, t in zip(rgb, target, strict=True))
    )


@pytest.mark.slow
@pytest.mark.parametrize("width", [800, 390])  # desktop and a phone
def test_chromium_screenshot_shows_charts(rendered: dict[str, DigestResult], tmp_path: Path, width: int) -> None:
    pytest.importorskip("PIL", reason="Pillow is needed to read the screenshot")
    binary = _chromium()
    page = rendered["ru"].paths["html"]
    png = tmp_path / "digest.png"
    _screenshot(binary, page, png, width)
    assert png.stat().st_size > 50_000
    counts = {p: _count(png, color_for(p, 0)) for p in ("trustpilot", "appstore", "reddit")}
    assert all(n > 150 for n in counts.values()), counts

    stripped = tmp_path / "no-charts.html"
    stripped.write_text(re.sub(r"<svg.*?</svg>", "", page.read_text(encoding="utf-8"), flags=re.S), encoding="utf-8")
    control = tmp_path / "no-charts.png"
    _screenshot(binary, stripped, control, width)
    assert all(_count(control, color_for(p, 0)) < 20 for p in counts)


def _overflow(binary: str, page: Path, width: int, work: Path) -> tuple[int, int]:
    """The page's ``scrollWidth`` laid out ``width`` px wide by Chromium, and how far the widest inner scroll box
    (a table's ``overflow-x: auto`` wrapper) overflows: a table cut off behind a scroll bar counts too.

    Headless Chromium will not make a window narrower than 500 px, so the page is laid out in a same-origin
    ``srcdoc`` iframe of exactly ``width`` px, and a probe script (added to this copy only) reports its scroll width.
    """
    import html as html_lib

    probe = (
        "<script>window.addEventListener('load',()=>{parent.document.body.setAttribute('data-sw',"
        "document.documentElement.scrollWidth+':'+Math.max(0,...Array.from(document.querySelectorAll('*'))"
        ".filter(e=>e.scrollWidth>e.clientWidth+1&&getComputedStyle(e).overflowX!=='visible')"
        ".map(e=>e.scrollWidth-e.clientWidth)));});</script>"
    )
    inner = page.read_text(encoding="utf-8").replace("</body>", probe + "</body>")
    outer = work / f"measure-{width}.html"
    outer.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe style="width:{width}px;height:800px;border:0" '
        f'srcdoc="{html_lib.escape(inner, quote=True)}"></iframe></body></html>',
        encoding="utf-8",
    )
    done = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={work / 'chromium-profile'}", "--window-size=1400,900", "--virtual-time-budget=5000",
         "--dump-dom", outer.resolve().as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'data-sw="(\d+):(\d+)"', done.stdout)
    assert found, done.stdout[-500:]
    return int(found.group(1)), int(found.group(2))


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 600, 1280])
def test_no_horizontal_scroll(rendered: dict[str, DigestResult], tmp_path: Path, width: int) -> None:
    """The web page and the e-mail fit a phone, a mail pane and a desktop; the fixture's quotes include a 118-character
    unbroken token and a hostile URL, which must wrap instead of widening the page."""
    binary = _chromium()
    for lang, result in rendered.items():
        mail = tmp_path / f"email-{lang}.html"
        mail.write_text(result.email_html, encoding="utf-8")
        for page in (result.paths["html"], mail):
            page_width, inner = _overflow(binary, page, width, tmp_path)
            assert page_width <= width and inner == 0, (lang, page.name, width, page_width, inner)

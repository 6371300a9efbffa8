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

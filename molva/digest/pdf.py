"""PDF through WeasyPrint: the same HTML as the web and e-mail digest, laid out on A4 pages by a real renderer."""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, path: Path, *, base_dir: Path) -> Path:
    """Render ``html`` to ``path``; relative links resolve against ``base_dir`` (the digest's folder)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - weasyprint is a dependency; its system libraries may be missing
        raise RuntimeError(
            "PDF output needs WeasyPrint and its Pango libraries: pip install weasyprint; "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from exc
    HTML(string=html, base_url=str(base_dir.resolve()) + "/").write_pdf(path)
    return path

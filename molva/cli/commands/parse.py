"""``molva parse``: run one connector's parser on a saved page (or one fetched URL) and print the reviews as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import EXIT_PROBLEMS, err_console, fail

KEYS = (
    "external_id",
    "kind",
    "text",
    "title",
    "rating",
    "rating_scale",
    "author",
    "published_at",
    "url",
    "reply_text",
    "reply_at",
)


def parse(
    file_or_url: Annotated[str, typer.Argument(help="A saved page / API response, or an http(s) URL to fetch once.")],
    platform: Annotated[str, typer.Option("--platform", "-p", help="Connector: structured, selectors, trustpilot, …")],
    selectors: Annotated[
        Path | None, typer.Option(help="Selector YAML for --platform selectors (configs/selectors/*.yaml).")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="The page's original URL, to resolve relative links. Default: the file's URL.")
    ] = None,
) -> None:
    """Print one JSON object per review found (external_id, text, title, rating, rating_scale, author, published_at,
    url, reply_text …), so a connector or a selector file can be checked on a saved page without crawling.

    Exit code 1 when the page yields no review.
    """
    from crawlers.parsers import parse_page
    from crawlers.parsers.selectors import SelectorConfigError
    from molva.connectors import PLATFORMS

    if platform not in PLATFORMS:
        fail(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}", code=2)
    if platform == "selectors" and selectors is None:
        fail("--platform selectors needs --selectors FILE.yaml", code=2)
    if file_or_url.startswith(("http://", "https://")):
        body = _fetch(file_or_url)
        page_url = url or file_or_url
    else:
        path = Path(file_or_url)
        if not path.is_file():
            fail(f"{path}: no such file")
        body = path.read_bytes()
        page_url = url or path.resolve().as_uri()
    try:
        reviews = parse_page(platform, body, page_url, selectors=selectors)
    except SelectorConfigError as exc:
        fail(str(exc))
    for review in reviews:
        row = review.to_dict()
        out = {key: row.get(key) for key in KEYS}
        out["extra"] = row.get("extra") or {}
        print(json.dumps(out, ensure_ascii=False))
    if not reviews:
        err_console.print(f"no reviews found in {file_or_url} with the {platform} parser", style="yellow")
        raise typer.Exit(EXIT_PROBLEMS)


def _fetch(url: str) -> bytes:
    """One polite GET with Molva's User-Agent (no crawling: pagination is not followed)."""
    import urllib.request

    from molva.config import CrawlConfig

    request = urllib.request.Request(url, headers={"User-Agent": CrawlConfig().user_agent})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())
    except OSError as exc:
        fail(f"could not fetch {url}: {exc}")


def register(app: typer.Typer) -> None:
    app.command("parse")(parse)

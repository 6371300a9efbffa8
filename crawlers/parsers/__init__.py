"""Pure extraction: ``parse_<platform>(body, url) -> list[Review]`` per platform, plus a dispatcher for the CLI.

Nothing here imports Scrapy; spiders call these functions and only paginate.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.items import Review
from flows.config import PLATFORMS


def parse_page(
    platform: str,
    body: bytes | str,
    url: str,
    *,
    selectors: str | Path | dict[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Review]:
    """Run the parser of ``platform`` on one saved page or API response (``selectors`` only for ``selectors``)."""
    if platform == "structured":
        from crawlers.parsers.structured import parse_structured

        return parse_structured(body, url)
    if platform == "selectors":
        from crawlers.parsers.selectors import SelectorConfig, load_selector_config, parse_selectors

        if selectors is None:
            raise ValueError("the selectors platform needs a selector file (--selectors configs/selectors/NAME.yaml)")
        config = (
            SelectorConfig.model_validate(selectors) if isinstance(selectors, dict) else load_selector_config(selectors)
        )
        return parse_selectors(body, url, config, now=now)
    if platform == "appstore":
        from crawlers.parsers.appstore import parse_appstore

        return parse_appstore(body, url)
    if platform == "googleplay":
        from crawlers.parsers.googleplay import parse_googleplay

        return parse_googleplay(body, url)
    if platform == "trustpilot":
        from crawlers.parsers.trustpilot import parse_trustpilot

        return parse_trustpilot(body, url)
    if platform == "reddit":
        from crawlers.parsers.reddit import parse_reddit

        return parse_reddit(body, url)
    if platform == "hackernews":
        from crawlers.parsers.hackernews import parse_hackernews

        return parse_hackernews(body, url)
    if platform == "telegram":
        from crawlers.parsers.telegram import parse_telegram

        return parse_telegram(body, url)
    if platform == "yandex_maps":
        from crawlers.parsers.yandex_maps import parse_yandex_maps

        return parse_yandex_maps(body, url)
    raise ValueError(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")

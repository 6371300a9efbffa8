"""Pure extraction: ``parse_<platform>(body, url) -> list[Review]`` per platform, plus a dispatcher for the CLI
that finds each platform's parser in the connector registry (:mod:`molva.connectors`).

Nothing here imports Scrapy; spiders call these functions and only paginate.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.items import Review
from molva.connectors import connector


def parse_page(
    platform: str,
    body: bytes | str,
    url: str,
    *,
    selectors: str | Path | dict[str, Any] | None = None,
    now: datetime | None = None,
) -> list[Review]:
    """Run the parser of ``platform`` on one saved page or API response (``selectors`` only for ``selectors``)."""
    if platform == "selectors":
        from crawlers.parsers.selectors import SelectorConfig, load_selector_config, parse_selectors

        if selectors is None:
            raise ValueError("the selectors platform needs a selector file (--selectors configs/selectors/NAME.yaml)")
        config = (
            SelectorConfig.model_validate(selectors) if isinstance(selectors, dict) else load_selector_config(selectors)
        )
        return parse_selectors(body, url, config, now=now)
    return list(connector(platform).load_parser()(body, url))

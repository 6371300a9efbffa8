"""The connector registry: every platform Molva crawls is declared here once, and everything else reads it.

A :class:`Connector` names the platform's pure parser, its next-page rule and (only when the platform needs requests
of its own, such as an API's POST body) its spider class, plus how the digest shows it (a label in both languages
and a chart colour). The config validates ``sources[].platform`` against :data:`PLATFORMS`, ``molva parse`` and the
spiders dispatch through :func:`connector`, and the digest takes labels and colours from here.

Code is referenced by dotted ``"module:attribute"`` strings and imported only when used, so this ground-floor module
imports no stage (Scrapy, parsers, the digest) and reading the registry costs nothing. Adding a platform is one parser
module (``crawlers/parsers/<name>.py``), its entry below, and its saved-page fixtures: see docs/connectors.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import NonNegativeInt, PositiveInt


@dataclass(frozen=True)
class Connector:
    """One platform: where its code lives and how reports show it."""

    name: str
    label_en: str
    label_ru: str
    colour: str
    #: ``parse(body, url) -> list[Review]``: pure extraction from one page or API response.
    parser: str
    #: ``next_page(body, url) -> str | None``: the next page to follow (None: a single-page source).
    next_page: str | None = None
    #: A ``ReviewSpider`` subclass for platforms whose requests are special; None: the registry's generic spider.
    spider: str | None = None
    #: The platform's own origin, rewritten to ``options.base_url`` (a loopback mirror in tests and the demo).
    real_root: str | None = None
    #: The ``options:`` keys this platform's spider reads beyond :data:`COMMON_OPTIONS`, each with its type. The config
    #: rejects any other key (a typo would otherwise be ignored silently).
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def allowed_options(self) -> dict[str, Any]:
        """Every option a source of this platform may set, with its type: the common ones, then the platform's."""
        return {**COMMON_OPTIONS, **self.options}

    def label(self, lang: str) -> str:
        return self.label_ru if lang == "ru" else self.label_en

    def load_parser(self) -> Callable[..., Any]:
        return load(self.parser)

    def load_next_page(self) -> Callable[..., Any] | None:
        return load(self.next_page) if self.next_page else None


def load(ref: str) -> Any:
    """Import ``"package.module:attribute"`` and return the attribute."""
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


#: Options every spider reads (crawlers/spiders/base.py); docs/connectors.md, "Source options common to all connectors".
COMMON_OPTIONS: dict[str, Any] = {
    "base_url": str,
    "overlap": NonNegativeInt,
    "max_pages": PositiveInt,
    "max_pages_full": PositiveInt,
}

_P = "crawlers.parsers"
_S = "crawlers.spiders"

CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in (
        Connector(
            "structured", "websites (structured data)", "сайты (микроразметка)", "#64748b",
            parser=f"{_P}.structured:parse_structured", next_page=f"{_P}.structured:next_page_structured",
            spider=f"{_S}.structured:StructuredSpider", options={"next_selector": str},
        ),
        Connector(
            "selectors", "review sites", "сайты отзывов", "#a855f7",
            parser=f"{_P}.selectors:parse_selectors", next_page=f"{_P}.selectors:next_page_selectors",
            spider=f"{_S}.selectors:SelectorsSpider", options={"selectors": str | dict[str, Any]},
        ),
        Connector(
            "appstore", "App Store", "App Store", "#0a84ff",
            parser=f"{_P}.appstore:parse_appstore", next_page=f"{_P}.appstore:next_page_appstore",
            spider=f"{_S}.appstore:AppStoreSpider", real_root="https://itunes.apple.com",
            options={"app_id": str | int, "country": str, "countries": list[str]},
        ),
        Connector(
            "googleplay", "Google Play", "Google Play", "#7c3aed",
            parser=f"{_P}.googleplay:parse_googleplay", spider=f"{_S}.googleplay:GooglePlaySpider",
            real_root="https://play.google.com",
            options={"app_id": str, "lang": str, "language": str, "country": str, "count": PositiveInt},
        ),
        Connector(
            "trustpilot", "Trustpilot", "Trustpilot", "#00a06b",
            parser=f"{_P}.trustpilot:parse_trustpilot", next_page=f"{_P}.trustpilot:next_page_trustpilot",
            spider=f"{_S}.trustpilot:TrustpilotSpider", real_root="https://www.trustpilot.com",
        ),
        Connector(
            "reddit", "Reddit", "Reddit", "#f97316",
            parser=f"{_P}.reddit:parse_reddit", spider=f"{_S}.reddit:RedditSpider", real_root="https://www.reddit.com",
        ),
        Connector(
            "hackernews", "Hacker News", "Hacker News", "#b45309",
            parser=f"{_P}.hackernews:parse_hackernews", next_page=f"{_P}.hackernews:next_page_hackernews",
            spider=f"{_S}.hackernews:HackerNewsSpider", real_root="https://hn.algolia.com",
            options={"query": str},
        ),
        Connector(
            "telegram", "Telegram", "Telegram", "#0ea5e9",
            parser=f"{_P}.telegram:parse_telegram", next_page=f"{_P}.telegram:next_page_telegram",
            spider=f"{_S}.telegram:TelegramSpider", real_root="https://t.me",
        ),
        Connector(
            "yandex_maps", "Yandex Maps", "Яндекс Карты", "#e11d48",
            parser=f"{_P}.yandex_maps:parse_yandex_maps", real_root="https://yandex.ru",
        ),
    )
}  # fmt: skip

PLATFORMS: tuple[str, ...] = tuple(CONNECTORS)


def connector(name: str) -> Connector:
    """The registered connector ``name``; an unknown name is a ``ValueError`` listing the known ones."""
    try:
        return CONNECTORS[name]
    except KeyError:
        raise ValueError(f"unknown platform {name!r}; known: {', '.join(PLATFORMS)}") from None

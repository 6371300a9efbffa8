"""Builders of small review pages for the spider tests (schema.org JSON-LD or microdata, with a rel=next link)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any


def review(n: int, *, text: str | None = None) -> dict[str, Any]:
    """Review number ``n``: a stable id, a date that gets older as ``n`` grows (newest first), a 1–5 rating."""
    return {
        "@type": "Review",
        "@id": f"https://reviews.test/r/{n}",
        "author": {"@type": "Person", "name": f"Author {n}"},
        "datePublished": (date(2026, 11, 1) - timedelta(days=n)).isoformat(),
        "reviewBody": text or f"Review number {n}: the service was fine.",
        "reviewRating": {"@type": "Rating", "ratingValue": 1 + n % 5, "bestRating": 5},
    }


def jsonld_page(reviews: list[dict[str, Any]], next_href: str | None = None, *, padding: str = "") -> str:
    graph = {"@context": "https://schema.org", "@type": "Organization", "name": "Acme", "review": reviews}
    link = f'<link rel="next" href="{next_href}"/>' if next_href else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Acme reviews</title>{link}'
        f'<script type="application/ld+json">{json.dumps(graph, ensure_ascii=False)}</script></head>'
        f"<body><h1>Acme</h1>{padding}</body></html>"
    )


def microdata_page(reviews: list[dict[str, Any]], next_href: str | None = None, charset: str = "utf-8") -> str:
    link = f'<link rel="next" href="{next_href}"/>' if next_href else ""
    blocks = []
    for r in reviews:
        blocks.append(
            f'<div itemprop="review" itemscope itemtype="https://schema.org/Review" itemid="{r["@id"]}">'
            f'<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">'
            f'{r["author"]["name"]}</span></span><meta itemprop="datePublished" content="{r["datePublished"]}"/>'
            f'<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
            f'<meta itemprop="ratingValue" content="{r["reviewRating"]["ratingValue"]}"/>'
            f'<meta itemprop="bestRating" content="5"/></div><p itemprop="reviewBody">{r["reviewBody"]}</p></div>'
        )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>Acme</title>{link}</head><body>'
        f'<div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Acme</span>'
        + "".join(blocks)
        + "</div></body></html>"
    )

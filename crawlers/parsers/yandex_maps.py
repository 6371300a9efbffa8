"""``yandex_maps``: an organisation's reviews page on Yandex Maps as served (``/maps/org/<slug>/<id>/reviews/``).

Reads the schema.org Review microdata the server renders (author, date, rating, body) and the organisation's reply
bubble next to it. Only the reviews in the served HTML (the first batch, typically 50) are reachable: more are loaded
by a private API that Molva does not call, and a captcha page yields nothing rather than being solved.
"""

from __future__ import annotations

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, stable_id, to_iso, to_number

PARSER_VERSION = "yandex_maps/1"


def parse_yandex_maps(body: bytes | str, url: str) -> list[Review]:
    """Each ``itemprop=review`` block of the page."""
    from parsel import Selector

    text = as_text(body)
    if not text.strip():
        return []
    out: list[Review] = []
    for node in Selector(text=text).css('[itemtype$="schema.org/Review"]'):
        content = clean_text(
            node.css('[itemprop="reviewBody"]').xpath("string()").get()
            or node.css('meta[itemprop="reviewBody"]::attr(content)').get()
        )
        if not content:
            continue
        author = clean_text(
            node.css('[itemprop="author"] [itemprop="name"]::attr(content)').get()
            or node.css('[itemprop="author"] [itemprop="name"]').xpath("string()").get()
        )
        published = to_iso(
            node.css('[itemprop="datePublished"]::attr(content)').get()
            or node.css('[itemprop="datePublished"]::attr(datetime)').get(),
            languages=["ru", "en"],
        )
        rating = to_number(node.css('[itemprop="reviewRating"] [itemprop="ratingValue"]::attr(content)').get())
        best = to_number(node.css('[itemprop="reviewRating"] [itemprop="bestRating"]::attr(content)').get()) or 5.0
        reply = clean_text(node.css(".business-review-comment-content__bubble").xpath("string()").get())
        review_id = node.attrib.get("data-review-id") or node.css("[data-review-id]::attr(data-review-id)").get()
        out.append(
            Review(
                platform="yandex_maps",
                external_id=review_id or stable_id(author, published, content),
                text=content,
                url=url,
                rating=rating,
                rating_scale=best if rating is not None else None,
                author=author,
                published_at=published,
                reply_text=reply,
                parser_version=PARSER_VERSION,
            )
        )
    return out


def next_page_yandex_maps(body: bytes | str, url: str) -> str | None:
    """Always ``None``: further reviews come from a private API that Molva does not use."""
    return None

"""``structured`` connector: schema.org Review items in JSON-LD, microdata or RDFa, and the hReview microformat.

extruct does the markup parsing; this module finds every Review node (nested in a product, in an ``@graph`` or
referenced by ``@id``), maps it onto :class:`Review` and finds the next page (``rel=next`` or a configured selector).
"""

from __future__ import annotations

from typing import Any

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, stable_id, to_iso, to_number

PARSER_VERSION = "structured/1"
SYNTAXES = ["json-ld", "microdata", "rdfa", "microformat"]
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/")


def parse_structured(body: bytes | str, url: str, *, platform: str = "structured") -> list[Review]:
    """Every schema.org Review (or hReview) on the page, each once, in page order."""
    import extruct

    text = as_text(body)
    if not text.strip():
        return []
    syntaxes = present_syntaxes(text)
    if not syntaxes:
        return []
    try:
        data = extruct.extract(text, base_url=url, syntaxes=syntaxes, uniform=True, errors="ignore")
    except Exception:  # extruct raises on markup lxml cannot recover (e.g. a truncated document)
        return []
    nodes: list[dict[str, Any]] = []
    for syntax in ("json-ld", "microdata"):
        for item in data.get(syntax) or []:
            nodes.extend(_walk(item))
    for item in data.get("rdfa") or []:
        nodes.extend(_walk(_from_rdfa(item)))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    reviews: list[Review] = []
    seen: set[str] = set()
    for node in nodes:
        if not _is_type(node, "Review"):
            continue
        if set(node) <= {"@id", "@type"} and node.get("@id") in by_id:  # a reference: the full node is elsewhere
            node = by_id[node["@id"]]
        review = _from_schema(_resolve(node, by_id), url, platform)
        if review and review.external_id not in seen:
            seen.add(review.external_id)
            reviews.append(review)
    for item in data.get("microformat") or []:
        for node in _walk_mf(item):
            review = _from_hreview(node, url, platform)
            if review and review.external_id not in seen:
                seen.add(review.external_id)
                reviews.append(review)
    return reviews


_MARKERS = {
    "json-ld": ("application/ld+json",),
    "microdata": ("itemscope",),
    "rdfa": ("typeof=",),
    "microformat": ("hreview", "h-review"),
}


def present_syntaxes(text: str) -> list[str]:
    """The syntaxes whose markers occur in the page: parsing a 10 MB page with all four takes ~20 s, with none ~0."""
    lowered = text.lower()
    return [s for s in SYNTAXES if any(marker in lowered for marker in _MARKERS[s])]


def next_page_structured(body: bytes | str, url: str, next_selector: str | None = None) -> str | None:
    """The next page: the configured CSS/XPath selector if given, else ``<link|a rel="next">``."""
    from parsel import Selector

    text = as_text(body)
    if not text.strip():
        return None
    sel = Selector(text=text)
    if next_selector:
        query = sel.xpath(next_selector) if next_selector.startswith(("/", "(")) else sel.css(next_selector)
        href = query.get()
    else:
        href = sel.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').get()
    if not href or not href.strip() or href.strip().startswith(("#", "javascript:")):
        return None
    from urllib.parse import urljoin

    return urljoin(url, href.strip())


def _resolve(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Replace ``{"@id": …}`` references (RDFa blank nodes, JSON-LD graphs) by the nodes they point to."""
    out = dict(node)
    for key in ("author", "reviewRating", "comment", "itemReviewed"):
        value = out.get(key)
        if isinstance(value, dict) and set(value) <= {"@id"} and value.get("@id") in by_id:
            out[key] = by_id[value["@id"]]
    return out


def _is_type(node: dict[str, Any], name: str) -> bool:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1] == name for t in types)


def _walk(node: Any) -> list[dict[str, Any]]:
    """All dict nodes under ``node`` (depth first, in document order)."""
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        out.append(node)
        for value in node.values():
            out.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_walk(value))
    return out


def _from_rdfa(node: Any) -> Any:
    """RDFa comes out of extruct as expanded JSON-LD; shorten schema.org keys and unwrap ``@value`` lists."""
    if isinstance(node, list):
        values = [_from_rdfa(v) for v in node]
        return values[0] if len(values) == 1 else values
    if not isinstance(node, dict):
        return node
    if "@value" in node:
        return node["@value"]
    out: dict[str, Any] = {}
    for key, value in node.items():
        short = key
        for prefix in _SCHEMA_PREFIXES:
            short = short.removeprefix(prefix)
        if key == "@type":
            out[key] = [str(v).rsplit("/", 1)[-1] for v in (value if isinstance(value, list) else [value])]
        else:
            out[short] = _from_rdfa(value)
    return out


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    return clean_text(value)


def _rating(value: Any) -> tuple[float | None, float, float]:
    """``reviewRating`` → (rating, best, worst); a bare number counts as a rating out of 5."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        best = to_number(value.get("bestRating")) or 5.0
        worst = to_number(value.get("worstRating"))
        return to_number(value.get("ratingValue")), best, 1.0 if worst is None else worst
    return to_number(value), 5.0, 1.0


def _from_schema(node: dict[str, Any], url: str, platform: str) -> Review | None:
    text = clean_text(node.get("reviewBody") or node.get("description") or node.get("text"))
    title = clean_text(node.get("name") or node.get("headline"))
    if not text and not title:
        return None
    rating, best, worst = _rating(node.get("reviewRating"))
    author = _name(node.get("author"))
    published = to_iso(node.get("datePublished") or node.get("dateCreated"))
    node_id = node.get("@id") or node.get("id") or node.get("url")  # microdata itemid comes out as "id"
    external_id = str(node_id) if isinstance(node_id, str) and node_id else stable_id(author, published, title, text)
    reply = _reply(node)
    language = node.get("inLanguage")
    return Review(
        platform=platform,
        external_id=external_id,
        text=text or title or "",
        title=title if text else None,
        url=node.get("url") if isinstance(node.get("url"), str) else url,
        rating=rating,
        rating_scale=best if rating is not None else None,
        rating_min=worst,
        author=author,
        published_at=published,
        reply_text=reply,
        language=language if isinstance(language, str) else None,
        parser_version=PARSER_VERSION,
        extra={"item_reviewed": _name(node.get("itemReviewed"))} if _name(node.get("itemReviewed")) else {},
    )


def _reply(node: dict[str, Any]) -> str | None:
    """A company reply marked up as ``comment`` (Comment/Answer) on the review, if any."""
    comment = node.get("comment")
    if isinstance(comment, list):
        comment = comment[0] if comment else None
    if isinstance(comment, dict):
        return clean_text(comment.get("text") or comment.get("reviewBody"))
    return None


def _walk_mf(node: Any) -> list[dict[str, Any]]:
    """h-review nodes in extruct's microformat output (uniform: ``@type`` and flat properties; raw mf2 nests them)."""
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        types = node.get("@type") or node.get("type") or []
        if "h-review" in types:
            out.append(node)
        for child in node.get("children") or []:
            out.extend(_walk_mf(child))
        props: dict[str, Any] = node["properties"] if isinstance(node.get("properties"), dict) else node
        for key, values in props.items():
            if key.startswith("@") or not isinstance(values, list):
                continue
            for value in values:
                if isinstance(value, dict) and ("type" in value or "@type" in value) and value is not node:
                    out.extend(_walk_mf(value))
    return out


def _mf_first(props: dict[str, Any], *names: str) -> Any:
    for name in names:
        values = props.get(name)
        if values:
            value = values[0]
            if isinstance(value, dict):
                props_of: dict[str, Any] = value["properties"] if isinstance(value.get("properties"), dict) else value
                return value.get("value") or (props_of.get("name") or [None])[0] or value.get("html")
            return value
    return None


def _from_hreview(node: dict[str, Any], url: str, platform: str) -> Review | None:
    props: dict[str, Any] = node["properties"] if isinstance(node.get("properties"), dict) else node
    text = clean_text(_mf_first(props, "content", "description"))
    title = clean_text(_mf_first(props, "name", "summary"))
    if not text and not title:
        return None
    rating = to_number(_mf_first(props, "rating"))
    best = to_number(_mf_first(props, "best")) or 5.0
    worst = to_number(_mf_first(props, "worst"))
    author = clean_text(_mf_first(props, "author", "reviewer"))
    published = to_iso(_mf_first(props, "published", "reviewed", "dtreviewed"))
    link = _mf_first(props, "url")
    return Review(
        platform=platform,
        external_id=str(link) if link else stable_id(author, published, title, text),
        text=text or title or "",
        title=title if text else None,
        url=str(link) if link else url,
        rating=rating,
        rating_scale=best if rating is not None else None,
        rating_min=1.0 if worst is None else worst,
        author=author,
        published_at=published,
        parser_version=PARSER_VERSION,
    )

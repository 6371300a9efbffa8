"""Links written into the digest: only http(s), percent-encoded so no format can read markup out of them.

A review URL comes from the crawled page, so it is hostile input: ``https://evil.example/x>)<img src=x onerror=...>``
must not close a Markdown link or an HTML attribute. :func:`safe_url` keeps http and https URLs only (anything else,
``javascript:`` included, is dropped) and percent-encodes every character outside the unreserved and structural set, so
``<``, ``>``, ``(``, ``)``, quotes, backslashes and spaces never reach the output raw. The HTML templates still escape
it (autoescape); Markdown puts it inside ``<...>``, which the encoding makes unbreakable.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

# RFC 3986 unreserved + the delimiters a URL needs; no quotes, parentheses, angle brackets, backslash or space.
_SAFE_PATH = "/:@!$&*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def safe_url(url: object) -> str | None:
    """``url`` as an http(s) URL safe to write anywhere, or ``None`` when it is not an http(s) URL with a host."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    netloc = quote(parts.netloc, safe=":@[]-._~%")
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=_SAFE_PATH),
            quote(parts.query, safe=_SAFE_QUERY),
            quote(parts.fragment, safe=_SAFE_QUERY),
        )
    )


def join_url(base: str | None, *segments: str) -> str | None:
    """``base`` + ``/`` + the path segments (each percent-encoded), checked by :func:`safe_url`; ``None`` if no base."""
    if not base:
        return None
    path = "/".join(quote(s, safe="-._~") for s in segments)
    return safe_url(base.rstrip("/") + "/" + path)

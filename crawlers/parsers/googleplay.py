"""``googleplay`` connector: Google Play reviews through the ``batchexecute`` RPC the store's web page uses.

One POST per page (``UsvDTd``, newest first); the response carries up to ``count`` reviews and a continuation token
for the next page. Review fields follow the positions the web client reads (id, author, score, text, time, thumbs,
developer reply, app version).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, epoch_to_iso

PARSER_VERSION = "googleplay/1"
DEFAULT_BASE = "https://play.google.com"
SORT_NEWEST = 2


def rpc_url(language: str = "en", country: str = "us", base_url: str | None = None) -> str:
    base = (base_url or DEFAULT_BASE).rstrip("/")
    return f"{base}/_/PlayStoreUi/data/batchexecute?{urlencode({'hl': language, 'gl': country})}"


def rpc_body(app_id: str, count: int = 100, continuation: str | None = None, sort: int = SORT_NEWEST) -> str:
    """The form body of one page request; ``continuation`` is the token of the previous response."""
    cursor = json.dumps(continuation) if continuation else "null"
    inner = f"[null,null,[2,{sort},[{count},null,{cursor}],null,[]],[{json.dumps(app_id)},7]]"
    freq = json.dumps([[["UsvDTd", inner, None, "generic"]]], separators=(",", ":"))
    return "f.req=" + quote(freq, safe="")


def _payload(body: bytes | str) -> list[Any] | None:
    """The inner JSON of the ``wrb.fr`` envelope, after the ``)]}'`` guard."""
    text = as_text(body)
    start = text.find("[")
    if start < 0:
        return None
    decoder = json.JSONDecoder()
    try:
        envelope, _ = decoder.raw_decode(text[start:])
    except json.JSONDecodeError:
        return None
    for row in envelope if isinstance(envelope, list) else []:
        if isinstance(row, list) and len(row) > 2 and row[0] == "wrb.fr" and isinstance(row[2], str):
            try:
                inner = json.loads(row[2])
            except json.JSONDecodeError:
                return None
            return inner if isinstance(inner, list) else None
    return None


def _at(data: Any, *path: int) -> Any:
    for index in path:
        if not isinstance(data, list) or index >= len(data) or index < -len(data):
            return None
        data = data[index]
    return data


def parse_googleplay(body: bytes | str, url: str, *, app_id: str | None = None) -> list[Review]:
    """The reviews of one RPC response."""
    payload = _payload(body)
    out: list[Review] = []
    for row in _at(payload, 0) or []:
        review_id, text = _at(row, 0), clean_text(_at(row, 4))
        if not review_id or not text:
            continue
        score = _at(row, 2)
        page = f"https://play.google.com/store/apps/details?id={app_id}&reviewId={review_id}" if app_id else None
        out.append(
            Review(
                platform="googleplay",
                external_id=str(review_id),
                text=text,
                url=page,
                rating=float(score) if isinstance(score, int | float) else None,
                rating_scale=5.0,
                author=clean_text(_at(row, 1, 0)),
                published_at=epoch_to_iso(_at(row, 5, 0)),
                reply_text=clean_text(_at(row, 7, 1)),
                reply_at=epoch_to_iso(_at(row, 7, 2, 0)),
                parser_version=PARSER_VERSION,
                extra={"thumbs_up": _at(row, 6), "version": _at(row, 10)},
            )
        )
    return out


def continuation_token(body: bytes | str) -> str | None:
    """The token that fetches the next page (the string closing a list after the reviews); ``None`` on the last page.

    Clients read it at ``[-2][-1]`` or ``[1][-1]`` of the payload depending on the response version, so look at every
    trailing part rather than one fixed position.
    """
    payload = _payload(body)
    for part in reversed((payload or [])[1:]):
        if isinstance(part, list) and part and isinstance(part[-1], str) and part[-1]:
            return part[-1]
    return None

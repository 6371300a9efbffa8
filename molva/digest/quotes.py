"""Quotes from reviews: trimmed to a readable length, linked to their review id and URL, never carrying an author.

Text stays raw here; the HTML template escapes it (Jinja autoescape) and :func:`markdown_escape` protects Markdown, so
a review containing ``<script>`` is shown as text everywhere.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

QUOTE_MAX = 220
NEAR_DUPLICATE = 0.6  # word-set Jaccard (numbers masked) at which two quotes say the same thing
CONTAINED = 0.8  # ... or the share of the shorter quote's words found in the longer one ("Half the items were out of
# stock." inside "Shopping for a family of 3 — half the items were out of stock.")
# A quote must be a clear match: the main topic's score (a probability with the default fitted calibration) at least
# this. About 60 % of main-topic sentences in the demo reach it; the rest are mostly verdicts without a subject
# ("Would not recommend.", 0.39) that the assigner gives some topic.
QUOTE_MIN_SCORE = 0.65
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#])")
_WORD = re.compile(r"\w+")
QUOTED = "quoted"  # key set on a quotes.sql row once its review is quoted (or a near-duplicate of it was)


def trim(text: str, limit: int = QUOTE_MAX) -> str:
    """Collapse whitespace and cut at a word boundary before ``limit`` characters, ending with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def markdown_escape(text: str) -> str:
    """Escape text for Markdown chat messages: HTML entities for ``<>&`` and backslashes before Markdown syntax."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def quote_words(text: str) -> frozenset[str]:
    """The words of a quote for near-duplicate checks: case-folded, every number the same token ("40 минут" and
    "25 минут" are the same complaint)."""
    return frozenset("0" if w.isdigit() else w for w in _WORD.findall(text.casefold()))


def near_duplicate(a: frozenset[str], b: frozenset[str], threshold: float = NEAR_DUPLICATE) -> bool:
    """Whether two quotes' word sets overlap at ``threshold`` (Jaccard) or more."""
    if not a or not b:
        return a == b
    common = len(a & b)
    if common / len(a | b) >= threshold:
        return True
    return min(len(a), len(b)) >= 4 and common / min(len(a), len(b)) >= CONTAINED


def pick_quotes(
    rows: list[dict[str, Any]],
    topic_id: str,
    kind: str | tuple[str, ...],
    *,
    week_start: date | None = None,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """Up to ``limit`` quotes on a topic (``kind``: complaint, praise, neutral or a tuple of them, in order of
    preference) from ``quotes.sql`` rows, whose sentences have the topic as their main topic.

    With ``week_start`` only that week's evidence is used; without it, the strongest matches of the window come
    first. Only clear matches are quoted (``topic_score`` at least :data:`QUOTE_MIN_SCORE`).
    One digest passes the same ``rows`` to every section, and the list is its quote ledger: a review once quoted is
    never quoted again in the digest (its rows are marked :data:`QUOTED`), nor is a sentence that is a near-duplicate
    of one already quoted (:func:`near_duplicate`).
    """
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    chosen: list[dict[str, Any]] = []
    candidates = [
        r
        for r in rows
        if r["topic_id"] == topic_id
        and r["mention_kind"] in kinds
        and (week_start is None or r["week_start"] == week_start)
        and (r.get("topic_score") is None or r["topic_score"] >= QUOTE_MIN_SCORE)
    ]
    # one week: the mart's order (strongest match first); the whole window: the strongest matches, newest first
    candidates.sort(
        key=lambda r: (
            (kinds.index(r["mention_kind"]), -r["week_start"].toordinal(), r["evidence_rank"])
            if week_start is not None
            else (
                kinds.index(r["mention_kind"]),
                -round(float(r.get("topic_score") or 0), 2),
                -r["week_start"].toordinal(),
                r["evidence_rank"],
            )
        )
    )
    for row in candidates:
        if row.get(QUOTED):
            continue
        _mark_quoted(rows, row)
        chosen.append(
            {
                "text": trim(str(row["sentence_text"])),
                "review_id": row["review_id"],
                "sentence_index": row.get("sentence_index"),
                "topic_id": row["topic_id"],
                "url": row["review_url"] if _safe_url(row["review_url"]) else None,
                "platform": row["platform"],
                "rating": row["rating_5"],
                "published_at": row["published_at"],
            }
        )
        if len(chosen) == limit:
            break
    return chosen


def _mark_quoted(rows: list[dict[str, Any]], quoted: dict[str, Any]) -> None:
    """Mark every row of the quoted review, and every near-duplicate sentence, as used for this digest."""
    words = quote_words(str(quoted["sentence_text"]))
    for r in rows:
        if r.get(QUOTED):
            continue
        if r["review_id"] == quoted["review_id"] or near_duplicate(words, quote_words(str(r["sentence_text"]))):
            r[QUOTED] = True


def _safe_url(url: object) -> bool:
    """Only http(s) links are rendered, so a stored ``javascript:`` URL can never become a clickable link."""
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))

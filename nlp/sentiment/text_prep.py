"""Defensive text cleaning before classification, with flags that commands count in their summaries.

Reviews arrive with HTML entities ("&quot;", "&#128512;"), invalid bytes (decoded as U+FFFD), control characters,
emoji-only bodies and pathological lengths. Cleaning is deterministic and never raises; the model sees at most
``MAX_CHARS`` characters: the head and the tail of a long text, where reviews put their verdict.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

MAX_CHARS = 3000
HEAD_CHARS, TAIL_CHARS = 2000, 1000
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_HAS_WORD = re.compile(r"[^\W_]")

FLAGS = ("empty", "too_long", "html_entities", "emoji_only", "invalid_utf8")


@dataclass(frozen=True)
class CleanText:
    """The text the model sees, and what was odd about the original."""

    text: str
    flags: frozenset[str] = field(default_factory=frozenset)


def clean_text(raw: object) -> CleanText:
    """Normalise one input value (None, NaN and non-strings included) into classifiable text plus flags."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return CleanText("", frozenset({"empty"}))
    text = raw if isinstance(raw, str) else str(raw)
    flags: set[str] = set()
    if "\ufffd" in text or re.search(r"[\ud800-\udfff]", text):
        flags.add("invalid_utf8")
        text = text.replace("\ufffd", " ")
    if _ENTITY.search(text):
        flags.add("html_entities")
        text = html.unescape(text)
    text = _CONTROL.sub(" ", text).strip()
    if not text:
        return CleanText("", frozenset(flags | {"empty"}))
    if len(text) > MAX_CHARS:
        flags.add("too_long")
        text = text[:HEAD_CHARS] + " … " + text[-TAIL_CHARS:]
    if not _HAS_WORD.search(text):
        flags.add("emoji_only")
    return CleanText(text, frozenset(flags))

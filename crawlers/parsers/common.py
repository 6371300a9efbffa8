"""Helpers every parser shares: dates to UTC ISO strings, numbers from text, whitespace, content-derived ids."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from typing import Any

_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def clean_text(value: Any) -> str | None:
    """Collapse whitespace, unescape HTML entities; ``None`` for empty values."""
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v is not None)
    text = _WS.sub(" ", html.unescape(str(value))).strip()
    return text or None


def clean_multiline(value: Any) -> str | None:
    """Like :func:`clean_text` but keeps paragraph breaks (blank lines) of Markdown-ish user text."""
    if value is None:
        return None
    paragraphs = re.split(r"\n\s*\n", html.unescape(str(value)))
    return join_paragraphs(paragraphs)


def join_paragraphs(parts: list[str]) -> str | None:
    """Join text fragments (``::text`` results) into paragraphs separated by blank lines."""
    cleaned = [c for c in (clean_text(p) for p in parts) if c]
    return "\n\n".join(cleaned) or None


def to_number(value: Any, pattern: str | None = None) -> float | None:
    """First number in ``value`` (``"4,5 out of 5"`` → 4.5); ``pattern`` may hold a group that captures it."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value)
    if pattern:
        match = re.search(pattern, text)
        if not match:
            return None
        text = match.group(1) if match.groups() else match.group(0)
    found = _NUMBER.search(text)
    return float(found.group(0).replace(",", ".")) if found else None


def epoch_to_iso(value: Any) -> str | None:
    """Unix seconds (or milliseconds) → ``YYYY-MM-DDTHH:MM:SS+00:00``."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000.0
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def to_iso(
    value: Any,
    *,
    languages: list[str] | None = None,
    date_format: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Any date the platforms show → ISO 8601 in UTC (naive dates are taken as UTC).

    ISO strings are parsed directly; everything else ("March 29, 2015", "12 марта 2024", "вчера в 10:15") goes through
    dateparser with the given languages. ``date_format`` may be ``epoch`` or a ``strptime`` pattern;
    ``now`` anchors relative dates (tests pass a fixed one).
    """
    if value is None or value == "":
        return None
    if date_format == "epoch" or isinstance(value, int | float):
        return epoch_to_iso(value)
    text = clean_text(value)
    if not text:
        return None
    parsed: datetime | None = None
    if date_format:
        try:
            parsed = datetime.strptime(text, date_format)
        except ValueError:
            parsed = None
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        import dateparser  # heavy: imported only when a non-ISO date appears

        settings: dict[str, Any] = {
            "TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
        }
        if now is not None:
            settings["RELATIVE_BASE"] = now if now.tzinfo is None else now.astimezone(UTC).replace(tzinfo=None)
        parsed = dateparser.parse(text, languages=languages or ["en", "ru"], settings=settings)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def stable_id(*parts: Any) -> str:
    """An id for reviews the platform gives none: a hash of what identifies them (author, date, text)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return "h" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def as_text(body: bytes | str, encoding: str | None = None) -> str:
    """Bytes → text: the declared encoding, else UTF-8, else cp1251 (Russian sites), never an exception."""
    if isinstance(body, str):
        return body
    for enc in [e for e in (encoding, "utf-8") if e]:
        try:
            return body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from w3lib.encoding import html_to_unicode

    _, text = html_to_unicode(None, body, default_encoding="cp1251")
    return text

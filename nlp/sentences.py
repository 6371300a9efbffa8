"""Sentence splitting for Russian and English reviews, with character offsets into the original text.

razdel does the grammatical work (abbreviations, initials, decimals, quotes) for both languages. Review text also
breaks sentences in ways razdel does not see: line breaks and list items, emoji used as full stops ("село идеально😍
доставка быстрая"), and missing punctuation ("Все отлично Рекомендую"). Those boundaries are found first, razdel then
splits each piece. Offsets always index into the text as given, so ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line break; a list marker at the start of a line ("- ", "• ", "* ", "1. ", "2) ").
_LINE = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_BULLET = re.compile(r"\s*(?:[-–—•*·●▪►✓✔+]|\d{1,2}[.)])\s+")
# Emoji and pictographs (plus variation selectors / joiners / skin tones that glue onto them).
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f3fb-\U0001f3ff"
# An emoji run followed by more words, or end punctuation glued to the next sentence ("well!Would").
_EMOJI_BREAK = re.compile(rf"[{_EMOJI}]+(?=\s+\w)|(?<=[a-zа-яё])[.!?…]+(?=[A-ZА-ЯЁ][a-zа-яё])")
# "...отлично Рекомендую": a lowercase word, a space, then a capitalised word followed by lowercase letters.
_CAPITAL_BREAK = re.compile(r"(?<=[a-zа-яё])\s+(?=[A-ZА-ЯЁ][a-zа-яё])")
_WORD = re.compile(r"\w+")
_HAS_WORD = re.compile(r"[^\W_]")
_MIN_WORDS_BEFORE_CAPITAL_BREAK = 3
# Closed-class words a sentence does not end with: a capital after them starts a name ("I live near Maryino",
# "заказываю в Лавке"), not a new sentence.
_NO_SENTENCE_END_WORDS = """
    a an the of in on at to from by with for near about into onto over under via per than as and or but nor
    my your his her its our their this these those is are was were be been am very not
    в во на из у от до с со к ко по за под над о об обо про через для без при между перед около возле и или а но
    чем мой моя моё мои твой твоя наш наша ваш ваша их этот эта эти тот та те очень не ни"""
_NO_SENTENCE_END = frozenset(_NO_SENTENCE_END_WORDS.split())
# pymorphy3 grammemes of proper names: first names, surnames, patronymics, places, organisations, trademarks.
_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and ``[start, end)`` character offsets into the original text."""

    index: int
    start: int
    end: int
    text: str


def _spans_by(pattern: re.Pattern[str], text: str, start: int, end: int, keep_match: bool) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at each match; the match stays with the left part when ``keep_match``."""
    spans, cursor = [], start
    for m in pattern.finditer(text, start, end):
        cut_left = m.end() if keep_match else m.start()
        spans.append((cursor, cut_left))
        cursor = m.end()
    spans.append((cursor, end))
    return spans


def _is_proper_name(word: str) -> bool:
    """A Russian word whose likeliest reading is a name, place or organisation (pymorphy3); False for other words."""
    if not re.match(r"[А-ЯЁ]", word):
        return False
    from nlp.lemmas import _morph

    return bool(_PROPER & set(_morph().parse(word)[0].tag.grammemes))


def _capital_breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut before a capitalised word that follows a lowercase one, when at least three words precede it, the word
    before can end a sentence, and the capitalised word is not a (Russian) proper name."""
    spans, cursor = [], start
    for m in _CAPITAL_BREAK.finditer(text, start, end):
        before = _WORD.findall(text, cursor, m.start())
        after = _WORD.match(text, m.end())
        if (
            len(before) >= _MIN_WORDS_BEFORE_CAPITAL_BREAK
            and before[-1].lower() not in _NO_SENTENCE_END
            and not (after and _is_proper_name(after.group()))
        ):
            spans.append((cursor, m.start()))
            cursor = m.end()
    spans.append((cursor, end))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    bullet = _BULLET.match(text, start, end)
    if bullet and bullet.end() < end:
        start = bullet.end()
    return start, end


def split_sentences(text: str | None) -> list[Sentence]:
    """Split a review into sentences with offsets; pieces without any letter or digit are dropped.

    A non-empty text with no words at all (emoji only, "!!!") yields one sentence so that every non-blank review
    has at least one sentence row.
    """
    from razdel import sentenize

    if not text or not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _spans_by(_LINE, text, 0, len(text), keep_match=False):
        for e_start, e_end in _spans_by(_EMOJI_BREAK, text, line_start, line_end, keep_match=True):
            s, e = _trim(text, e_start, e_end)
            if s >= e:
                continue
            for piece in sentenize(text[s:e]):
                for c_start, c_end in _capital_breaks(text, s + piece.start, s + piece.stop):
                    spans.append(_trim(text, c_start, c_end))
    kept = [(s, e) for s, e in spans if s < e and _HAS_WORD.search(text, s, e)]
    if not kept:
        s, e = _trim(text, 0, len(text))
        kept = [(s, e)]
    return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(kept)]

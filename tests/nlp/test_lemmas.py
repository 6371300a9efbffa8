"""Lemmas and stop words for Russian (pymorphy3) and English (spaCy)."""

from __future__ import annotations

from nlp.lemmas import guess_language, lemmatize, lemmatize_many, stop_words, tokenize


def test_russian_inflections_share_a_lemma() -> None:
    assert lemmatize("доставку", "ru") == lemmatize("доставки", "ru") == ["доставка"]
    assert lemmatize("Курьер был грубым", "ru") == ["курьер", "быть", "грубый"]


def test_english_lemmas_from_spacy() -> None:
    assert lemmatize("The waiters were rude", "en") == ["the", "waiter", "be", "rude"]
    assert lemmatize("deliveries arrived late", "en", drop_stop_words=True) == ["delivery", "arrive", "late"]


def test_stop_words_dropped_and_latin_kept_in_russian() -> None:
    assert lemmatize("Wi-Fi не работал и это плохо", "ru", drop_stop_words=True) == ["wi-fi", "работать", "плохо"]
    assert "и" in stop_words("ru") and "the" in stop_words("en")


def test_batch_matches_single_calls_and_guesses_language() -> None:
    texts = ["Курьеры опоздали", "Couriers were late", ""]
    assert lemmatize_many(texts) == [lemmatize(texts[0]), lemmatize(texts[1]), []]
    assert guess_language("Привет, world") == "ru" and guess_language("hello") == "en" and guess_language("👍") == "en"


def test_tokenize_drops_punctuation_and_emoji() -> None:
    assert tokenize("Ну... ок 👍 don’t") == ["ну", "ок", "don't"]

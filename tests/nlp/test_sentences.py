"""Sentence splitting for reviews: offsets index into the original text; line breaks, lists, emoji, no punctuation."""

from __future__ import annotations

from nlp.sentences import split_sentences


def _texts(text: str) -> list[str]:
    found = split_sentences(text)
    for s in found:
        assert text[s.start : s.end] == s.text
    assert [s.index for s in found] == list(range(len(found)))
    return [s.text for s in found]


def test_russian_punctuation_and_abbreviations() -> None:
    assert _texts("Т.е. всё хорошо, г. Москва, 2.5 кг. Спасибо!") == ["Т.е. всё хорошо, г. Москва, 2.5 кг.", "Спасибо!"]


def test_english() -> None:
    assert _texts("Great dress. Fits well! Would buy again?") == ["Great dress.", "Fits well!", "Would buy again?"]


def test_line_breaks_and_lists() -> None:
    text = "Плюсы:\n- цвет\n- размер\r\n\r\nМинусы:\n1. долго шло\n2) коробка мятая"
    assert _texts(text) == ["Плюсы:", "цвет", "размер", "Минусы:", "долго шло", "коробка мятая"]


def test_emoji_as_full_stop() -> None:
    assert _texts("Отличное платье😍 село идеально👍🏻 доставка быстрая") == [
        "Отличное платье😍",
        "село идеально👍🏻",
        "доставка быстрая",
    ]


def test_missing_punctuation_and_glued_sentences() -> None:
    assert _texts("Все отлично пришло быстро Рекомендую продавца") == [
        "Все отлично пришло быстро",
        "Рекомендую продавца",
    ]
    assert _texts("Fits well!Would buy again") == ["Fits well!", "Would buy again"]
    # A capital after fewer than three words is more likely a name than a new sentence.
    assert _texts("Доставка до Кемерово быстрая") == ["Доставка до Кемерово быстрая"]


def test_a_capitalised_name_does_not_start_a_sentence() -> None:
    # after a preposition, article or conjunction: a sentence does not end there
    assert _texts("It used to be better. I live near Maryino and usually order in the evening.") == [
        "It used to be better.",
        "I live near Maryino and usually order in the evening.",
    ]
    assert _texts("Мы всегда заказываем в Лавке по пятницам") == ["Мы всегда заказываем в Лавке по пятницам"]
    # a Russian first name, place or organisation (pymorphy3), wherever it stands
    assert _texts("Очень вежливый курьер Иван помог занести пакеты") == [
        "Очень вежливый курьер Иван помог занести пакеты"
    ]
    assert _texts("Долго ехали сегодня Москва стоит в пробках") == ["Долго ехали сегодня Москва стоит в пробках"]
    # while an ordinary capitalised word still starts one
    assert _texts("Курьер опоздал на час Больше не закажу") == ["Курьер опоздал на час", "Больше не закажу"]


def test_degenerate_inputs() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n\t") == []
    assert split_sentences(None) == []
    assert _texts("😍😍😍") == ["😍😍😍"]
    assert _texts("  !!!  ") == ["!!!"]
    assert _texts("ok\n\n---\n\n") == ["ok"]


def test_long_text_is_split_quickly() -> None:
    text = "Платье хорошее, но маломерит. " * 3000
    found = split_sentences(text)
    assert len(found) == 3000
    assert found[-1].end == len(text.rstrip())

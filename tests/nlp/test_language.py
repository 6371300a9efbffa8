"""Language detection: ru / en / other, offline, robust to short and odd texts."""

from __future__ import annotations

import pytest

from nlp.language import detect_language, detect_languages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Отличное платье, село идеально, рекомендую", "ru"),
        ("Great product, the battery lasts for days", "en"),
        ("Супер!!!", "ru"),
        ("ok", "en"),
        ("норм", "ru"),
        ("Klasse Produkt, sehr gut, ich bin zufrieden damit", "other"),
        ("Дуже гарна сукня, рекомендую всім подругам", "other"),
        ("😍😍😍", "other"),
        ("12345", "other"),
        ("", "other"),
        ("   \n ", "other"),
        ("Платье огонь\nберите не пожалеете", "ru"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_none_and_long_inputs() -> None:
    assert detect_language(None) == "other"
    assert detect_languages(["Доставка быстрая. " * 5000, "Fast delivery. " * 5000]) == ["ru", "en"]

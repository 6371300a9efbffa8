"""A small but realistic warehouse for digest tests: three brands, ten ISO weeks, three platforms, topics with quotes,
a planted rising delivery complaint, an emerging topic, a review with HTML in it, and a failed crawl.

Rows go into the raw and enrichment tables; the marts are then built with the real ``warehouse.marts`` builder, so the
digest is tested against the same SQL the product runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from warehouse.db import connect
from warehouse.marts import build_marts

# Created here only while the sentiment migration (020) has not landed; the columns follow docs/architecture.md.
SENTIMENT_DDL = """
create table if not exists review_sentiment (
    review_id varchar, content_hash varchar, model_name varchar, model_version varchar, language varchar,
    label varchar, score double, p_negative double, p_mixed double, p_positive double, p_none double default 0,
    classified_at timestamp,
    primary key (review_id, model_name));
"""

LAST_WEEK = date(2026, 11, 16)  # Monday of ISO week 2026-W47
N_WEEKS = 10
BRANDS = [("lastochka", "Lastochka", "Ласточка", True), ("strela", "Strela Market", "Стрела Маркет", False),
          ("volna", "Volna", "Волна", False)]  # fmt: skip
PLATFORMS = [("trustpilot", "review", 5.0), ("appstore", "review", 5.0), ("reddit", "mention", None)]
TOPICS = [
    ("delivery", "Delivery", "Доставка", "delivery", "taxonomy"),
    ("customer_support", "Customer support", "Служба поддержки", "support", "taxonomy"),
    ("price_value", "Price and value", "Цена и соотношение цены и качества", "purchase", "taxonomy"),
    ("product_quality", "Product quality", "Качество товара", "use", "taxonomy"),
    ("emerging-0001", "Parking at pick-up points", "Парковка у пунктов выдачи", None, "emerging"),
]
COMPLAINTS = {
    "delivery": ["The courier was two hours late and the ice cream melted.", "Доставка опоздала на два часа."],
    "customer_support": ["Support never answered my chat.", "Поддержка не отвечает третий день."],
    "price_value": ["Prices went up again this month.", "Цены снова выросли."],
    "product_quality": ["The milk was sour on arrival.", "Молоко оказалось кислым."],
    "emerging-0001": ["There is nowhere to park at the pick-up point.", "У пункта выдачи негде припарковаться."],
}
PRAISE = {
    "delivery": ["Fast delivery, right on time.", "Быстрая доставка, всё вовремя."],
    "customer_support": ["The support team solved my problem in minutes.", "Поддержка решила вопрос за минуты."],
    "price_value": ["Good value for money.", "Хорошие цены."],
    "product_quality": ["Fresh vegetables every time.", "Овощи всегда свежие."],
    "emerging-0001": ["Easy parking near the pick-up point.", "Удобная парковка у пункта выдачи."],
}
HTML_REVIEW = '<script>alert("x")</script> <b>Courier</b> lost my order & nobody called back.'
# A review URL built to break out of a Markdown link and an HTML attribute, and an unbroken string a page cannot wrap
# at a space (it must wrap anyway, not widen the page).
HOSTILE_URL = "https://evil.example/x>)<img src=x onerror=alert(6)>"
UNBROKEN = "Tracking" + "X" * 110
LONG_SENTENCE = "The delivery " + "was late again and again, " * 20 + "which is unacceptable."


@dataclass(frozen=True)
class FixtureInfo:
    path: Path
    own_brand: str = "lastochka"
    week: str = "2026-W47"
    html_review_id: str = "lastochka-html"


def build_fixture_warehouse(path: Path, *, seed: int = 7) -> FixtureInfo:
    """Create the warehouse file at ``path``, fill it and build the marts."""
    con = connect(path)
    con.execute(SENTIMENT_DDL)
    rng = random.Random(seed)
    now = datetime(2026, 11, 23, 6, 0)
    for brand_id, en, ru, own in BRANDS:
        con.execute("insert into brands values (?, ?, ?, [], ?, ?)", [brand_id, en, ru, own, now])
        for platform, _, _ in PLATFORMS:
            con.execute(
                "insert into sources values (?, ?, ?, ?, null, null, true, ?)",
                [f"{brand_id}-{platform}", brand_id, platform, f"https://{platform}.example/{brand_id}", now],
            )
    for topic_id, en, ru, stage, kind in TOPICS:
        con.execute(
            "insert into topics (topic_id, label_en, label_ru, stage, kind, status, first_seen_at, updated_at)"
            " values (?, ?, ?, ?, ?, 'active', ?, ?)",
            [
                topic_id,
                en,
                ru,
                stage,
                kind,
                datetime(2026, 11, 17) if kind == "emerging" else datetime(2026, 1, 1),
                now,
            ],
        )
    n = 0
    first_week = LAST_WEEK - timedelta(weeks=N_WEEKS - 1)
    for brand_id, _, _, own in BRANDS:
        for w in range(N_WEEKS):
            monday = first_week + timedelta(weeks=w)
            for platform, kind, scale in PLATFORMS:
                for _ in range(rng.randint(9, 14)):
                    n += 1
                    rising = own and w >= N_WEEKS - 2 and platform != "reddit" and rng.random() < 0.55
                    _add_review(con, rng, n, brand_id, platform, kind, scale, monday, rising=rising,
                                emerging=own and w == N_WEEKS - 1 and rng.random() < 0.25)  # fmt: skip
    # Safety cases: a review whose text carries HTML, and a very long sentence, both delivery complaints this week.
    at = datetime.combine(LAST_WEEK, datetime.min.time()) + timedelta(days=2, hours=9)
    hostile = HTML_REVIEW + " " + UNBROKEN
    _insert_review(con, "lastochka-html", "lastochka", "trustpilot", "review", 1.0, 5.0, at, [(hostile, "delivery",
                   "complaint", 0.99)], "negative", HOSTILE_URL)  # fmt: skip
    _insert_review(con, "lastochka-long", "lastochka", "trustpilot", "review", 1.0, 5.0, at, [(LONG_SENTENCE,
                   "delivery", "complaint", 0.98)], "negative", None)  # fmt: skip
    # Crawl runs: one failed run for a competitor source.
    for i, (source_id, status) in enumerate(
        [("lastochka-trustpilot", "success"), ("lastochka-appstore", "success"), ("strela-appstore", "failed")]
    ):
        con.execute(
            "insert into crawl_runs (run_id, source_id, started_at, finished_at, status, n_pages, n_items, n_errors)"
            " values (?, ?, ?, ?, ?, 3, ?, ?)",
            [f"run-{i}", source_id, now, now + timedelta(minutes=3), status, 0 if status == "failed" else 40,
             1 if status == "failed" else 0],
        )  # fmt: skip
    build_marts(con, sentiment_model="molva")
    con.close()
    return FixtureInfo(path=path)


def _add_review(con, rng, n, brand_id, platform, kind, scale, monday, *, rising, emerging) -> None:  # type: ignore[no-untyped-def]
    at = datetime.combine(monday, datetime.min.time()) + timedelta(days=rng.randint(0, 6), hours=rng.randint(7, 22))
    lang = "ru" if rng.random() < 0.6 else "en"
    li = 1 if lang == "ru" else 0
    base = {"lastochka": 3.9, "strela": 3.6, "volna": 4.1}[brand_id]
    stars = max(1, min(5, round(rng.gauss(base, 1.1))))
    sentences = []
    if rising:
        stars = rng.choice([1, 1, 2])
        sentences.append((COMPLAINTS["delivery"][li], "delivery", "complaint", 0.9))
    if emerging:
        sentences.append((COMPLAINTS["emerging-0001"][li], "emerging-0001", "complaint", 0.8))
    topic = rng.choice(TOPICS[:4])[0]
    if stars <= 2:
        sentences.append((COMPLAINTS[topic][li], topic, "complaint", round(rng.uniform(0.5, 0.9), 3)))
    elif stars >= 4:
        sentences.append((PRAISE[topic][li], topic, "praise", round(rng.uniform(0.5, 0.9), 3)))
    else:
        sentences.append(("Обычный заказ." if li else "An ordinary order.", None, None, 0.0))
    label = "negative" if stars <= 2 else "positive" if stars >= 4 else "mixed"
    rating = float(stars) if scale else None
    url = f"https://{platform}.example/{brand_id}/{n}"
    _insert_review(con, f"{brand_id}-{n}", brand_id, platform, kind, rating, scale, at, sentences, label, url,
                   reply=(kind == "review" and rng.random() < 0.4))  # fmt: skip


def _insert_review(con, review_id, brand_id, platform, kind, rating, scale, at, sentences, label, url, *,  # type: ignore[no-untyped-def]
                   reply=False) -> None:  # fmt: skip
    text, spans = "", []
    for sentence, topic, mention, score in sentences:
        start = len(text) + (1 if text else 0)
        text = f"{text} {sentence}" if text else sentence
        spans.append((start, len(text), topic, mention, score))
    norm = None if rating is None else (rating - 1) / (scale - 1)
    con.execute(
        "insert into reviews (review_id, source_id, brand_id, platform, external_id, kind, url, author_hash, rating,"
        " rating_min, rating_scale, rating_norm, text, language, published_at, first_seen_at, last_seen_at,"
        " content_hash, reply_text, reply_at) values (?, ?, ?, ?, ?, ?, ?, 'anon:abc123', ?, 1, ?, ?, ?, 'ru', ?, ?, ?,"
        " ?, ?, ?)",
        [review_id, f"{brand_id}-{platform}", brand_id, platform, review_id, kind, url, rating, scale, norm, text, at,
         at, at, f"h-{review_id}", "Спасибо!" if reply else None, at + timedelta(hours=5) if reply else None],
    )  # fmt: skip
    score = {"negative": -0.7, "mixed": 0.0, "positive": 0.7}[label]
    con.execute(
        "insert into review_sentiment values (?, ?, 'molva', '1', 'ru', ?, ?, 0, 0, 0, 0, ?)",
        [review_id, f"h-{review_id}", label, score, at],
    )
    for i, (start, end, topic, mention, tscore) in enumerate(spans):
        if topic is None:
            continue
        polarity = "negative" if mention == "complaint" else "positive"
        con.execute(
            "insert into sentence_topics (review_id, sentence_index, topic_id, score, polarity, kind, start_char, "
            "end_char, content_hash, assigned_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [review_id, i, topic, tscore, polarity, mention, start, end, f"h-{review_id}", at],
        )

"""Generate the demo corpus: several hundred seeded reviews of a fictional grocery-delivery brand and two competitors.

Run ``python -m molva.demo.generate`` to rewrite ``molva/demo/corpus/corpus.json.gz`` (same seed, same file). The
corpus holds review *records* per source; :mod:`molva.demo.pages` renders them in each platform's real format
(Trustpilot ``__NEXT_DATA__``, App Store RSS JSON, schema.org JSON-LD pages, a selectors-configured HTML forum, Reddit
JSON) and :mod:`molva.demo.server` serves those pages on 127.0.0.1 for the real spiders to crawl.

What is planted, so the trends and alerts have something to find:

* the own brand (``lastochka``) gets a rising share of late-delivery complaints over the last three weeks;
* from the fourth-last week it also gets complaints about *substitutions made without asking*, a theme that is not
  in ``configs/topics.yaml`` and should surface as an emerging topic;
* a few reviews are syndicated from Trustpilot to the review site (near-duplicates), and a few are spam.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from molva.demo import vocab

CORPUS_PATH = Path(__file__).resolve().parent / "corpus" / "corpus.json.gz"
DEFAULT_SEED = 20261130
DEFAULT_START = date(2026, 9, 21)  # a Monday: ten ISO weeks 2026-W39 .. 2026-W48
DEFAULT_WEEKS = 10

BRAND_NAMES = {
    "lastochka": {"en": "Lastochka", "ru": "Ласточка"},
    "strela": {"en": "Strela Market", "ru": "Стрела Маркет"},
    "volna": {"en": "Volna", "ru": "Волна"},
}

# Share of positive / mixed / negative reviews per brand, before the planted trends.
MOOD = {"lastochka": (0.62, 0.14, 0.24), "strela": (0.50, 0.20, 0.30), "volna": (0.66, 0.14, 0.20)}

COMPLAINT_TOPICS = {
    "lastochka": {"delivery": 3, "product_quality": 3, "price_value": 2, "customer_support": 2, "website_app": 2,
                  "payment_billing": 1, "assortment_availability": 1, "staff_politeness": 1, "loyalty_promotions": 1,
                  "returns_refunds": 1},
    "strela": {"delivery": 2, "product_quality": 2, "price_value": 4, "customer_support": 3, "website_app": 1,
               "payment_billing": 2, "assortment_availability": 2, "staff_politeness": 1, "returns_refunds": 1},
    "volna": {"delivery": 2, "product_quality": 2, "price_value": 2, "customer_support": 1, "website_app": 3,
              "assortment_availability": 3, "loyalty_promotions": 1},
}  # fmt: skip
PRAISE_TOPICS = {
    "lastochka": {"delivery": 4, "product_quality": 3, "price_value": 1, "customer_support": 2, "website_app": 2,
                  "staff_politeness": 2, "loyalty_promotions": 2, "assortment_availability": 1},
    "strela": {"delivery": 2, "product_quality": 2, "price_value": 3, "assortment_availability": 3,
               "staff_politeness": 1, "website_app": 1},
    "volna": {"delivery": 3, "product_quality": 4, "price_value": 2, "staff_politeness": 2, "customer_support": 1},
}  # fmt: skip

# Planted trends for the own brand, by week index counted from the end (0 = last week).
LATE_DELIVERY_BOOST = {2: 0.15, 1: 0.28, 0: 0.40}
SUBSTITUTIONS = {3: 0.06, 2: 0.10, 1: 0.14, 0: 0.16}


@dataclass
class SourceSpec:
    """One demo source: its platform, brand, weekly volume, language mix and reply habits."""

    id: str
    brand: str
    platform: str
    per_week: float
    share_en: float
    reply_rate: float = 0.0
    reply_hours: float = 12.0
    options: dict[str, Any] = field(default_factory=dict)


SOURCES = [
    SourceSpec("lastochka-trustpilot", "lastochka", "trustpilot", 12, 0.7, 0.65, 6, {"slug": "lastochka.app"}),
    SourceSpec("strela-trustpilot", "strela", "trustpilot", 6, 0.6, 0.3, 30, {"slug": "strela.market"}),
    SourceSpec("volna-trustpilot", "volna", "trustpilot", 3, 0.6, 0.5, 12, {"slug": "volna.shop"}),
    SourceSpec("lastochka-appstore", "lastochka", "appstore", 10, 0.15, options={"app_id": "1600000001"}),
    SourceSpec("strela-appstore", "strela", "appstore", 5, 0.15, options={"app_id": "1600000002"}),
    SourceSpec("lastochka-otzyvy", "lastochka", "structured", 6, 0.0, 0.3, 20, {"slug": "lastochka"}),
    SourceSpec("volna-otzyvy", "volna", "structured", 5, 0.0, 0.2, 30, {"slug": "volna"}),
    SourceSpec("strela-forum", "strela", "selectors", 4, 0.0, 0.4, 24, {"slug": "strela"}),
    SourceSpec("lastochka-forum", "lastochka", "selectors", 3, 0.0, 0.6, 8, {"slug": "lastochka"}),
    SourceSpec("lastochka-reddit", "lastochka", "reddit", 3, 0.6, options={"subreddit": "moscowfood"}),
    SourceSpec("volna-reddit", "volna", "reddit", 1.2, 0.6, options={"subreddit": "moscowfood"}),
]


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's Poisson sampler (small lambdas only), so the corpus needs nothing beyond the standard library."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _fill(rng: random.Random, template: str, lang: str, brand: str) -> str:
    item, item2 = rng.sample(vocab.ITEMS[lang], 2)
    return template.format(
        item=item,
        item2=item2,
        weekday=rng.choice(vocab.WEEKDAYS[lang]),
        count=rng.randrange(5, 20),
        district=rng.choice(vocab.DISTRICTS if lang == "ru" else vocab.DISTRICTS_EN),
        amount=rng.randrange(800, 9000, 10),
        channel=rng.choice(["приложение", "сайт"]),
        channel_en=rng.choice(["app", "website"]),
        family=rng.randrange(2, 6),
        minutes=rng.choice([25, 40, 50, 70, 90]),
        hours=rng.choice([2, 3, 4]),
        fast=rng.choice([20, 25, 30, 35]),
        pct=rng.choice([10, 15, 20, 25]),
        threshold=rng.choice([1500, 2000, 2500]),
        days=rng.choice([2, 3, 4, 5]),
        brand=BRAND_NAMES[brand][lang],
    )


def _sentence(rng: random.Random, topic: str, polarity: str, lang: str, brand: str) -> str:
    return _fill(rng, rng.choice(vocab.SENTENCES[(topic, polarity)][lang]), lang, brand)


def _compose(rng: random.Random, brand: str, lang: str, weeks_from_end: int) -> dict[str, Any]:
    """One review: mood, rating, 1–3 topic sentences with an optional opener and closer, a title, the topics used."""
    pos, mixed, _neg = MOOD[brand]
    roll = rng.random()
    mood = "positive" if roll < pos else "mixed" if roll < pos + mixed else "negative"
    planted: list[tuple[str, str]] = []
    if brand == "lastochka":
        if rng.random() < LATE_DELIVERY_BOOST.get(weeks_from_end, 0.0):
            mood, planted = "negative", [("delivery", "complaint")]
        elif rng.random() < SUBSTITUTIONS.get(weeks_from_end, 0.0):
            mood, planted = rng.choice(["negative", "mixed"]), [("substitutions", "complaint")]
    complaints = dict(COMPLAINT_TOPICS[brand])
    praise = dict(PRAISE_TOPICS[brand])
    parts: list[tuple[str, str]] = list(planted)
    if mood == "positive":
        parts += [(_pick(rng, praise), "praise") for _ in range(rng.choice([1, 2, 2]))]
        rating = 5 if rng.random() < 0.7 else 4
    elif mood == "negative":
        parts += [(_pick(rng, complaints), "complaint") for _ in range(rng.choice([0, 1, 1, 2]) if planted else 1)]
        if not parts:
            parts = [(_pick(rng, complaints), "complaint")]
        rating = 1 if rng.random() < 0.6 else 2
    else:
        parts += [(_pick(rng, praise), "praise"), (_pick(rng, complaints), "complaint")]
        rating = rng.choice([2, 3, 3, 3, 4])
    seen: set[tuple[str, str]] = set()
    unique = [p for p in parts if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    sentences = [_sentence(rng, topic, polarity, lang, brand) for topic, polarity in unique]
    # openers are short and optional; the context clause leads into the first topic sentence
    opener = _fill(rng, rng.choice(vocab.OPENERS[(mood, lang)]), lang, brand) if rng.random() < 0.4 else ""
    if sentences and rng.random() < 0.6:
        context = _fill(rng, rng.choice(vocab.CONTEXT[lang]), lang, brand)
        sentences[0] = f"{context} — {_lower_first(sentences[0])}"
    closer = rng.choice(vocab.CLOSERS[(mood, lang)])
    text = " ".join(s for s in [opener, *sentences, closer] if s)
    return {
        "mood": mood,
        "rating": rating,
        "title": rng.choice(vocab.TITLES[(mood, lang)]),
        "text": text,
        "topics": [f"{t}:{p}" for t, p in unique],
    }


def _lower_first(sentence: str) -> str:
    """Lower-case the first letter when it starts an ordinary word ("The courier" → "the courier", "I" stays)."""
    first = sentence.split(" ", 1)[0]
    if first in ("I", "I'm", "I've") or (len(first) > 1 and first[1].isupper()):
        return sentence
    return sentence[0].lower() + sentence[1:]


def _author(rng: random.Random, lang: str) -> str:
    initial = rng.choice("АБВГДЕЗКЛМНОПРСТУФХЧШЯ" if lang == "ru" else "ABCDEFGHJKLMNOPRSTVWYZ")
    return f"{rng.choice(vocab.FIRST_NAMES[lang])} {initial}."


def _stable_id(*parts: object, n: int = 24) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:n]


def generate(seed: int = DEFAULT_SEED, start: date = DEFAULT_START, weeks: int = DEFAULT_WEEKS) -> dict[str, Any]:
    """Build the corpus dictionary (deterministic for a given seed, start and number of weeks)."""
    rng = random.Random(seed)
    sources: list[dict[str, Any]] = []
    for spec in SOURCES:
        records: list[dict[str, Any]] = []
        for week in range(weeks):
            weeks_from_end = weeks - 1 - week
            growth = 1.0 + 0.03 * week  # volume grows a little over the period
            for _ in range(_poisson(rng, spec.per_week * growth)):
                lang = "en" if rng.random() < spec.share_en else "ru"
                review = _compose(rng, spec.brand, lang, weeks_from_end)
                if spec.platform == "reddit":  # a post: a question as the title, no rating on the platform
                    review["title"] = _fill(rng, rng.choice(vocab.POST_OPENERS[lang]), lang, spec.brand)
                at = datetime.combine(start, datetime.min.time()) + timedelta(
                    days=7 * week + rng.randrange(7), hours=rng.randrange(7, 23), minutes=rng.randrange(60)
                )
                n = len(records)
                record: dict[str, Any] = {
                    "id": _stable_id(spec.id, n),
                    "n": n,
                    "lang": lang,
                    "author": _author(rng, lang),
                    "published_at": at.isoformat() + "Z",
                    **review,
                }
                if spec.reply_rate and rng.random() < spec.reply_rate * (1.3 if review["mood"] != "positive" else 0.8):
                    hours = max(0.5, rng.lognormvariate(math.log(spec.reply_hours), 0.6))
                    reply = rng.choice(vocab.REPLIES[lang][:2] if review["mood"] != "positive" else vocab.REPLIES[lang])
                    record["reply_text"] = reply
                    record["reply_at"] = (at + timedelta(hours=round(hours, 2))).isoformat(timespec="seconds") + "Z"
                if spec.platform == "reddit":
                    record["comments"] = _comments(rng, spec.brand, lang, weeks_from_end, at, record["id"])
                records.append(record)
        sources.append({**_spec_dict(spec), "reviews": records})
    _plant_duplicates_and_spam(rng, sources)
    for source in sources:
        source["reviews"].sort(key=lambda r: (r["published_at"], r["id"]), reverse=True)
    return {"version": 1, "seed": seed, "start": start.isoformat(), "weeks": weeks, "brands": BRAND_NAMES,
            "sources": sources}  # fmt: skip


def _spec_dict(spec: SourceSpec) -> dict[str, Any]:
    return {"id": spec.id, "brand": spec.brand, "platform": spec.platform, "options": spec.options}


def _comments(
    rng: random.Random, brand: str, lang: str, weeks_from_end: int, at: datetime, post_id: str
) -> list[dict[str, Any]]:
    out = []
    for i in range(rng.choice([0, 1, 1, 2])):
        review = _compose(rng, brand, lang, weeks_from_end)
        sentence = review["text"]
        out.append(
            {
                "id": _stable_id(post_id, "c", i, n=7),
                "author": _author(rng, lang),
                "published_at": (at + timedelta(hours=1 + i * 3)).isoformat() + "Z",
                "text": sentence,
                "topics": review["topics"],
                "mood": review["mood"],
            }
        )
    return out


def _plant_duplicates_and_spam(rng: random.Random, sources: list[dict[str, Any]]) -> None:
    """Copy a few Trustpilot reviews to the review site (syndication) and add a few spam posts."""
    by_id = {s["id"]: s for s in sources}
    trustpilot, site = by_id["lastochka-trustpilot"]["reviews"], by_id["lastochka-otzyvy"]["reviews"]
    for original in rng.sample(trustpilot, 6):
        copy = {k: v for k, v in original.items() if k not in ("reply_text", "reply_at")}
        copy.update(id=_stable_id("lastochka-otzyvy", "dup", original["id"]), n=len(site), syndicated=original["id"])
        site.append(copy)
    for source_id, lang in (("strela-forum", "ru"), ("lastochka-forum", "ru"), ("lastochka-trustpilot", "en")):
        reviews = by_id[source_id]["reviews"]
        when = datetime.fromisoformat(rng.choice(reviews)["published_at"].rstrip("Z")) + timedelta(minutes=7)
        reviews.append(
            {
                "id": _stable_id(source_id, "spam"),
                "n": len(reviews),
                "lang": lang,
                "author": "promo",
                "published_at": when.isoformat() + "Z",
                "mood": "spam",
                "rating": 5,
                "title": "!!!",
                "text": vocab.SPAM[lang][0],
                "topics": [],
            }
        )


def load_corpus(path: Path = CORPUS_PATH) -> dict[str, Any]:
    """Read the bundled corpus (a clear error when it has not been generated)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: demo corpus missing; run `python -m molva.demo.generate` to create it")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def write_corpus(corpus: dict[str, Any], path: Path = CORPUS_PATH) -> Path:
    """Write the corpus as gzip JSON with a fixed mtime, so regenerating with the same seed gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(corpus, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(path, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="a Monday (ISO date)")
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
    parser.add_argument("--out", type=Path, default=CORPUS_PATH)
    args = parser.parse_args(argv)
    corpus = generate(args.seed, args.start, args.weeks)
    path = write_corpus(corpus, args.out)
    n = sum(len(s["reviews"]) for s in corpus["sources"])
    n_comments = sum(len(r.get("comments", [])) for s in corpus["sources"] for r in s["reviews"])
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB): {n} reviews and posts, {n_comments} comments, "
          f"{len(corpus['sources'])} sources, {args.weeks} weeks from {args.start}")  # fmt: skip


if __name__ == "__main__":
    main()

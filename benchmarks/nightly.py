"""Time and peak memory of each nightly stage on synthetic reviews; prints a table. Not a test.

    python benchmarks/nightly.py --n 10000 --n 100000 [--enrich real|sql|none] [--marts-n 1000000] [--threads 2]

Per size: synthesise N reviews (the demo generator's templates made varied, 3 brands × 5 platforms over 26 weeks, or
with ``--texts shared`` real review texts; the workload — characters and sentences per review, exact-duplicate shares,
ru/en mix — is printed), load them with
the real loader, enrich (``real``: the nightly's enrichers; ``sql``: rule-based labels written in SQL, to time the
marts on realistic shapes when the models are not wanted), build the marts, then a **rerun with nothing new** (load the
same rows again, enrich, marts). ``--marts-n`` builds a warehouse of that many reviews directly in SQL (with sentiment
and topic rows) and times the marts rebuild alone. Peak memory is the process's resident set size sampled every 20 ms
during the stage (DuckDB's native memory included). Targets on 2 cores: 100k new reviews end to end < 20 min; a rerun
with nothing new < 60 s; marts over 1M reviews < 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOPICS = ["product_quality", "price_value", "delivery", "returns_refunds", "customer_support", "staff_politeness",
          "waiting_times", "website_app", "payment_billing", "communication_notifications", "assortment_availability",
          "loyalty_promotions"]  # fmt: skip
PLATFORMS = ["trustpilot", "appstore", "structured", "selectors", "reddit"]


class PeakRss:
    """Samples this process's resident set size in a thread; ``peak_mb`` is the maximum seen since ``start``."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


ROWS: list[tuple[str, str, float, float, str]] = []
WORKLOADS: list[str] = []


@contextmanager
def stage(label: str, size: str) -> Iterator[dict[str, Any]]:
    info: dict[str, Any] = {}
    with PeakRss() as rss:
        started = time.perf_counter()
        yield info
        seconds = time.perf_counter() - started
    ROWS.append((size, label, seconds, rss.peak_mb, info.get("note", "")))
    print(f"  {size:>6} {label:<28} {seconds:9.2f} s {rss.peak_mb:8.0f} MB  {info.get('note', '')}", flush=True)


# Phrases that make template sentences read like different people's reviews: lead-ins, tails with numbers, and a
# personal detail sentence. With them, exact duplicate reviews are rare and the duplicate sentences left are the stock
# openers and closers ("Спасибо!", "Will order again."), as in real app-store reviews.
LEAD_INS = {
    "ru": ["Кроме того, ", "А ещё ", "При этом ", "Честно говоря, ", "В прошлый раз ", "Как обычно, ", "Опять же, ",
           "Если честно, ", "Отдельно скажу: ", "И да, ", "Кстати, ", "В общем, "],
    "en": ["Also, ", "On top of that, ", "To be honest, ", "Last time ", "As usual, ", "Again, ", "Honestly, ",
           "One more thing: ", "And yes, ", "By the way, ", "Overall, ", "Worth saying: "],
}  # fmt: skip
TAILS = {
    "ru": [" (заказ на {amount} ₽)", " — это было в {weekday}", ", уже {count}-й заказ", ", район: {district}",
           ", брал {item} и {item2}", ", заказывал через {channel}"],
    "en": [" (a {amount} RUB order)", " ({weekday} order)", ", my {count}th order", ", district: {district}",
           ", I got {item} and {item2}", ", ordered via the {channel_en}"],
}  # fmt: skip
DETAILS = {
    "ru": ["Пользуюсь {brand} уже {family} года, заказываю {count} раз в месяц.",
           "Заказ №{order} на {amount} ₽, {count} позиций.",
           "Семья из {family} человек, заказываем в основном {item} и {item2}.",
           "Район: {district}, заказывал в {weekday} около {hour}:{minute:02d}.",
           "Сумма заказа {amount} ₽, промокод на {pct}% не применился автоматически, ввёл вручную."],
    "en": ["{brand} customer for {family} years, about {count} orders a month.",
           "Order #{order}, {amount} RUB, {count} items.",
           "Family of {family}, we mostly order {item} and {item2}.",
           "{weekday} order at {hour}:{minute:02d}, district: {district}.",
           "The order was {amount} RUB and the {pct}% promo code had to be typed in by hand."],
}  # fmt: skip


def _compose_varied(rng: random.Random, brand: str, lang: str, weeks_from_end: int) -> dict[str, Any]:
    """One review from the demo generator's templates (same moods, ratings, topics and planted trend), with lead-ins,
    numeric tails and a personal detail sentence for variety (mean ~200 characters, ~3.5 sentences)."""
    from molva.demo.generate import _compose, _fill, _lower_first

    base = _compose(rng, brand, lang, weeks_from_end)
    extra = dict(order=rng.randrange(100_000, 999_999), hour=rng.randrange(8, 23), minute=rng.randrange(0, 60, 5))

    def fill(template: str) -> str:
        return _fill(rng, template.replace("{order}", str(extra["order"])).replace("{hour}", str(extra["hour"]))
                     .replace("{minute:02d}", f"{extra['minute']:02d}"), lang, brand)  # fmt: skip

    from nlp.sentences import split_sentences

    sentences = [s.text for s in split_sentences(base["text"])]
    out = []
    for sentence in sentences:
        stock = len(sentence) < 30  # openers and closers: real reviews repeat those too, but fewer have them
        if stock and rng.random() < 0.7:
            continue
        if not stock and rng.random() < 0.7:
            sentence = rng.choice(LEAD_INS[lang]) + _lower_first(sentence)
        if not stock and rng.random() < 0.85 and sentence[-1:] in ".!":
            sentence = sentence[:-1] + fill(rng.choice(TAILS[lang])) + sentence[-1]
        out.append(sentence)
    for _ in range(rng.choice([0, 1, 1, 2])):
        out.insert(rng.randint(min(1, len(out)), len(out)), fill(rng.choice(DETAILS[lang])))
    return {**base, "text": " ".join(out)}


def synthesise(n: int, seed: int = 7, texts: str = "templates") -> list[dict[str, Any]]:
    """n review rows in the loader's input shape: 3 brands × 5 platforms over 26 weeks, 60 % Russian.

    ``texts="templates"``: the demo generator's templates made varied (:func:`_compose_varied`). ``"shared"``: real
    texts (RuReviews, multi-domain Amazon, UCI sentences from ../shared/data/sentiment) drawn without replacement, for a
    realism check; at most as many reviews as the pool holds (about 26k), so no text repeats.
    """
    rng = random.Random(seed)
    start = datetime(2026, 5, 4)
    brands = ["lastochka", "strela", "volna"]
    pool = _shared_texts(n, rng) if texts == "shared" else None
    rows = []
    for i in range(n):
        brand = rng.choice(brands)
        platform = rng.choice(PLATFORMS)
        weeks_from_end = rng.randrange(26)
        if pool is not None:
            lang, text, rating = pool[i]
            review: dict[str, Any] = {"text": text, "title": "", "rating": rating}
        else:
            lang = "en" if rng.random() < 0.4 else "ru"
            review = _compose_varied(rng, brand, lang, weeks_from_end)
        at = start + timedelta(weeks=25 - weeks_from_end, minutes=rng.randrange(7 * 24 * 60))
        rows.append(
            {
                "platform": platform,
                "external_id": f"bench-{i}",
                "text": review["text"],
                "title": review["title"],
                "rating": None if platform == "reddit" else float(review["rating"]),
                "rating_scale": None if platform == "reddit" else 5.0,
                "author": f"user{rng.randrange(n)}",
                "published_at": at.isoformat() + "+00:00",
                "language": lang,
                "kind": "mention" if platform == "reddit" else "review",
                "source_id": f"{brand}-{platform}",
                "brand_id": brand,
            }
        )
    return rows


def _shared_texts(n: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """n distinct real (language, text, rating) rows from ../shared/data/sentiment, 60 % Russian where possible."""
    import pandas as pd

    folder = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
    if not folder.is_dir():
        raise SystemExit(f"--texts shared needs {folder} (the shared data sets)")
    stars = {"negative": 1, "neutral": 3, "positive": 5}
    pool: list[tuple[str, str, int]] = []
    for name, lang in (("ru_rureviews_train", "ru"), ("ru_rureviews_dev", "ru"), ("en_amazon_multidomain", "en"),
                       ("en_uci_sentences", "en")):  # fmt: skip
        frame = pd.read_parquet(folder / f"{name}.parquet")
        for text, label in zip(frame["text"], frame["label"], strict=True):
            pool.append((lang, str(text), stars.get(str(label), 3)))
    pool = list({text: (lang, text, r) for lang, text, r in pool}.values())  # distinct texts only
    if n > len(pool):
        raise SystemExit(f"--texts shared: the pool holds {len(pool)} distinct texts, fewer than --n {n}")
    rng.shuffle(pool)
    return pool[:n]


def workload(rows: list[dict[str, Any]]) -> str:
    """What the synthetic reviews look like: the reader should see the work the enrichers were given."""
    from nlp.sentences import split_sentences

    texts = [r["text"] for r in rows]
    sentences = [s.text for t in texts for s in split_sentences(t)]
    dup_reviews = 1 - len(set(texts)) / max(len(texts), 1)
    dup_sentences = 1 - len(set(sentences)) / max(len(sentences), 1)
    ru = sum(r["language"] == "ru" for r in rows) / max(len(rows), 1)
    return (
        f"{len(rows)} reviews, {sum(map(len, texts)) / max(len(texts), 1):.0f} chars and "
        f"{len(sentences) / max(len(texts), 1):.2f} sentences per review ({len(sentences)} sentences, "
        f"{sum(map(len, sentences)) / max(len(sentences), 1):.0f} chars each); exact duplicates: "
        f"{dup_reviews:.1%} of reviews, {dup_sentences:.1%} of sentences; ru {ru:.0%} / en {1 - ru:.0%}"
    )


def setup_config(con: Any) -> None:
    con.execute("insert or ignore into brands values ('lastochka', 'Lastochka', 'Ласточка', [], true, now())")
    con.execute("insert or ignore into brands values ('strela', 'Strela', 'Стрела', [], false, now())")
    con.execute("insert or ignore into brands values ('volna', 'Volna', 'Волна', [], false, now())")
    con.execute(
        "insert or ignore into topics (topic_id, label_en, kind, status, stage, first_seen_at, updated_at)"
        " select t, t, 'taxonomy', 'active', 'use', now(), now() from unnest(?) as u(t)",
        [TOPICS],
    )


SQL_SENTIMENT = """
insert into review_sentiment
select r.review_id, r.content_hash, 'bench-rules', '1', r.language,
       case when r.rating_norm is null then 'neutral' when r.rating_norm <= 0.25 then 'negative'
            when r.rating_norm >= 0.75 then 'positive' else 'neutral' end,
       coalesce(r.rating_norm * 2 - 1, 0), 0, 0, 0, now()
from reviews as r
left join review_sentiment as s on s.review_id = r.review_id and s.content_hash = r.content_hash
where s.review_id is null
"""
SQL_TOPICS = """
insert into sentence_topics
select r.review_id, k.i, ?[1 + (hash(r.review_id || k.i) % ?)::int], 0.8,
       case when r.rating_norm <= 0.25 then 'negative' when r.rating_norm >= 0.75 then 'positive' else 'neutral' end,
       case when r.rating_norm <= 0.25 then 'complaint' when r.rating_norm >= 0.75 then 'praise' else 'neutral' end,
       0, least(length(r.text), 60), r.content_hash, now()
from reviews as r, range(1 + (hash(r.review_id) % 2)::int) as k(i)
where r.review_id not in (select review_id from sentence_topics)
on conflict do nothing
"""


def enrich_sql(con: Any) -> str:
    before = con.execute("select count(*) from review_sentiment").fetchone()[0]
    con.execute(SQL_SENTIMENT)
    con.execute(SQL_TOPICS, [TOPICS, len(TOPICS)])
    after = con.execute("select count(*) from review_sentiment").fetchone()[0]
    return f"{after - before} reviews labelled (sql rules)"


def enrich_real(con: Any, config: Any) -> list[tuple[str, Callable[[], Any]]]:
    from flows.tasks.enrich import RUNNERS

    return [(f"enrich:{name}", partial(fn, con, config)) for name, fn in RUNNERS.items()]


def run_size(n: int, enrich: str, workdir: Path, threads: int, texts: str = "templates") -> None:
    from molva.config import load_config
    from warehouse.db import connect
    from warehouse.loader import load_reviews
    from warehouse.marts import build_marts

    size = f"{n // 1000}k"
    db = workdir / f"bench-{n}.duckdb"
    db.unlink(missing_ok=True)  # every run starts from an empty warehouse
    con = connect(db)
    con.execute(f"set threads = {threads}")
    setup_config(con)
    config = load_config(Path(__file__).resolve().parents[1] / "configs" / "demo.yaml")
    with stage("synthesise", size) as info:
        rows = synthesise(n, texts=texts)
        info["note"] = f"{len(rows)} rows ({texts})"
    print(f"  workload {size}: {workload(rows)}", flush=True)
    WORKLOADS.append(f"{size} ({texts}): {workload(rows)}")
    t_total = time.perf_counter()
    for attempt in ("new", "rerun"):
        prefix = "" if attempt == "new" else "rerun: "
        with stage(f"{prefix}load", size) as info:
            result = load_reviews(con, rows, salt="bench")
            info["note"] = f"new {result.n_new}, unchanged {result.n_unchanged}"
        if enrich == "sql":
            with stage(f"{prefix}enrich (sql rules)", size) as info:
                info["note"] = enrich_sql(con)
        elif enrich == "real":
            for label, call in enrich_real(con, config):
                with stage(f"{prefix}{label}", size) as info:
                    try:
                        out = call()
                        info["note"] = str(getattr(out, "n_reviews", "") or (out if isinstance(out, dict) else ""))[:60]
                    except Exception as exc:  # report, keep measuring the other stages
                        info["note"] = f"FAILED {type(exc).__name__}: {exc}"[:80]
        with stage(f"{prefix}marts", size) as info:
            # the configured model, as the nightly passes it (None would take the slower "latest model" path)
            model = "bench-rules" if enrich == "sql" else config.nlp.sentiment_model
            built = build_marts(con, sentiment_model=model)
            info["note"] = f"{sum(built.rows.values())} mart rows"
        if attempt == "new":
            ROWS.append((size, "= new, end to end (excl. synth)", time.perf_counter() - t_total, 0.0, ""))
            t_total = time.perf_counter()
        else:
            ROWS.append((size, "= rerun, nothing new", time.perf_counter() - t_total, 0.0, ""))
    con.close()


SQL_BULK = """
insert into reviews (review_id, source_id, brand_id, platform, external_id, kind, rating, rating_min, rating_scale,
                     rating_norm, text, language, published_at, first_seen_at, last_seen_at, content_hash, reply_text,
                     reply_at)
select 'r' || i, b || '-' || p, b, p, 'x' || i, case when p = 'reddit' then 'mention' else 'review' end,
       case when p = 'reddit' then null else 1 + (hash(i) % 5) end, 1, 5,
       case when p = 'reddit' then null else (hash(i) % 5) / 4.0 end,
       'synthetic review text number ' || i, case when i % 3 = 0 then 'en' else 'ru' end,
       timestamp '2025-12-01' + to_seconds((hash(i * 7) % (52 * 7 * 86400))::bigint), now(), now(), md5(i::varchar),
       case when i % 4 = 0 then 'thanks' end,
       case when i % 4 = 0
            then timestamp '2025-12-01' + to_seconds((hash(i * 7) % (52 * 7 * 86400))::bigint + 36000) end
from (select i, ['lastochka', 'strela', 'volna'][1 + (i % 3)::int] as b,
             ['trustpilot', 'appstore', 'structured', 'selectors', 'reddit'][1 + (hash(i * 3) % 5)::int] as p
      from range(?) as t(i))
"""


def run_marts_only(n: int, workdir: Path, threads: int) -> None:
    from warehouse.db import connect
    from warehouse.marts import build_marts

    size = f"{n // 1000}k"
    db = workdir / f"bench-marts-{n}.duckdb"
    db.unlink(missing_ok=True)
    con = connect(db)
    con.execute(f"set threads = {threads}")
    setup_config(con)
    with stage("bulk insert (sql)", size) as info:
        con.execute(SQL_BULK, [n])
        info["note"] = enrich_sql(con)
        (n_topic_rows,) = con.execute("select count(*) from sentence_topics").fetchone() or (0,)
        info["note"] += f"; {n_topic_rows} topic rows"
    for attempt in ("marts", "marts again"):
        with stage(attempt, size) as info:
            built = build_marts(con, sentiment_model="bench-rules")
            info["note"] = ", ".join(f"{k.removeprefix('mart_')} {v}" for k, v in built.rows.items())[:90]
    con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, action="append", help="review counts (repeatable); default 10000")
    parser.add_argument("--enrich", choices=["real", "sql", "none"], default="real")
    parser.add_argument("--marts-n", type=int, default=0, help="also time marts alone over this many SQL-made reviews")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB and model threads")
    parser.add_argument("--workdir", type=Path, default=None, help="where the benchmark warehouses go (default tmp)")
    parser.add_argument(
        "--texts", choices=["templates", "shared"], default="templates",
        help="review texts: varied demo templates, or real ones from ../shared/data/sentiment (n <= ~26k)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    os.environ.setdefault("MOLVA_THREADS", str(args.threads))
    load_before = os.getloadavg()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="molva-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"warehouses in {workdir}; {os.cpu_count()} CPUs visible, {args.threads} threads used")
    for n in args.n or [10_000]:
        run_size(n, args.enrich, workdir, args.threads, args.texts)
    if args.marts_n:
        run_marts_only(args.marts_n, workdir, args.threads)
    from rich.console import Console
    from rich.table import Table

    table = Table(title="nightly stages")
    for column in ("size", "stage", "seconds", "peak RSS MB", "note"):
        table.add_column(column, justify="right" if column in ("seconds", "peak RSS MB") else "left")
    for size, label, seconds, peak, note in ROWS:
        table.add_row(size, label, f"{seconds:.2f}", f"{peak:.0f}" if peak else "", note)
    console = Console(width=200)
    console.print(table)
    for line in WORKLOADS:
        console.print(f"workload {line}")
    after = os.getloadavg()
    console.print(
        f"load average (1/5/15 min) before {' '.join(f'{x:.2f}' for x in load_before)}, "
        f"after {' '.join(f'{x:.2f}' for x in after)}; {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()

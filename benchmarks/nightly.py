"""Time and peak memory of each nightly stage on synthetic reviews; prints a table. Not a test.

    python benchmarks/nightly.py --n 10000 --n 100000 [--enrich real|sql|none] [--marts-n 1000000] [--threads 2]

Per size: synthesise N reviews (the demo generator's templates, 3 brands × 5 platforms over 26 weeks), load them with
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


@contextmanager
def stage(label: str, size: str) -> Iterator[dict[str, Any]]:
    info: dict[str, Any] = {}
    with PeakRss() as rss:
        started = time.perf_counter()
        yield info
        seconds = time.perf_counter() - started
    ROWS.append((size, label, seconds, rss.peak_mb, info.get("note", "")))
    print(f"  {size:>6} {label:<28} {seconds:9.2f} s {rss.peak_mb:8.0f} MB  {info.get('note', '')}", flush=True)


def synthesise(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n review rows in the loader's input shape, texts from the demo generator's templates."""
    from flows.demo.generate import _compose

    rng = random.Random(seed)
    start = datetime(2026, 5, 4)
    brands = ["lastochka", "strela", "volna"]
    rows = []
    for i in range(n):
        brand = rng.choice(brands)
        platform = rng.choice(PLATFORMS)
        lang = "en" if rng.random() < 0.4 else "ru"
        weeks_from_end = rng.randrange(26)
        review = _compose(rng, brand, lang, weeks_from_end)
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


def run_size(n: int, enrich: str, workdir: Path, threads: int) -> None:
    from flows.config import load_config
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
        rows = synthesise(n)
        info["note"] = f"{len(rows)} rows"
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
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="molva-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"warehouses in {workdir}; {os.cpu_count()} CPUs visible, {args.threads} threads used")
    for n in args.n or [10_000]:
        run_size(n, args.enrich, workdir, args.threads)
    if args.marts_n:
        run_marts_only(args.marts_n, workdir, args.threads)
    from rich.console import Console
    from rich.table import Table

    table = Table(title="nightly stages")
    for column in ("size", "stage", "seconds", "peak RSS MB", "note"):
        table.add_column(column, justify="right" if column in ("seconds", "peak RSS MB") else "left")
    for size, label, seconds, peak, note in ROWS:
        table.add_row(size, label, f"{seconds:.2f}", f"{peak:.0f}" if peak else "", note)
    Console(width=200).print(table)


if __name__ == "__main__":
    main()

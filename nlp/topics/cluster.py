"""Clustering of uncovered sentences and c-TF-IDF labels: the compute part of emerging-topic discovery.

Clustering is agglomerative on cosine distance (average linkage, a distance threshold rather than a cluster count, so
the number of topics follows the data). Up to ``DIRECT_LIMIT`` sentences are clustered directly; beyond that a sample
is clustered and the rest join the nearest cluster centre within the same distance. That keeps 100k sentences to
seconds on 2 cores, where HDBSCAN on 384-dimensional vectors takes minutes. Clusters smaller than
``min_size`` are noise: most uncovered sentences are about nothing a CX team acts on.

Labels follow BERTopic's c-TF-IDF: all lemmas of a cluster form one document; a term's weight is its frequency in the
cluster times ``log(1 + A / f)`` (``A`` the average cluster length in terms, ``f`` the term's frequency over all
clusters). Terms are content lemmas and lemma bigrams; stop words are dropped.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DIRECT_LIMIT = 4000


@dataclass
class Cluster:
    """One cluster of sentence indices with its centroid, key phrases and representative sentences."""

    members: list[int]
    centroid: np.ndarray
    key_phrases: list[str]
    examples: list[int]  # members nearest the centre first


def _agglomerate(vectors: np.ndarray, distance: float) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance)
    return np.asarray(model.fit_predict(vectors))


def cluster_vectors(vectors: np.ndarray, *, distance: float = 0.12, min_size: int = 5, seed: int = 0) -> np.ndarray:
    """Cluster label per vector; -1 for noise (clusters smaller than ``min_size``). Deterministic for a seed.

    Above ``DIRECT_LIMIT`` vectors, a random sample of that size is clustered and every vector joins the nearest
    sample cluster whose centre is within ``distance`` (cosine), else it is noise: O(n · clusters) instead of the
    O(n²) memory of agglomerative clustering, and an emerging topic worth a CX team's time is never so small that a
    4,000-sentence sample misses it.
    """
    n = len(vectors)
    labels = np.full(n, -1, dtype=int)
    if n < min_size:
        return labels
    if n <= DIRECT_LIMIT:
        raw = _agglomerate(vectors, distance)
    else:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, DIRECT_LIMIT, replace=False))
        sample_labels = _agglomerate(vectors[sample], distance)
        sizes = Counter(sample_labels.tolist())
        keep = [c for c, k in sizes.items() if k >= 2]
        if not keep:
            return labels
        centres = np.stack([vectors[sample[sample_labels == c]].mean(axis=0) for c in keep])
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
        raw = np.full(n, -2, dtype=int)
        for start in range(0, n, 20_000):
            sims = vectors[start : start + 20_000] @ centres.T
            best = sims.argmax(axis=1)
            close = sims[np.arange(len(best)), best] >= 1 - distance
            raw[start : start + 20_000][close] = np.asarray(keep)[best[close]]
    sizes = Counter(raw.tolist())
    keep = sorted((c for c, k in sizes.items() if k >= min_size and c >= 0), key=lambda c: (-sizes[c], c))
    for new, c in enumerate(keep):
        labels[raw == c] = new
    return labels


def _terms(lemmas: Sequence[str]) -> list[str]:
    bigrams = [f"{a} {b}" for a, b in itertools.pairwise(lemmas)]
    return [*lemmas, *bigrams]


def c_tf_idf(cluster_lemmas: Sequence[Sequence[Sequence[str]]], top_n: int = 5) -> list[list[str]]:
    """Top ``top_n`` key phrases per cluster; input is, per cluster, the content lemmas of each member sentence."""
    counts = [Counter(t for sent in sents for t in _terms(sent)) for sents in cluster_lemmas]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    avg_len = np.mean([sum(c.values()) for c in counts]) if counts else 0.0
    out: list[list[str]] = []
    for c in counts:
        size = max(sum(c.values()), 1)
        weights = {t: (n / size) * np.log(1 + avg_len / total[t]) for t, n in c.items()}
        # Terms seen in at least two sentences' worth of text come first: a one-off word is not what a cluster is about.
        ranked = sorted(weights, key=lambda t: (c[t] < 2, -weights[t], t))
        chosen: list[str] = []
        for term in ranked:
            # Skip a unigram already inside a chosen bigram and vice versa, so phrases are not repeats.
            if any(term in prev.split() or prev in term.split() for prev in chosen):
                continue
            chosen.append(term)
            if len(chosen) == top_n:
                break
        out.append(chosen)
    return out


def representatives(vectors: np.ndarray, members: Sequence[int], k: int = 3) -> tuple[np.ndarray, list[int]]:
    """Unit centroid of the members and the ``k`` members closest to it (the examples shown to a CX manager)."""
    idx = np.asarray(members)
    centre = vectors[idx].mean(axis=0)
    centre = centre / max(float(np.linalg.norm(centre)), 1e-12)
    order = np.argsort(-(vectors[idx] @ centre), kind="stable")
    return centre.astype(np.float32), [int(i) for i in idx[order[:k]]]


def build_clusters(
    vectors: np.ndarray,
    lemmas: Sequence[Sequence[str]],
    *,
    distance: float = 0.12,
    min_size: int = 5,
    seed: int = 0,
) -> list[Cluster]:
    """Cluster, then label each cluster with c-TF-IDF key phrases and its three most central sentences."""
    labels = cluster_vectors(vectors, distance=distance, min_size=min_size, seed=seed)
    groups = [np.flatnonzero(labels == c).tolist() for c in range(int(labels.max()) + 1)] if len(labels) else []
    phrases = c_tf_idf([[lemmas[i] for i in g] for g in groups])
    clusters = []
    for members, key in zip(groups, phrases, strict=True):
        centre, examples = representatives(vectors, members, k=50)
        clusters.append(Cluster(members, centre, key, examples))
    return clusters

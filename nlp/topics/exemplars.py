"""Labelled example sentences as topic evidence: what the nearest labelled sentences were about.

Seed phrases define a topic in five lines; a team that has labelled a few hundred sentences of its own knows much more.
With exemplars the assigner adds two features per (sentence, topic) (:data:`EXEMPLAR_FEATURES`):

- ``exemplar``: the similarity-weighted share of the sentence's :data:`K` nearest exemplars (e5 cosine, softmax with
  :data:`TEMPERATURE`) that carry the topic — a k-nearest-neighbour vote;
- ``gap_exemplar``: that share minus the sentence's highest share over topics.

The calibration's logistic rows weigh them against the seed evidence, so a topic without exemplars keeps working from
its seeds. When the calibration is fitted, the exemplar features of a labelled sentence are computed without the
exemplars of its own group (its review), as they will be for a new review: otherwise a sentence would find itself.

Measured on SemEval-2016 restaurants (5-fold cross-validation by review over each whole training file, exemplars from
the training folds only): category micro-F1 0.690 → 0.764 ru, 0.718 → 0.771 en (docs/topics.md). K among 10/20/40
and the temperature among 0.02/0.05/0.1/1 moved it by under 0.01.

Exemplars labelled with a polarity also give a polarity vote (:meth:`Exemplars.polarity_vote`), an input of the
fitted topic polarity (:mod:`nlp.topics.polarity_model`).

Files (``calibration.exemplars``, a path relative to the taxonomy file): JSON lines ``{"text": ..., "topics": [...],
"group": ..., "polarity": ...}`` (``group`` optional: a review id; a sentence with ``"topics": []`` is a labelled
"about none of them"; ``polarity`` optional: negative, neutral or positive), or a SemEval-2016 ABSA XML file
(categories mapped as :func:`nlp.topics.absa.map_category` does, review id as group, opinions as polarity).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EXEMPLAR_FEATURES = ("exemplar", "gap_exemplar")
POLARITIES = ("negative", "neutral", "positive")
K = 20  # nearest exemplars per sentence
TEMPERATURE = 0.05  # softmax temperature on their cosines
_CHUNK = 2048  # sentences per similarity block: 2048 x n exemplars floats at a time


class ExemplarError(ValueError):
    """An exemplar file that cannot be used; the message names the file, the line and the field."""


@dataclass
class Exemplars:
    """Embedded labelled sentences: ``labels[i, k]`` is whether exemplar ``i`` carries topic ``topic_ids[k]``."""

    topic_ids: list[str]
    vectors: np.ndarray  # (n, dim), L2-normalised
    labels: np.ndarray  # (n, topics) bool
    groups: np.ndarray  # (n,) str: a sentence's review; exemplars of the query's own group are left out in a fit
    source: str = ""
    # (n, 3) share of the sentence's labelled opinions that are negative / neutral / positive (all 0: not labelled)
    polarity: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not (len(self.vectors) == len(self.labels) == len(self.groups)):
            raise ValueError("exemplars need as many vectors, label rows and groups")
        if self.labels.shape[1] != len(self.topic_ids):
            raise ValueError("exemplar labels need one column per topic")
        if self.polarity is not None and self.polarity.shape != (len(self.vectors), len(POLARITIES)):
            raise ValueError("exemplar polarity needs one row of 3 shares per exemplar")

    def subset(self, rows: np.ndarray) -> Exemplars:
        polarity = self.polarity[rows] if self.polarity is not None else None
        return Exemplars(
            self.topic_ids, self.vectors[rows], self.labels[rows], self.groups[rows], self.source, polarity
        )

    def share(self, vectors: np.ndarray, exclude_groups: Sequence[str] | None = None) -> np.ndarray:
        """``(sentences, topics)``: weighted share of each sentence's nearest exemplars carrying each topic.

        ``exclude_groups[i]``: exemplars of that group are not neighbours of sentence ``i`` (fitting on the exemplars
        themselves). A sentence with no exemplar left gets zeros.
        """
        return _vote(vectors, self.vectors, self.groups, self.labels.astype(np.float64), exclude_groups)

    def polarity_vote(self, vectors: np.ndarray, exclude_groups: Sequence[str] | None = None) -> np.ndarray:
        """``(sentences, 3)``: how the nearest polarity-labelled exemplars lean (negative, neutral, positive)."""
        if self.polarity is None:
            return np.zeros((len(vectors), len(POLARITIES)))
        rows = np.flatnonzero(self.polarity.sum(axis=1) > 0)
        return _vote(vectors, self.vectors[rows], self.groups[rows], self.polarity[rows], exclude_groups)


def _vote(
    vectors: np.ndarray,
    exemplar_vectors: np.ndarray,
    exemplar_groups: np.ndarray,
    labels: np.ndarray,
    exclude_groups: Sequence[str] | None,
) -> np.ndarray:
    """Softmax-weighted mean of ``labels`` over each sentence's :data:`K` nearest exemplars (zeros: none left)."""
    out = np.zeros((len(vectors), labels.shape[1]))
    if not len(exemplar_vectors) or not len(vectors):
        return out
    groups = np.asarray(exclude_groups) if exclude_groups is not None else None
    k = min(K, len(exemplar_vectors))
    for start in range(0, len(vectors), _CHUNK):
        sim = (vectors[start : start + _CHUNK] @ exemplar_vectors.T).astype(np.float64)
        if groups is not None:
            sim[groups[start : start + _CHUNK, None] == exemplar_groups[None, :]] = -np.inf
        nearest = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(sim, nearest, axis=1)
        finite = np.isfinite(top)
        best = np.where(finite.any(axis=1, keepdims=True), np.max(top, axis=1, keepdims=True, initial=-1.0), 0.0)
        weight = np.where(finite, np.exp((np.where(finite, top, 0.0) - best) / TEMPERATURE), 0.0)
        total = weight.sum(axis=1, keepdims=True)
        weight = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
        out[start : start + _CHUNK] = np.einsum("nk,nkt->nt", weight, labels[nearest])
    return out


def planes(share: np.ndarray) -> list[np.ndarray]:
    """The :data:`EXEMPLAR_FEATURES` planes of a share matrix, in that order."""
    return [share, share - share.max(axis=1, keepdims=True)]


@dataclass
class LabelledFile:
    """What an exemplar file holds: texts, topic sets, groups and (n, 3) polarity shares (zeros: not labelled)."""

    texts: list[str]
    topics: list[set[str]]
    groups: list[str]
    polarity: np.ndarray


def from_labelled(
    embedder_encode: Callable[[list[str]], np.ndarray],
    labelled: LabelledFile,
    topic_ids: Sequence[str],
    source: str = "",
) -> Exemplars:
    """Embed labelled sentences (``embedder_encode(texts) -> vectors``) into :class:`Exemplars`."""
    ids = list(topic_ids)
    n = len(labelled.texts)
    vectors = embedder_encode(list(labelled.texts)) if n else np.zeros((0, 1), dtype=np.float32)
    labels = np.array([[t in row for t in ids] for row in labelled.topics], dtype=bool).reshape(n, len(ids))
    polarity = labelled.polarity if labelled.polarity.any() else None
    return Exemplars(ids, np.asarray(vectors), labels, np.asarray(labelled.groups, dtype=object), source, polarity)


def polarity_shares(polarities: Sequence[str]) -> list[float]:
    """Share of negative / neutral / positive among a sentence's labelled opinions (zeros: none labelled)."""
    counts = [sum(p == name for p in polarities) for name in POLARITIES]
    total = sum(counts)
    return [c / total for c in counts] if total else [0.0] * len(POLARITIES)


def read_exemplar_file(path: str | Path, topic_ids: Sequence[str]) -> LabelledFile:
    """A JSONL or SemEval XML exemplar file; topics must be taxonomy ids, ``polarity`` (optional) one of
    negative / neutral / positive (in XML: the sentence's opinions; "conflict" counts for none)."""
    file = Path(path)
    if not file.is_file():
        raise ExemplarError(f"{file}: exemplar file not found")
    known = set(topic_ids)
    if file.suffix.lower() == ".xml":
        from nlp.topics.absa import read_absa

        sentences = read_absa(file, "xx")
        unknown = sorted({t for s in sentences for t in s.categories} - known)
        if unknown:
            raise ExemplarError(f"{file}: categories {unknown} are not topics of the taxonomy")
        return LabelledFile(
            [s.text for s in sentences], [set(s.categories) for s in sentences], [s.review_id for s in sentences],
            np.array([polarity_shares([p for _, p in s.opinions]) for s in sentences]).reshape(len(sentences), 3),
        )  # fmt: skip
    texts: list[str] = []
    labels: list[set[str]] = []
    groups: list[str] = []
    polarity: list[list[float]] = []
    with file.open(encoding="utf-8", errors="strict") as handle:
        try:
            lines = list(handle)
        except UnicodeDecodeError as exc:
            raise ExemplarError(f"{file}: not UTF-8 ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExemplarError(f"{file}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise ExemplarError(f"{file}:{number}: expected an object with 'text' and 'topics'")
        text, topics, leaning = row.get("text"), row.get("topics"), row.get("polarity")
        if not isinstance(text, str) or not text.strip():
            raise ExemplarError(f"{file}:{number}: field 'text' must be a non-empty string")
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            raise ExemplarError(f"{file}:{number}: field 'topics' must be a list of topic ids")
        unknown = sorted(set(topics) - known)
        if unknown:
            raise ExemplarError(f"{file}:{number}: field 'topics': {unknown} are not topics of the taxonomy")
        if leaning is not None and leaning not in POLARITIES:
            raise ExemplarError(f"{file}:{number}: field 'polarity' must be one of {', '.join(POLARITIES)}")
        texts.append(text)
        labels.append(set(topics))
        groups.append(str(row.get("group", f"line:{number}")))
        polarity.append(polarity_shares([leaning] if leaning else []))
    return LabelledFile(texts, labels, groups, np.array(polarity).reshape(len(texts), 3))

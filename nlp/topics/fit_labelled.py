"""``molva topics calibrate``: fit a taxonomy's calibration on a team's own labelled sentences.

The same procedure as ``molva eval topics`` on SemEval, for any taxonomy: 5-fold cross-validation by group (review),
C and the threshold chosen on out-of-fold probabilities, with the labelled sentences as exemplars (in each fold only
the training folds') and without them (seeds only); the better of the two by out-of-fold micro-F1 is refitted on
every labelled sentence (with exemplars, it names the file as its exemplars). Reported figures are out of fold.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.lemmas import guess_language, lemmatize_many
from nlp.topics.absa import N_FOLDS, AbsaSentence, fold_of
from nlp.topics.assign import TopicAssigner
from nlp.topics.calibrate import F1, _gold_matrix, calibrate, micro_f1
from nlp.topics.evaluate import _at, choose_by_cv
from nlp.topics.exemplars import ExemplarError, Exemplars, read_exemplar_file
from nlp.topics.polarity import SentimentPolarity
from nlp.topics.polarity_model import POLARITY_CLASSES, cross_validate_polarity, polarity_features
from nlp.topics.taxonomy import Calibration

MIN_LABELLED = 50  # fewer labelled sentences than this cannot be cross-validated in 5 folds meaningfully


@dataclass
class LabelledFit:
    """The refitted calibration and the out-of-fold figures behind it."""

    calibration: Calibration
    uses_exemplars: bool
    cv_exemplars: F1
    cv_seeds: F1
    n_sentences: int
    n_groups: int
    # polarity (when the file labels it and a sentiment model is given): out-of-fold accuracy of the fitted model
    # against the rule of nlp.topics.polarity, over the n_polarity labelled sentences
    polarity_fitted: float | None = None
    polarity_rule: float | None = None
    n_polarity: int = 0


def fit_labelled(
    assigner: TopicAssigner,
    labelled: str | Path,
    taxonomy_file: str | Path | None = None,
    polarity: SentimentPolarity | None = None,
) -> LabelledFit:
    """Cross-validate and fit on ``labelled`` (JSONL, :mod:`nlp.topics.exemplars`); the calibration's ``exemplars``
    path is relative to ``taxonomy_file`` when given, so the taxonomy and its examples move together. With a
    sentiment model and at least :data:`MIN_LABELLED` sentences labelled with a ``polarity``, the polarity model
    (:mod:`nlp.topics.polarity_model`) is cross-validated against the rule and kept when it is better."""
    path = Path(labelled)
    labelled_file = read_exemplar_file(path, assigner.topic_ids)
    texts, topics, groups = labelled_file.texts, labelled_file.topics, labelled_file.groups
    if len(texts) < MIN_LABELLED:
        raise ExemplarError(f"{path}: {len(texts)} labelled sentences; at least {MIN_LABELLED} are needed to fit")
    languages = [guess_language(t) for t in texts]
    sentences = [
        AbsaSentence(group, str(i), text, lang, set(cats))
        for i, (text, cats, group, lang) in enumerate(zip(texts, topics, groups, languages, strict=True))
    ]
    folds = {fold_of(s.review_id, s.language, N_FOLDS) for s in sentences}
    if len(folds) < N_FOLDS:
        raise ExemplarError(f"{path}: the labelled sentences come from too few groups to fill {N_FOLDS} folds")
    vectors = assigner.embedder.encode(texts)
    lemmas = lemmatize_many(texts, languages, drop_stop_words=True)
    gold_matrix = _gold_matrix(assigner.topic_ids, topics)
    source = str(path.resolve())
    if taxonomy_file is not None:
        source = os.path.relpath(path.resolve(), Path(taxonomy_file).resolve().parent)
    shares = labelled_file.polarity if labelled_file.polarity.any() else None
    exemplars = Exemplars(assigner.topic_ids, vectors, gold_matrix, np.array(groups, dtype=object), source, shares)
    ids = assigner.topic_ids
    c_seeds, t_seeds, oof_seeds, _ = choose_by_cv(assigner, sentences, vectors, lemmas)
    c_ex, t_ex, oof_ex, _ = choose_by_cv(assigner, sentences, vectors, lemmas, exemplars=exemplars)
    cv_seeds = micro_f1(topics, _at(ids, oof_seeds.scores, t_seeds))
    cv_exemplars = micro_f1(topics, _at(ids, oof_ex.scores, t_ex))
    use = cv_exemplars.f1 >= cv_seeds.f1
    c, threshold = (c_ex, t_ex) if use else (c_seeds, t_seeds)
    calibration = calibrate(
        assigner, vectors, lemmas, topics, regularisation=c, threshold=threshold, exemplars=exemplars if use else None,
        groups=groups,
        fitted_on=f"{path.name}: {len(texts)} labelled sentences, C = {c} and threshold by {N_FOLDS}-fold "
        f"cross-validation by group" + (", its sentences as exemplars" if use else ", seed phrases only"),
    )  # fmt: skip
    result = LabelledFit(calibration, use, cv_exemplars, cv_seeds, len(texts), len(set(groups)))
    if polarity is not None and exemplars.polarity is not None:
        _fit_polarity(result, polarity, sentences, vectors, exemplars if use else None, labelled_file.polarity)
    return result


def _fit_polarity(
    result: LabelledFit,
    polarity: SentimentPolarity,
    sentences: list[AbsaSentence],
    vectors: np.ndarray,
    exemplars: Exemplars | None,
    shares: np.ndarray,
) -> None:
    """Sentence-level polarity: the fitted model against the rule, both out of fold; the better is kept."""
    rows = np.flatnonzero(shares.sum(axis=1) > 0)
    gold = [POLARITY_CLASSES[int(k)] for k in np.argmax(shares[rows], axis=1)]
    if len(rows) < MIN_LABELLED or len(set(gold)) < len(POLARITY_CLASSES):
        return
    reviews: dict[str, list[str]] = {}
    for s in sentences:
        reviews.setdefault(s.review_id, []).append(s.text)
    texts = [sentences[i].text for i in rows]
    review_texts = [" ".join(reviews[sentences[i].review_id]) for i in rows]
    reading = polarity.classify(texts, review_texts)
    sentence_probs, review_probs, rule = reading.sentence_probs, reading.review_probs, reading.labels
    all_folds = np.array([fold_of(s.review_id, s.language, N_FOLDS) for s in sentences])
    groups = [sentences[i].review_id for i in rows]

    def features_for(k: int | None, subset: np.ndarray, is_training: bool) -> np.ndarray:
        vote = None
        if exemplars is not None:
            pool = exemplars if k is None else exemplars.subset(np.flatnonzero(all_folds != k))
            exclude = [groups[j] for j in subset] if is_training else None
            vote = pool.polarity_vote(vectors[rows[subset]], exclude)
        rev = review_probs[subset] if review_probs is not None else None
        return polarity_features(sentence_probs[subset], rev, vote)

    predicted, model = cross_validate_polarity(
        features_for, gold, all_folds[rows], N_FOLDS, fitted_on=f"{len(rows)} labelled sentences"
    )
    result.n_polarity = len(rows)
    result.polarity_fitted = float(np.mean(predicted == np.array(gold, dtype=object)))
    result.polarity_rule = float(np.mean([r == g for r, g in zip(rule, gold, strict=True)]))
    if result.polarity_fitted > result.polarity_rule:
        result.calibration.polarity_model = model

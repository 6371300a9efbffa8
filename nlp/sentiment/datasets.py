"""Labelled sentiment data sets from ``../shared/data/sentiment``, read only by training and evaluation scripts.

The product never needs these files at run time. The UCI sentences are split once, by a fixed seed and stratified by
source and label, into a training half and a held-out half; training never sees the held-out half.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

LABELS = ("negative", "neutral", "positive")
UCI_SPLIT_SEED = 20261130
TWEET_SPLIT_SEED = 20261202
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """``../shared/data/sentiment`` relative to the repository root."""
    return (REPO_ROOT / ".." / "shared" / "data" / "sentiment").resolve()


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; training and evaluation read ../shared/data (sentiment/ and absa/)")
    return path


def uci_split(df: pd.DataFrame, seed: int = UCI_SPLIT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split UCI sentences into (train, held_out) halves, stratified by source and label, deterministically."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(df), dtype=bool)
    for _, idx in df.groupby(["source", "label"], sort=True).indices.items():
        chosen = rng.permutation(np.asarray(idx))[: len(idx) // 2]
        held[chosen] = True
    return df[~held].reset_index(drop=True), df[held].reset_index(drop=True)


def amazon_labels(df: pd.DataFrame) -> pd.Series:
    """Star rating to label: 1–2 negative, 4–5 positive (the set has no 3-star reviews)."""
    return pd.Series(np.where(df["rating"] <= 2, "negative", "positive"), index=df.index)


def semeval_sentences(absa_dir: Path, language: str, part: str) -> pd.DataFrame:
    """SemEval-2016 restaurant sentences of one half (``calibration`` or ``test``) with a sentence-level label.

    The halves are the topic evaluation's fixed split by review (:func:`nlp.topics.absa.split_part`), so training on
    the calibration half never sees a sentence that ``molva eval topics`` scores. A sentence is kept when all its
    opinions agree on one polarity (that polarity is its label); sentences without opinions or with mixed ones are
    left out: the aspect polarity evaluation scores opinions, and a mixed sentence has no single right answer.
    The same text can occur in reviews on both sides ("Спасибо!", re-posted reviews): the calibration half drops every
    text that also occurs in the test half, so nothing scored was ever trained on.
    """
    from nlp.topics.absa import ABSA_FILES, load_split

    _require(absa_dir / ABSA_FILES[language])
    halves = load_split(absa_dir, language)
    tested = {s.text.strip() for s in halves["test"]} if part == "calibration" else set()
    rows = []
    for s in halves[part]:
        polarities = {pol for _, pol in s.opinions}
        if len(polarities) == 1 and (label := polarities.pop()) in LABELS and s.text.strip() not in tested:
            rows.append((s.text, label))
    return pd.DataFrame(rows, columns=["text", "label"])


TWEET_SETS = {
    # name prefix: (file stem, dev size as a fraction of the file, or a fixed count)
    "ru_banks": ("ru_sentirueval2016_banks_train", 0.2),
    "ru_telecom": ("ru_sentirueval2016_telecom_train", 0.2),
    "en_tweets": ("en_semeval2017_tweets_train", 4000),
}


def _norm_text(text: str) -> str:
    return " ".join(str(text).lower().split())


def tweet_split(df: pd.DataFrame, dev_size: float, seed: int = TWEET_SPLIT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a tweet set into (train, dev), stratified by label, deterministically.

    ``dev_size`` below 1 is a fraction of each label, otherwise a total count shared out in proportion to the labels
    (rounded per label). In these sets "neutral" means *no opinion* (news, ads, questions), not a mixed review.
    Re-tweets and copies make the same text occur more than once: the train part drops every text (case and spacing
    ignored) that also occurs in the dev part, so nothing scored was ever trained on.
    """
    rng = np.random.default_rng(seed)
    held = np.zeros(len(df), dtype=bool)
    for _, idx in df.groupby("label", sort=True).indices.items():
        share = dev_size if dev_size < 1 else dev_size / len(df)
        chosen = rng.permutation(np.asarray(idx))[: round(len(idx) * share)]
        held[chosen] = True
    dev = df[held].reset_index(drop=True)
    dev_texts = {_norm_text(t) for t in dev["text"]}
    train = df[~held & ~df["text"].map(_norm_text).isin(dev_texts)].reset_index(drop=True)
    return train, dev


SEMEVAL_SETS = {
    "ru_semeval_cal": ("ru", "calibration"),
    "en_semeval_cal": ("en", "calibration"),
    "ru_semeval_test": ("ru", "test"),
    "en_semeval_test": ("en", "test"),
}


def load_set(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Load one named set as a frame with ``text`` and ``label`` columns.

    Names: ``ru_rureviews_train``, ``ru_rureviews_dev``, ``en_uci_train``, ``en_uci_heldout``, ``en_amazon``, the
    SemEval-2016 restaurant sentences ``{ru,en}_semeval_{cal,test}`` (read from ``absa/`` beside ``sentiment/``), and
    the tweet sets' fixed splits ``{ru_banks,ru_telecom,en_tweets}_{train,dev}`` (:func:`tweet_split`).
    """
    root = data_dir or default_data_dir()
    if name in SEMEVAL_SETS:
        return semeval_sentences(root.parent / "absa", *SEMEVAL_SETS[name])
    prefix, _, part = name.rpartition("_")
    if prefix in TWEET_SETS and part in ("train", "dev"):
        stem, dev_size = TWEET_SETS[prefix]
        train, dev = tweet_split(pd.read_parquet(_require(root / f"{stem}.parquet")), dev_size)
        return (train if part == "train" else dev)[["text", "label"]]
    if name in ("ru_rureviews_train", "ru_rureviews_dev"):
        df = pd.read_parquet(_require(root / f"{name}.parquet"))
    elif name in ("en_uci_train", "en_uci_heldout"):
        train, held = uci_split(pd.read_parquet(_require(root / "en_uci_sentences.parquet")))
        df = train if name == "en_uci_train" else held
    elif name == "en_amazon":
        df = pd.read_parquet(_require(root / "en_amazon_multidomain.parquet"))
        df = df.assign(label=amazon_labels(df))
    else:
        raise ValueError(f"unknown data set {name!r}")
    return df[["text", "label"]].reset_index(drop=True)


TRAIN_SETS = ("ru_rureviews_train", "en_uci_train", "en_amazon", "ru_semeval_cal", "en_semeval_cal")
EVAL_SETS = (
    "ru_rureviews_dev",
    "en_uci_heldout",
    "ru_semeval_test",
    "en_semeval_test",
    "ru_banks_dev",
    "ru_telecom_dev",
    "en_tweets_dev",
)


def known_sets() -> list[str]:
    """Every name :func:`load_set` accepts."""
    tweets = [f"{prefix}_{part}" for prefix in TWEET_SETS for part in ("train", "dev")]
    base = ["ru_rureviews_train", "ru_rureviews_dev", "en_uci_train", "en_uci_heldout", "en_amazon"]
    return [*base, *SEMEVAL_SETS, *tweets]


# ---- the four-label scheme of the opinion head (nlp/sentiment/opinion.py) ----

#: Each set's kind of text and what its labels mean in the scheme negative | mixed | positive | none.
#: RuReviews "neutral" is a mixed 3-star review; tweet "neutral" is no opinion (news, ads, questions).
OPINION_SETS = {
    "ru_rureviews_train": ("review", {"neutral": "mixed"}),
    "ru_rureviews_dev": ("review", {"neutral": "mixed"}),
    "en_amazon": ("review", {}),
    "en_uci_train": ("sentence", {}),
    "en_uci_heldout": ("sentence", {}),
    "ru_semeval4_cal": ("sentence", {}),
    "en_semeval4_cal": ("sentence", {}),
    "ru_semeval4_test": ("sentence", {}),
    "en_semeval4_test": ("sentence", {}),
    "ru_banks_train": ("mention", {"neutral": "none"}),
    "ru_telecom_train": ("mention", {"neutral": "none"}),
    "en_tweets_train": ("mention", {"neutral": "none"}),
    "ru_banks_dev": ("mention", {"neutral": "none"}),
    "ru_telecom_dev": ("mention", {"neutral": "none"}),
    "en_tweets_dev": ("mention", {"neutral": "none"}),
}
OPINION_TRAIN_SETS = tuple(n for n in OPINION_SETS if not n.endswith(("_dev", "_heldout", "_test")))
OPINION_EVAL_SETS = tuple(n for n in OPINION_SETS if n not in OPINION_TRAIN_SETS)


def semeval_label4(polarities: set[str]) -> str:
    """A SemEval-2016 sentence in the four-label scheme: no opinion → none; positive and negative → mixed; a
    "neutral" opinion (SemEval: neither clearly positive nor negative) → mixed; otherwise the one polarity."""
    if not polarities:
        return "none"
    if {"positive", "negative"} <= polarities:
        return "mixed"
    for polarity in ("negative", "positive"):
        if polarity in polarities:
            return polarity
    return "mixed"


def semeval_sentences4(absa_dir: Path, language: str, part: str) -> pd.DataFrame:
    """Every SemEval-2016 sentence of one half (``calibration`` or ``test``), with or without opinions, labelled by
    :func:`semeval_label4`; as in :func:`semeval_sentences`, the calibration half drops texts the test half has."""
    from nlp.topics.absa import ABSA_FILES, load_split

    _require(absa_dir / ABSA_FILES[language])
    halves = load_split(absa_dir, language)
    tested = {s.text.strip() for s in halves["test"]} if part == "calibration" else set()
    rows = [
        (s.text, semeval_label4({pol for _, pol in s.opinions})) for s in halves[part] if s.text.strip() not in tested
    ]
    return pd.DataFrame(rows, columns=["text", "label"])


def load_opinion_set(name: str, data_dir: Path | None = None) -> tuple[str, pd.DataFrame]:
    """``(kind, frame)`` of one :data:`OPINION_SETS` set, labels in the four-label scheme."""
    if name not in OPINION_SETS:
        raise ValueError(f"unknown opinion data set {name!r}; known: {', '.join(OPINION_SETS)}")
    kind, relabel = OPINION_SETS[name]
    if "_semeval4_" in name:
        language, _, part = name.partition("_semeval4_")
        root = data_dir or default_data_dir()
        frame = semeval_sentences4(root.parent / "absa", language, "calibration" if part == "cal" else "test")
    else:
        frame = load_set(name, data_dir)
    return kind, frame.assign(label=frame["label"].map(lambda x: relabel.get(x, x)))

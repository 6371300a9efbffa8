"""SemEval-2016 Task 5 (restaurants) reader, category mapping and the fixed calibration/test split.

Splits are by review (never by sentence, so one review's sentences never sit on both sides) and by a hash of the
review id, so they are the same on every machine and in every run: :func:`fold_of` gives the cross-validation fold
over the whole file that ``molva eval topics`` uses; :func:`split_part` the older fixed halves.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ABSA_FILES = {
    "ru": "semeval2016_ru_restaurants_train.xml",
    "en": "semeval2016_en_restaurants_train.xml",
}


@dataclass
class AbsaSentence:
    """One annotated sentence: its text, the mapped categories and the polarity of each gold (category, polarity)."""

    review_id: str
    sentence_id: str
    text: str
    language: str
    categories: set[str] = field(default_factory=set)
    opinions: set[tuple[str, str]] = field(default_factory=set)  # (mapped category, polarity)


def map_category(semeval_category: str) -> str:
    """``ENTITY#ATTRIBUTE`` → the 7 taxonomy ids: attribute PRICES wins, otherwise the entity."""
    entity, _, attribute = semeval_category.partition("#")
    if attribute == "PRICES":
        return "PRICES"
    return entity


def read_absa(path: str | Path, language: str) -> list[AbsaSentence]:
    """All sentences of a SemEval-2016 XML file (sentences without opinions are kept: they test false positives)."""
    file = Path(path)
    try:
        root = ET.parse(file).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{file}: not valid SemEval XML: {exc}") from exc
    out: list[AbsaSentence] = []
    for review in root.iter("Review"):
        rid = review.get("rid", "")
        for sent in review.iter("sentence"):
            text_el = sent.find("text")
            if text_el is None or not (text_el.text or "").strip():
                continue
            item = AbsaSentence(rid, sent.get("id", ""), text_el.text or "", language)
            for op in sent.iter("Opinion"):
                cat = map_category(op.get("category", ""))
                item.categories.add(cat)
                item.opinions.add((cat, op.get("polarity", "")))
            out.append(item)
    return out


def split_part(review_id: str, language: str) -> str:
    """``calibration`` or ``test`` for a review, from a stable hash (about half each)."""
    digest = hashlib.sha256(f"{language}:{review_id}".encode()).digest()
    return "calibration" if digest[0] % 2 == 0 else "test"


N_FOLDS = 5


def fold_of(review_id: str, language: str, n_folds: int = N_FOLDS) -> int:
    """The cross-validation fold (0..n_folds-1) of a review, from a stable hash: a review's sentences share a fold."""
    digest = hashlib.sha256(f"fold:{language}:{review_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % n_folds


def load_split(data_dir: str | Path, language: str) -> dict[str, list[AbsaSentence]]:
    """The calibration and test halves of one language's training file."""
    sentences = read_absa(Path(data_dir) / ABSA_FILES[language], language)
    parts: dict[str, list[AbsaSentence]] = {"calibration": [], "test": []}
    for s in sentences:
        parts[split_part(s.review_id, language)].append(s)
    return parts

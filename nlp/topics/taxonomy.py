"""The topic taxonomy: what each topic is called, its journey stage and the seed phrases that define it.

Users add a topic by appending an entry with a few seed phrases per language; nothing is retrained. The ``calibration``
block holds the few numbers fitted on labelled data (``molva eval topics --save-calibration``); a taxonomy without one
uses :data:`DEFAULT_CALIBRATION`, the pooled fit on the whole SemEval-2016 training files (C and threshold by
cross-validation) that ``configs/topics.yaml`` carries too (docs/topics.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlp.topics.polarity_model import PolarityModel

Stage = Literal["awareness", "purchase", "delivery", "use", "support", "churn"]


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the offending field."""


class Calibration(BaseModel):
    """Decision parameters of the assigner, fitted on labelled sentences rather than guessed.

    A sentence gets topic ``t`` when ``score_t >= threshold`` (``per_topic`` may override the threshold of a topic).
    With ``weights`` (what :func:`nlp.topics.calibrate.calibrate` fits), ``score_t`` is the probability from a logistic
    model over the assigner's evidence ``features`` (:data:`nlp.topics.assign.FEATURES`): one row of weights per topic
    that had enough labelled sentences, the shared ``"*"`` row for the others (and for topics added later); the last
    number of a row is the bias. Without ``weights``, ``score_t`` is the hand-set linear score: the e5 similarity to
    the topic's phrases minus the similarity to generic, topic-free sentences (``centroid_weight`` and
    ``relative_weight`` shape it), plus ``lemma_weight`` times the lemma overlap.
    """

    model_config = ConfigDict(extra="forbid")

    threshold: float = 0.0212
    lemma_weight: float = 0.02
    centroid_weight: float = 0.75
    relative_weight: float = 1.0
    fitted_on: str = "hand-set linear defaults (no fit)"
    per_topic: dict[str, float] = Field(default_factory=dict)
    features: list[str] = Field(default_factory=list)
    weights: dict[str, list[float]] = Field(default_factory=dict)
    # Neutral band on the sentiment score for complaint/praise (None: the sentiment model's own label); see polarity.py
    polarity_band: float | None = None
    # Labelled example sentences (JSONL or SemEval XML; relative to the taxonomy file) when ``features`` include the
    # exemplar ones (nlp.topics.exemplars)
    exemplars: str | None = None
    # Polarity of topic mentions fitted on labelled opinions (nlp.topics.polarity_model); None: the rule of polarity.py
    polarity_model: PolarityModel | None = None


# The shared logistic row fitted by `molva eval topics --save-calibration configs/topics.yaml` (a test keeps the two
# equal): what a taxonomy without a calibration block uses.
DEFAULT_CALIBRATION = Calibration(
    threshold=0.27109,
    fitted_on="SemEval-2016 restaurants ru+en train, whole files (5655 sentences), global parameters only, C = 0.3 "
    "and threshold by 5-fold cross-validation, e5-onnx vectors",
    features=["best", "centroid", "background", "lemma", "rel_best", "rel_centroid", "gap_best", "gap_centroid",
              "gap_lemma", "lemma_topics"],
    weights={"*": [32.847, -26.30771, -8.97581, 2.02554, -26.77052, 80.98582, 14.94747, 39.23814, 0.62953, 0.06503,
                   1.11939]},
)  # fmt: skip


class Topic(BaseModel):
    """One taxonomy topic."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=64)
    name_en: str
    name_ru: str
    description: str = ""
    stage: Stage | None = None
    seeds: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("seeds")
    @classmethod
    def _seeds_valid(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for lang, phrases in value.items():
            if lang not in ("ru", "en"):
                raise ValueError(f"seed language must be 'ru' or 'en', got {lang!r}")
            if any(not isinstance(p, str) or not p.strip() for p in phrases):
                raise ValueError(f"empty seed phrase in seeds.{lang}")
        if not any(value.values()):
            raise ValueError("a topic needs at least one seed phrase")
        return value

    def phrases(self, language: str | None = None) -> list[str]:
        """Seed phrases in one language, or in all of them."""
        if language is not None:
            return list(self.seeds.get(language, []))
        return [p for lang in ("en", "ru") for p in self.seeds.get(lang, [])]

    def label(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en


class Taxonomy(BaseModel):
    """A list of topics plus the calibrated decision parameters."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    topics: list[Topic]
    calibration: Calibration = Field(default_factory=lambda: DEFAULT_CALIBRATION.model_copy(deep=True))

    @model_validator(mode="after")
    def _unique_ids(self) -> Taxonomy:
        seen: set[str] = set()
        for topic in self.topics:
            if topic.id in seen:
                raise ValueError(f"duplicate topic id {topic.id!r}")
            seen.add(topic.id)
        if not self.topics:
            raise ValueError("the taxonomy has no topics")
        return self

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def get(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)


DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parents[2] / "configs" / "topics.yaml"


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy YAML file; errors name the file and the field (``topics.3.seeds.ru``)."""
    file = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"{file}: taxonomy file not found") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{file}: expected a mapping with a 'topics' list at the top")
    try:
        taxonomy = Taxonomy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise TaxonomyError(f"{file}: {problems}") from exc
    exemplars = taxonomy.calibration.exemplars
    if exemplars and not Path(exemplars).is_absolute():
        taxonomy.calibration.exemplars = str(file.parent / exemplars)
    return taxonomy


def save_calibration(path: str | Path, calibration: Calibration) -> None:
    """Write ``calibration`` as the file's top-level ``calibration:`` block; comments and topics stay as written."""
    file = Path(path)
    lines = file.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("calibration:")), None)
    if start is not None:
        end = next((j for j in range(start + 1, len(lines)) if lines[j][:1] not in ("", " ", "#")), len(lines))
        lines = lines[:start] + lines[end:]
    dump = {"calibration": calibration.model_dump()}
    # Flow style for lists keeps a row of weights on one line.
    block = yaml.safe_dump(dump, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
    text = "\n".join(lines).rstrip("\n") + "\n" + block
    load_check = yaml.safe_load(text)
    Taxonomy.model_validate(load_check)
    file.write_text(text, encoding="utf-8")

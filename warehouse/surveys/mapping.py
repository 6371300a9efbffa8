"""The survey mapping: which column of an export holds what, on which scale (``configs/survey.yaml``).

Survey tools name their columns after the questions, so one small YAML per survey says where the respondent id, date,
segment and each score live. The mapping is validated by pydantic so a typo fails with the file and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the fields."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreColumn(_Strict):
    """A score question: its column, its scale and optional text labels ("Very satisfied" -> 5)."""

    column: str
    min: float
    max: float
    labels: dict[str, float] = Field(default_factory=dict)
    integer: bool = True  # answers on a point scale; 8.5 on a 0-10 NPS is rejected, not rounded

    @model_validator(mode="after")
    def _scale_ok(self) -> ScoreColumn:
        if self.max <= self.min:
            raise ValueError(f"scale max {self.max} must be above min {self.min}")
        return self


class NpsColumn(ScoreColumn):
    min: float = 0
    max: float = 10

    @model_validator(mode="after")
    def _nps_scale(self) -> NpsColumn:
        if (self.min, self.max) != (0, 10):
            raise ValueError("NPS is defined on 0-10; map another scale as a CSI factor instead")
        return self


class CsatColumn(ScoreColumn):
    min: float = 1
    max: float = 5
    satisfied_min: float | None = None  # default: the top two boxes (4-5 on 1-5)


class CesColumn(ScoreColumn):
    min: float = 1
    max: float = 7
    easy_min: float | None = None  # default: 5 on 1-7, 4 on 1-5 (the agreeing top boxes)


class FactorColumn(ScoreColumn):
    """A CSI factor (product, service, price...): rating column, optional declared weight or importance column."""

    min: float = 1
    max: float = 5
    weight: float | None = Field(default=None, gt=0)
    importance_column: str | None = None


class OverallColumn(ScoreColumn):
    min: float = 1
    max: float = 5


class CsvOptions(_Strict):
    encoding: str = "auto"  # auto: utf-8 (with or without BOM), else cp1251
    delimiter: str = "auto"  # auto: sniffed among , ; TAB
    decimal: Literal["auto", ".", ","] = "auto"


class SurveyMapping(_Strict):
    """One survey export layout. Only ``respondent_id`` and at least one score are required."""

    survey_id: str
    brand_id: str | None = None
    name: str | None = None
    tool: Literal["google_forms", "typeform", "surveymonkey", "yandex_forms", "other"] = "other"
    sheet: str | None = None  # XLSX sheet; default the first
    header_row: int = Field(default=1, ge=1)  # 1-based line of the column names
    skip_rows_after_header: int = Field(default=0, ge=0)  # SurveyMonkey's second header line
    csv: CsvOptions = Field(default_factory=CsvOptions)

    respondent_id: str
    pseudonymise_respondent_id: bool = False  # ids that are e-mails or phones: store a salted HMAC (molva.privacy)
    date: str | None = None
    date_formats: list[str] = Field(default_factory=list)  # strptime formats tried in order, then ISO 8601
    timezone_offset_hours: float = 0  # exports in local time: hours to subtract to get UTC
    channel: str | None = None
    segment: str | None = None
    touchpoint: str | None = None
    default_channel: str | None = None
    default_touchpoint: str | None = None

    nps: NpsColumn | None = None
    csat: CsatColumn | None = None
    ces: CesColumn | None = None
    overall: OverallColumn | None = None
    factors: dict[str, FactorColumn] = Field(default_factory=dict)
    open_text: dict[str, str] = Field(default_factory=dict)  # question key -> column

    duplicates: Literal["keep_last", "keep_first"] = "keep_last"

    @field_validator("survey_id", "respondent_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @model_validator(mode="after")
    def _has_a_score(self) -> SurveyMapping:
        if not (self.nps or self.csat or self.ces or self.factors or self.overall):
            raise ValueError("map at least one of nps, csat, ces, overall, factors")
        weights = [f.weight for f in self.factors.values()]
        if any(w is not None for w in weights) and any(w is None for w in weights):
            raise ValueError("give a weight to every CSI factor or to none (then importance comes from correlation)")
        return self

    @property
    def csat_satisfied_min(self) -> float:
        if self.csat is None:
            return 4.0
        return self.csat.satisfied_min if self.csat.satisfied_min is not None else self.csat.max - 1

    @property
    def ces_easy_min(self) -> float:
        if self.ces is None:
            return 5.0
        if self.ces.easy_min is not None:
            return self.ces.easy_min
        return self.ces.max - 2 if self.ces.max - self.ces.min >= 6 else self.ces.max - 1


def load_mapping(path: str | Path) -> SurveyMapping:
    """Read and validate a mapping YAML; errors name the file and each bad field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read mapping: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{path}: a mapping must be a YAML dictionary")
    try:
        return SurveyMapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())
        raise MappingError(f"{path}: {problems}") from exc

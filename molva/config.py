"""Pydantic models of a Molva deployment config (``configs/*.yaml``) and a loader that reports every problem with its
file, line and field path.

Relative paths in a config (warehouse file, taxonomy, selector files) are resolved against the current working
directory, like every other command-line tool; ``make run`` runs from the repository root.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from molva.connectors import CONNECTORS
from molva.options import option_problems, url_credentials_problem
from molva.privacy import DEFAULT_SALT_ENV, resolve_salt
from molva.privacy import DEV_SALT as DEV_SALT  # re-exported for callers of the config

Language = Literal["ru", "en"]
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
# Keys that look like they hold a secret. Their values must not be literals in a config file.
_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api[_-]?key|salt)$", re.IGNORECASE)
_CRON_FIELD = re.compile(r"^[\d\*/,\-A-Za-z?LW#]+$")


class _Model(BaseModel):
    # Inputs are left out of error texts: a rejected value may be a secret (a URL with a password).
    model_config = ConfigDict(extra="forbid", populate_by_name=True, hide_input_in_errors=True)


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a valid id: use lowercase letters, digits, '-' and '_'")
    return value


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r}") from exc
    return value


class ProjectConfig(_Model):
    """What the deployment is called and where its customers live."""

    name: str
    timezone: str = "UTC"
    languages: list[Language] = Field(default=["ru", "en"], min_length=1)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)


class BrandNames(_Model):
    en: str
    ru: str | None = None


class BrandConfig(_Model):
    """The own brand or a competitor."""

    id: str
    names: BrandNames
    aliases: list[str] = Field(default_factory=list)
    is_own: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)


class SourceConfig(_Model):
    """One place reviews come from: a platform plus the page, app or channel of one brand."""

    id: str
    brand: str
    platform: str = Field(description="a registered connector (molva.connectors.PLATFORMS)")
    url: str | None = None
    platform_id: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str) -> str:
        if value not in CONNECTORS:
            raise ValueError(f"unknown platform {value!r}; choose one of {', '.join(CONNECTORS)}")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        problem = url_credentials_problem(value) if value else None
        if problem:
            raise ValueError(f"source {info.data.get('id')!r}: {problem}")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """Only the keys the platform's connector declares (:mod:`molva.options`); load_config reports each by line."""
        problems = option_problems(info.data["platform"], value) if "platform" in info.data else []
        if problems:
            text = "; ".join(f"options.{p.key}: {p.message}" for p in problems)
            raise PydanticCustomError("source_options", "source {source}: {problems}", {
                "source": repr(info.data.get("id")), "problems": text,
            })  # fmt: skip
        return value

    @model_validator(mode="after")
    def _where(self) -> SourceConfig:
        if not self.url and not self.platform_id and not self.options.get("base_url"):
            raise ValueError("a source needs `url`, `platform_id` or `options.base_url`")
        return self


class TopicsConfig(_Model):
    taxonomy: str = "configs/topics.yaml"


class ScheduleConfig(_Model):
    """Cron expressions (5 fields) interpreted in ``timezone``."""

    nightly: str = "0 3 * * *"
    weekly: str = "0 7 * * 1"
    timezone: str = "UTC"

    @field_validator("nightly", "weekly")
    @classmethod
    def _cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(f"{value!r} is not a 5-field cron expression (minute hour day month weekday)")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _check_timezone(value)


class WarehouseConfig(_Model):
    path: str = "data/molva.duckdb"


class NlpConfig(_Model):
    sentiment_model: str = "molva-sentiment"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    batch_size: int = Field(32, ge=1, le=4096)
    # Where the nightly's enrichment shards run (docs/flows.md, scaling out): threads in the flow's process, or Dask
    # (prefect-dask): the scheduler at dask_address, else a LocalCluster of `workers` processes.
    runner: Literal["threads", "dask"] = "threads"
    workers: int = Field(1, ge=1, le=256)
    dask_address: str | None = None
    shard_size: int = Field(256, ge=1, le=100_000, description="reviews per sentiment shard (and per transaction)")


class DigestConfig(_Model):
    language: Language = "ru"
    brand: str | None = None
    recipients: list[str] = Field(default_factory=list)
    out_dir: str = "reports"
    # Where the digest's folder is published (e.g. https://reports.example.com/molva/): the e-mail links the saved SQL
    # queries under it; without it the e-mail names them as text. Only http(s).
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        problem = url_credentials_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("recipients")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for address in value:
            if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value


class PrivacyConfig(_Model):
    """Authors are pseudonymised with a salted HMAC; the salt is read from the environment variable named here."""

    pseudonymise_authors: bool = True
    salt_env: str = DEFAULT_SALT_ENV
    allow_dev_salt: bool = False  # production (MOLVA_ENV=production) refuses the development salt unless true

    def salt(self, where: str = "molva") -> str:
        """The salt from the environment via :func:`molva.privacy.resolve_salt` (warns or refuses on the dev salt)."""
        return resolve_salt(env=self.salt_env, allow_dev_salt=self.allow_dev_salt, where=where)


class CrawlConfig(_Model):
    user_agent: str = "MolvaBot/0.1 (+https://github.com/molva/molva; cx-team@example.org)"
    concurrency_per_domain: int = Field(2, ge=1, le=2)
    download_delay: float = Field(1.0, ge=0)
    max_pages: int = Field(50, ge=1)
    overlap: int = Field(5, ge=0, description="known reviews to read past the watermark, to catch edits")
    parallel_sources: int = Field(4, ge=1)


class MolvaConfig(_Model):
    """A whole deployment: one own brand, its competitors, their sources and how Molva runs."""

    project: ProjectConfig
    brands: list[BrandConfig] = Field(min_length=1)
    sources: list[SourceConfig] = Field(default_factory=list)
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    warehouse: WarehouseConfig = Field(default_factory=WarehouseConfig)
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)

    @model_validator(mode="after")
    def _references(self) -> MolvaConfig:
        brand_ids = [b.id for b in self.brands]
        _unique(brand_ids, "brands")
        _unique([s.id for s in self.sources], "sources")
        own = [b.id for b in self.brands if b.is_own]
        if len(own) != 1:
            raise ValueError(f"exactly one brand must have is_own: true (found {len(own)})")
        for source in self.sources:
            if source.brand not in brand_ids:
                raise ValueError(f"source {source.id!r} names unknown brand {source.brand!r}")
        if self.digest.brand and self.digest.brand not in brand_ids:
            raise ValueError(f"digest.brand names unknown brand {self.digest.brand!r}")
        return self

    @property
    def own_brand(self) -> BrandConfig:
        return next(b for b in self.brands if b.is_own)

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"no source {source_id!r} in the config (known: {', '.join(s.id for s in self.sources)})")


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate id {item!r} in {what}")
        seen.add(item)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '<root>'}: {self.message}"


class ConfigError(Exception):
    """Raised with every problem found in a config file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_config(path: str | Path) -> MolvaConfig:
    """Read and validate a config file; raise :class:`ConfigError` listing every problem with line and field."""
    path = Path(path)
    data = _read_yaml(path)
    problems = [*_secret_problems(path, data), *_reference_problems(path, data), *_option_problems(path, data)]
    try:
        config = MolvaConfig.model_validate(_plain(data))
    except ValidationError as exc:
        for err in exc.errors():
            loc = list(err["loc"])
            if err["type"] == "source_options":
                continue  # _option_problems reported each bad key on its own line
            if not loc and any(p.field.startswith(("brands", "sources", "digest")) for p in problems):
                continue  # the cross-reference check already reported it with its exact place
            problems.append(Problem(str(path), _line_of(data, loc), _dotted(loc), _message(err)))
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0)) from None
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))
    return config


def _read_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    if not path.exists():
        raise ConfigError([Problem(str(path), None, "", "file not found")])
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(str(path), None, "", f"not UTF-8 text: {exc}")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError([Problem(str(path), line, "", f"YAML syntax: {exc.problem or exc}")]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(str(path), 1, "", "the top level must be a mapping (project:, brands:, …)")])
    return data


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _line_of(data: Any, loc: list[Any]) -> int | None:
    """Line (1-based) of the deepest node on ``loc`` that the YAML tree still has."""
    node, line = data, getattr(getattr(data, "lc", None), "line", None)
    for part in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and part in node:
                line = lc.key(part)[0] if lc is not None else line
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                line = lc.item(part)[0] if lc is not None else line
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return None if line is None else line + 1


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: Any) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see configs/example.yaml)"
    if err["type"] == "missing":
        return "required field is missing"
    return msg


def _reference_problems(path: Path, data: Any) -> list[Problem]:
    """Duplicate ids, a missing or second own brand, and sources or the digest naming unknown brands — with lines."""
    problems: list[Problem] = []
    brands = data.get("brands") if isinstance(data.get("brands"), list) else []
    sources = data.get("sources") if isinstance(data.get("sources"), list) else []

    def add(loc: list[Any], message: str) -> None:
        problems.append(Problem(str(path), _line_of(data, loc), _dotted(loc), message))

    brand_ids: dict[str, int] = {}
    own = []
    for i, brand in enumerate(brands):
        if not isinstance(brand, dict):
            continue
        bid = brand.get("id")
        if isinstance(bid, str):
            if bid in brand_ids:
                add(["brands", i, "id"], f"duplicate brand id {bid!r} (first at brands[{brand_ids[bid]}])")
            brand_ids.setdefault(bid, i)
        if brand.get("is_own") is True:
            own.append(i)
    if brands and len(own) != 1:
        where = ["brands", own[1], "is_own"] if len(own) > 1 else ["brands"]
        add(where, f"exactly one brand must have is_own: true (found {len(own)})")
    seen_sources: dict[str, int] = {}
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            continue
        sid = source.get("id")
        if isinstance(sid, str):
            if sid in seen_sources:
                add(["sources", i, "id"], f"duplicate source id {sid!r} (first at sources[{seen_sources[sid]}])")
            seen_sources.setdefault(sid, i)
        brand = source.get("brand")
        if isinstance(brand, str) and brand_ids and brand not in brand_ids:
            add(["sources", i, "brand"], f"unknown brand {brand!r} (known: {', '.join(brand_ids)})")
    digest = data.get("digest")
    if (
        isinstance(digest, dict)
        and isinstance(digest.get("brand"), str)
        and brand_ids
        and digest["brand"] not in brand_ids
    ):
        add(["digest", "brand"], f"unknown brand {digest['brand']!r}")
    return problems


def _option_problems(path: Path, data: Any) -> list[Problem]:
    """Each unknown, mistyped or credential-bearing option of a source, at the line of its key."""
    problems: list[Problem] = []
    sources = data.get("sources") if isinstance(data.get("sources"), list) else []
    for i, source in enumerate(sources):
        options = source.get("options") if isinstance(source, dict) else None
        if not isinstance(options, dict) or not isinstance(source.get("platform"), str):
            continue
        for problem in option_problems(source["platform"], _plain(options)):
            key = problem.key.split(".")[0].split("[")[0]
            loc = ["sources", i, "options", key]
            field = _dotted(["sources", i, "options"]) + "." + problem.key
            message = f"source {source.get('id')!r}: {problem.message}"
            problems.append(Problem(str(path), _line_of(data, loc), field, message))
    return problems


def _secret_problems(path: Path, data: Any, loc: tuple[Any, ...] = ()) -> list[Problem]:
    """Secrets never live in configs: a secret-looking key must name an environment variable (``*_env``) instead."""
    problems: list[Problem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = (*loc, key)
            if isinstance(key, str) and _SECRET_KEY.search(key) and isinstance(value, str | int) and value != "":
                problems.append(
                    Problem(
                        str(path),
                        _line_of_key(data, key),
                        _dotted(list(here)),
                        f"looks like a secret; put it in an environment variable and reference it as `{key}_env: NAME`",
                    )
                )
            problems.extend(_secret_problems(path, value, here))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            problems.extend(_secret_problems(path, value, (*loc, i)))
    return problems


def _line_of_key(mapping: Any, key: Any) -> int | None:
    lc = getattr(mapping, "lc", None)
    try:
        return int(lc.key(key)[0]) + 1 if lc is not None else None
    except (KeyError, TypeError):
        return None

"""``selectors`` connector: extraction driven by a YAML file of CSS/XPath selectors, for sites without structured data.

The file format is documented in ``docs/connectors.md``; shipped examples live in ``configs/selectors/``. A selector is
CSS unless it starts with ``/``, ``./`` or ``(`` (then XPath); field selectors are relative to the review container.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawlers.items import Review
from crawlers.parsers.common import as_text, clean_text, join_paragraphs, stable_id, to_iso, to_number

PARSER_VERSION = "selectors/1"


class FieldSpec(BaseModel):
    """How to get one field out of a review container."""

    model_config = ConfigDict(extra="forbid")

    selector: str | list[str] = Field(description="CSS/XPath; a list is tried in order until one matches")
    regex: str | None = Field(None, description="keep the first group (or the whole match) of this pattern")
    join: str = Field(" ", description="how several matched text nodes are joined; '\\n\\n' keeps paragraphs")
    count: bool = Field(False, description="the value is the number of matched elements (star icons)")
    divide: float | None = Field(None, description="divide a number by this (class 'rating-45' → 4.5 with 10)")
    scale: float | None = Field(None, description="rating: the top of the scale (5 for stars)")
    min: float = Field(1.0, description="rating: the bottom of the scale")
    format: str | None = Field(None, description="date: 'epoch' or a strptime pattern; else dateparser")
    languages: list[str] | None = Field(None, description="date: dateparser languages, e.g. [ru] or [en]")
    absolute: bool = Field(False, description="url: resolve against the page URL")


class SelectorConfig(BaseModel):
    """A whole selector file: the review container, its fields and the next-page link."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str | None = None
    review: str = Field(description="selector of one review container")
    fields: dict[str, FieldSpec]
    next_page: str | None = None
    extra: dict[str, FieldSpec] = Field(default_factory=dict, description="more fields kept in Review.extra")
    languages: list[str] = Field(default_factory=lambda: ["ru", "en"])
    rating_scale: float | None = None

    @field_validator("fields", "extra", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        """``text: ".body ::text"`` is shorthand for ``text: {selector: ".body ::text"}``."""
        if isinstance(value, dict):
            return {k: {"selector": v} if isinstance(v, str | list) else v for k, v in value.items()}
        return value

    @field_validator("fields")
    @classmethod
    def _known(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        unknown = set(value) - KNOWN_FIELDS
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}; known: {sorted(KNOWN_FIELDS)}")
        if "text" not in value:
            raise ValueError("`fields.text` is required")
        return value


KNOWN_FIELDS = {"external_id", "text", "title", "rating", "date", "author", "reply", "reply_date", "url", "language"}


class SelectorConfigError(ValueError):
    """A selector file that cannot be used; the message names the file and the field."""


def load_selector_config(path: str | Path) -> SelectorConfig:
    """Read and validate a selector YAML file."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SelectorConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise SelectorConfigError(f"{path}: YAML syntax: {exc}") from None
    try:
        return SelectorConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SelectorConfigError(f"{path}: {problems}") from None


def _query(node: Any, selector: str) -> Any:
    return node.xpath(selector) if selector.startswith(("/", "./", "(")) else node.css(selector)


def _extract(node: Any, spec: FieldSpec) -> Any:
    selectors = spec.selector if isinstance(spec.selector, list) else [spec.selector]
    for selector in selectors:
        matched = _query(node, selector)
        if spec.count:
            if len(matched):
                return float(len(matched))
            continue
        # a selector that matches elements (not ::text or @attr) yields each element's whole text
        raw = [m.xpath("string()").get() if _is_element(m) else m.get() for m in matched]
        values = [v for v in raw if v and v.strip()]
        if not values:
            continue
        text = join_paragraphs(values) if spec.join == "\n\n" else clean_text(spec.join.join(v.strip() for v in values))
        if text and spec.regex:
            import re

            match = re.search(spec.regex, text, re.S)
            if not match:
                continue
            text = match.group(1) if match.groups() else match.group(0)
        if text:
            return text
    return None


def _is_element(node: Any) -> bool:
    return isinstance(getattr(getattr(node, "root", None), "tag", None), str)


def parse_selectors(
    body: bytes | str, url: str, config: SelectorConfig, *, platform: str = "selectors", now: datetime | None = None
) -> list[Review]:
    """Every review container on the page → :class:`Review` (containers without text are skipped)."""
    from parsel import Selector

    text = as_text(body)
    if not text.strip():
        return []
    page = Selector(text=text)
    out: list[Review] = []
    for node in _query(page, config.review):
        values = {name: _extract(node, spec) for name, spec in config.fields.items()}
        body_text = values.get("text")
        title = clean_text(values.get("title"))
        if not body_text and not title:
            continue
        rating = _number(values.get("rating"), config.fields.get("rating"))
        rating_spec = config.fields.get("rating")
        scale = (rating_spec.scale if rating_spec else None) or config.rating_scale
        date_spec = config.fields.get("date")
        published = _date(values.get("date"), date_spec, config, now)
        author = clean_text(values.get("author"))
        review_url = values.get("url")
        review_url = urljoin(url, review_url.strip()) if review_url else url
        external_id = clean_text(values.get("external_id")) or stable_id(author, published, title, body_text)
        extra = {name: _extract(node, spec) for name, spec in config.extra.items()}
        reply_date = _date(values.get("reply_date"), config.fields.get("reply_date"), config, now)
        out.append(
            Review(
                platform=platform,
                external_id=external_id,
                text=body_text or title or "",
                title=title if body_text else None,
                url=review_url,
                rating=rating,
                rating_scale=scale if rating is not None else None,
                rating_min=rating_spec.min if rating_spec else 1.0,
                author=author,
                published_at=published,
                reply_text=clean_text(values.get("reply")),
                reply_at=reply_date,
                language=clean_text(values.get("language")),
                parser_version=f"{PARSER_VERSION}:{config.name}",
                extra={k: v for k, v in extra.items() if v is not None},
            )
        )
    return out


def next_page_selectors(body: bytes | str, url: str, config: SelectorConfig) -> str | None:
    """The configured next-page link, absolute; ``None`` on the last page."""
    from parsel import Selector

    if not config.next_page:
        return None
    text = as_text(body)
    if not text.strip():
        return None
    href = _query(Selector(text=text), config.next_page).get()
    if not href or not href.strip() or href.strip().startswith(("#", "javascript:")):
        return None
    return urljoin(url, href.strip())


def _number(value: Any, spec: FieldSpec | None) -> float | None:
    number = to_number(value)
    if number is not None and spec is not None and spec.divide:
        number /= spec.divide
    return number


def _date(value: Any, spec: FieldSpec | None, config: SelectorConfig, now: datetime | None) -> str | None:
    if value is None:
        return None
    languages = (spec.languages if spec else None) or config.languages
    return to_iso(value, languages=languages, date_format=spec.format if spec else None, now=now)

"""The one review item every connector yields; it maps 1:1 onto a row of the warehouse ``reviews`` table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Review:
    """A review or a mention as extracted from one platform page.

    ``rating_scale`` is the maximum of the platform's scale (5 for stars, 10 for 1–10 scales); the minimum is 1
    unless ``rating_min`` says otherwise. ``published_at``/``reply_at`` are ISO 8601 strings (UTC when the platform
    gives a zone). ``kind`` is ``review`` for rated reviews and ``mention`` for posts, comments and messages.
    ``extra`` holds platform-specific fields (votes, score, app version, permalink …).
    """

    platform: str
    external_id: str
    text: str
    url: str | None = None
    title: str | None = None
    rating: float | None = None
    rating_scale: float | None = None
    rating_min: float = 1.0
    author: str | None = None
    published_at: str | None = None
    reply_text: str | None = None
    reply_at: str | None = None
    language: str | None = None
    kind: str = "review"
    source_id: str | None = None
    brand_id: str | None = None
    parser_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

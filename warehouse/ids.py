"""Stable identifiers: the same platform review always gets the same id, whichever crawl or file it came from."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def review_id(platform: str, external_id: str) -> str:
    """sha256 of ``platform:external_id``, first 32 hex characters."""
    return hashlib.sha256(f"{platform}:{external_id}".encode()).hexdigest()[:32]


def content_hash(row: dict[str, Any]) -> str:
    """Hash of what a customer (or the company, replying) wrote: an edit or a new reply changes it."""
    payload = [row.get("title"), row.get("text"), row.get("rating"), row.get("rating_scale"), row.get("reply_text")]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

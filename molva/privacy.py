"""Pseudonymisation of reviewer names: a salted HMAC, so the same author is recognisable across reviews without the
warehouse holding the name. The salt comes from the environment (see ``privacy.salt_env`` in the config)."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "anon:"


def pseudonymise(name: str | None, salt: str) -> str | None:
    """``anon:`` + 16 hex chars of HMAC-SHA256(salt, name).

    Idempotent: an already pseudonymised value is returned unchanged, so crawler and loader may both apply it.
    """
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if not cleaned:
        return None
    if cleaned.startswith(PREFIX):
        return cleaned
    digest = hmac.new(salt.encode(), cleaned.casefold().encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:16]

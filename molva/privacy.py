"""Pseudonymisation of reviewer names: a salted HMAC, so the same author is recognisable across reviews without the
warehouse holding the name. The salt comes from the environment (see ``privacy.salt_env`` in the config)."""

from __future__ import annotations

import hashlib
import hmac
import os

PREFIX = "anon:"
#: The documented development salt, used when no salt is configured (the offline demo, tests). Public, so a pseudonym
#: made with it can be reversed for a known name: production deployments set their own (``privacy.salt_env``).
DEV_SALT = "molva-dev-salt-change-me"
DEFAULT_SALT_ENV = "MOLVA_AUTHOR_SALT"


def resolve_salt(salt: str | None = None, *, env: str = DEFAULT_SALT_ENV) -> str:
    """The one salt resolver: an explicit ``salt``, else the environment variable ``env``, else :data:`DEV_SALT`.

    Every stage that pseudonymises (the crawl pipeline, the review loader, the survey importer) resolves its salt
    here, so the same name gets the same pseudonym wherever it enters.
    """
    return salt or os.environ.get(env) or DEV_SALT


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

"""Pseudonymisation of reviewer names: a salted HMAC, so the same author is recognisable across reviews without the
warehouse holding the name. The salt comes from the environment (see ``privacy.salt_env`` in the config)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import sys

PREFIX = "anon:"
#: The documented development salt, used when no salt is configured (the offline demo, tests). Public, so a pseudonym
#: made with it can be reversed for a known name: production deployments set their own (``privacy.salt_env``).
DEV_SALT = "molva-dev-salt-change-me"
DEFAULT_SALT_ENV = "MOLVA_AUTHOR_SALT"


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


class SaltError(RuntimeError):
    """Production would run on the public development salt: pseudonyms of known names could be reversed."""


PRODUCTION_ENV = "MOLVA_ENV"
_warned: set[str] = set()


def is_production() -> bool:
    """``MOLVA_ENV=production`` (or ``prod``) marks a production deployment."""
    return os.environ.get(PRODUCTION_ENV, "").strip().lower() in ("production", "prod")


def resolve_salt(
    value: str | None = None, *, env: str = DEFAULT_SALT_ENV, allow_dev_salt: bool = False, where: str = "molva"
) -> str:
    """The one salt resolver, used by the crawl pipeline, spiders, loader, survey importer and config.

    ``value`` is the configured salt, else the environment variable ``env`` (``privacy.salt_env``); empty or the
    development salt :data:`DEV_SALT` means "not set". In production (``MOLVA_ENV=production``) that is refused with
    :class:`SaltError` unless the config says ``privacy.allow_dev_salt: true``, which then warns loudly; outside
    production (the offline demo, tests) it warns loudly once per process and goes on with the development salt.
    """
    value = value or os.environ.get(env)
    if value and value != DEV_SALT:
        return value
    message = (
        f"{where}: reviewer names are pseudonymised with the PUBLIC development salt ({DEV_SALT!r}); anyone can "
        "reverse a pseudonym of a known name. Set MOLVA_AUTHOR_SALT (or the variable named by privacy.salt_env) "
        "to a long random secret."
    )
    if is_production() and not allow_dev_salt:
        raise SaltError(message + " Refusing to run in production (privacy.allow_dev_salt: true overrides).")
    if where not in _warned:
        _warned.add(where)
        print(f"WARNING: {message}", file=sys.stderr)
        logging.getLogger("molva.privacy").warning(message)
    return DEV_SALT

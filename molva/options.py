"""Checks on a source's ``options:`` and URLs: only the keys its connector declares, and no credentials in a URL.

The allowed keys and their types are declared once, on the connector (:meth:`molva.connectors.Connector.
allowed_options`); :mod:`molva.config` turns each problem found here into an error with the config file, line, source
id and key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from molva.connectors import CONNECTORS

_URL = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class OptionProblem:
    """One bad option: its key (the path inside ``options``) and what is wrong."""

    key: str
    message: str


def option_problems(platform: str, options: dict[str, Any]) -> list[OptionProblem]:
    """Unknown keys (with the closest valid one), values of the wrong type, and URLs that embed credentials."""
    if platform not in CONNECTORS:
        return []  # the platform itself is reported
    allowed = CONNECTORS[platform].allowed_options()
    problems: list[OptionProblem] = []
    for key, value in options.items():
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            known = ", ".join(sorted(allowed))
            problems.append(
                OptionProblem(
                    str(key), f"unknown option {key!r} for the {platform} connector; {hint}(allowed: {known})"
                )
            )
            continue
        try:
            _adapter(platform, key).validate_python(value)
        except ValidationError as exc:
            problems.append(OptionProblem(str(key), f"option {key!r}: {exc.errors()[0]['msg']}"))
            continue
        problems.extend(OptionProblem(f"{key}{where}", message) for where, message in _credential_problems(value))
    return problems


def url_credentials_problem(url: str) -> str | None:
    """The message for a URL that carries ``user[:password]@``, else None. The message never repeats the secret."""
    if not _URL.match(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.username is None and parts.password is None:
        return None
    redacted = f"{parts.scheme}://***@{parts.netloc.rpartition('@')[2]}{parts.path}"
    return (
        f"the URL embeds credentials ({redacted}); never put secrets in a config: remove them from the URL and pass "
        "secrets through the environment (an environment variable the deployment sets)"
    )


def _credential_problems(value: Any, where: str = "") -> list[tuple[str, str]]:
    """Credential-bearing URLs anywhere inside an option value (strings, lists, mappings), with their path."""
    if isinstance(value, str):
        message = url_credentials_problem(value)
        return [(where, message)] if message else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _credential_problems(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _credential_problems(v, f"{where}[{i}]")]
    return []


@cache
def _adapter(platform: str, key: str) -> TypeAdapter[Any]:
    return TypeAdapter(CONNECTORS[platform].allowed_options()[key])

"""The one placeholder syntax and the one literal quoter of Molva's SQL.

Every SQL file (staging, marts, the digest's queries) names its parameters ``$name``, DuckDB's own syntax for named
parameters: a query run by the digest binds them, and a SQL model that becomes a view or table (which cannot take
parameters) gets them filled in as literals by :func:`fill_params`. ``--`` comments are left alone, so a
"Parameters: $week_start" line in a header documents without being substituted.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def sql_literal(value: Any) -> str:
    """A value as a DuckDB SQL literal: null, booleans, numbers, timestamps, dates, else a quoted string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _code_and_comment(line: str) -> tuple[str, str]:
    code, sep, comment = line.partition("--")
    return code, sep + comment


def query_params(sql: str) -> list[str]:
    """Names of the ``$name`` parameters a query uses, in order of first use (comments ignored)."""
    body = "\n".join(_code_and_comment(line)[0] for line in sql.splitlines())
    return list(dict.fromkeys(PARAM.findall(body)))


def fill_params(sql: str, params: dict[str, Any], *, strict: bool = False) -> str:
    """Replace ``$name`` placeholders outside comments with SQL literals, so the query runs as it stands.

    With ``strict`` an unknown name is a ``KeyError``; otherwise it is left as it is (for DuckDB to bind).
    """

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in params:
            return sql_literal(params[key])
        if strict:
            raise KeyError(key)
        return match.group(0)

    lines = []
    for line in sql.splitlines():
        code, comment = _code_and_comment(line)
        lines.append(PARAM.sub(sub, code) + comment)
    return "\n".join(lines) + "\n"

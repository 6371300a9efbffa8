"""Run the digest's saved SQL queries (``flows/digest/sql/*.sql``) and keep a log of what ran with which values.

Every figure in the digest comes from one of these named files, so a reader can rerun the exact query: the log is
written beside the digest with the parameter values filled in (:func:`QueryLog.write`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

QUERIES_DIR = Path(__file__).resolve().parent / "sql"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def query_text(name: str) -> str:
    """The text of the saved query ``name`` (without ``.sql``)."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no saved digest query {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


def query_params(sql: str) -> list[str]:
    """Names of the ``$name`` parameters a query uses, in order of first use (comments ignored)."""
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return list(dict.fromkeys(_PARAM.findall(body)))


def sql_literal(value: Any) -> str:
    """A value as a DuckDB SQL literal, for the copies of the queries shipped beside the digest."""
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


def fill_params(sql: str, params: dict[str, Any]) -> str:
    """Replace ``$name`` placeholders outside comments with SQL literals, so the query runs as it stands."""
    lines = []
    for line in sql.splitlines():
        code, sep, comment = line.partition("--")
        code = _PARAM.sub(lambda m: sql_literal(params[m.group(1)]) if m.group(1) in params else m.group(0), code)
        lines.append(code + sep + comment)
    return "\n".join(lines) + "\n"


@dataclass
class QueryRun:
    """One execution of a saved query: its name, the values bound and how many rows came back."""

    name: str
    params: dict[str, Any]
    n_rows: int


@dataclass
class QueryLog:
    """Runs saved queries on a connection and remembers each run, so the digest can cite and ship them."""

    con: Any
    runs: list[QueryRun] = field(default_factory=list)

    def rows(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the saved query ``name`` with named parameters; rows come back as dicts."""
        sql = query_text(name)
        wanted = query_params(sql)
        missing = [p for p in wanted if p not in params]
        if missing:
            raise KeyError(f"query {name}.sql needs parameter(s) {', '.join(missing)}")
        bound = {k: params[k] for k in wanted}
        cursor = self.con.execute(sql, bound) if bound else self.con.execute(sql)
        columns = [d[0] for d in cursor.description]
        result = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        self.runs = [r for r in self.runs if r.name != name]
        self.runs.append(QueryRun(name, bound, len(result)))
        return result

    def write(self, folder: Path, *, header: str) -> list[Path]:
        """Write each query that ran, parameters filled in, to ``folder/<name>.sql``; returns the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for run in self.runs:
            values = ", ".join(f"{k} = {sql_literal(v)}" for k, v in run.params.items()) or "none"
            text = (
                f"-- {header}\n-- saved query flows/digest/sql/{run.name}.sql; parameters: {values}; "
                f"returned {run.n_rows} row(s)\n" + fill_params(query_text(run.name), run.params)
            )
            path = folder / f"{run.name}.sql"
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written

"""Run the digest's saved SQL queries (``molva/digest/sql/*.sql``) and keep a log of what ran with which values.

Every figure in the digest comes from one of these named files, so a reader can rerun the exact query: the log is
written beside the digest with the parameter values filled in (:func:`QueryLog.write`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.sqltext import fill_params, query_params, sql_literal

QUERIES_DIR = Path(__file__).resolve().parent / "sql"


def query_text(name: str) -> str:
    """The text of the saved query ``name`` (without ``.sql``)."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no saved digest query {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


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
                f"-- {header}\n-- saved query molva/digest/sql/{run.name}.sql; parameters: {values}; "
                f"returned {run.n_rows} row(s)\n" + fill_params(query_text(run.name), run.params)
            )
            path = folder / f"{run.name}.sql"
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written

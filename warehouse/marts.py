"""Build the staging views and mart tables from ``warehouse/sql`` and check each mart's contract.

Staging files (``sql/staging/stg_*.sql``, ``sql/intermediate/int_*.sql``) become views in the ``staging`` schema (with
the macros of ``sql/macros.sql``), mart files (``sql/marts/mart_*.sql``) become tables in ``marts``, in an
order derived from the names each file references, all inside one transaction: a reader never sees half a rebuild and a
rebuild over the same data leaves identical tables. Each mart declares its contract in a ``-- contract:`` comment block
(YAML: ``unique_key``, ``not_null``, ``accepted_values``, ``ranges``) that :func:`check_contracts` verifies.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from warehouse.layout import in_schema, search_path
from warehouse.sqltext import fill_params, sql_literal

SQL_DIR = Path(__file__).resolve().parent / "sql"
_REF = re.compile(r"\b((?:stg|int|mart)_[a-z0-9_]+)\b")


class MartBuildError(RuntimeError):
    """A staging or mart file failed to build; the message names the file and DuckDB's error."""


@dataclass(frozen=True)
class SqlModel:
    """One SQL file: its name (= the view or table it creates), kind and text."""

    name: str
    kind: str  # "view" for staging/intermediate, "table" for marts
    path: Path
    sql: str

    @property
    def refs(self) -> set[str]:
        body = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return {ref for ref in _REF.findall(body) if ref != self.name}

    @property
    def view_only(self) -> bool:
        """``-- build: view`` in the file: never copied into a temporary table during a build."""
        return any(line.strip().startswith("-- build: view") for line in self.sql.splitlines())

    @property
    def contract(self) -> dict[str, Any]:
        return parse_contract(self.sql, self.path)


@dataclass
class BuildResult:
    """What :func:`build_marts` did: models in build order, row counts of the tables, seconds taken."""

    built: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class ContractViolation:
    """One failed contract check on a mart."""

    mart: str
    check: str
    column: str
    n_rows: int
    detail: str

    def __str__(self) -> str:
        return f"{self.mart}: {self.check} on {self.column}: {self.n_rows} row(s) {self.detail}"


def parse_contract(sql: str, path: Path | None = None) -> dict[str, Any]:
    """Read the YAML in a file's ``-- contract:`` comment block (empty dict when there is none)."""
    lines = sql.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "-- contract:":
            block: list[str] = []
            for follow in lines[i + 1 :]:
                if not follow.startswith("--  "):
                    break
                block.append(follow[2:])
            try:
                data = yaml.safe_load("\n".join(block)) or {}
            except yaml.YAMLError as exc:
                raise MartBuildError(f"{path}: line {i + 1}: contract block is not valid YAML: {exc}") from exc
            if not isinstance(data, dict):
                raise MartBuildError(f"{path}: line {i + 1}: contract block must be a mapping")
            return data
    return {}


def discover_models(sql_dir: Path = SQL_DIR) -> list[SqlModel]:
    """All staging, intermediate and mart files, sorted so every model comes after the models it references."""
    models: dict[str, SqlModel] = {}
    for sub, kind in (("staging", "view"), ("intermediate", "view"), ("marts", "table")):
        for path in sorted((sql_dir / sub).glob("*.sql")):
            name = path.stem
            if not re.fullmatch(r"(stg|int|mart)_[a-z0-9_]+", name):
                continue
            models[name] = SqlModel(name=name, kind=kind, path=path, sql=path.read_text(encoding="utf-8"))
    ordered: list[SqlModel] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise MartBuildError(f"circular reference between SQL models: {' -> '.join((*chain, name))}")
        state[name] = "visiting"
        model = models[name]
        for ref in sorted(model.refs):
            if ref in models:
                visit(ref, (*chain, name))
        state[name] = "done"
        ordered.append(model)

    for name in sorted(models):
        visit(name, ())
    return ordered


def render(sql: str, params: dict[str, object]) -> str:
    """Fill ``$name`` placeholders with SQL literals (``null`` for None); an unknown name is an error."""
    return fill_params(sql, params, strict=True)


def _strip_comments(sql: str) -> str:
    """Drop ``--`` comments so placeholders in documentation lines are not substituted into code."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def build_marts(
    con: Any,
    *,
    sentiment_model: str | None = None,
    timezone: str = "UTC",
    sql_dir: Path = SQL_DIR,
    materialise_staging: bool = True,
) -> BuildResult:
    """Create the macros, staging views and mart tables in dependency order, in one transaction.

    ``sentiment_model`` is the configured review-sentiment model name that staging prefers (None: the latest);
    ``timezone`` (an IANA name, the config's ``project.timezone``) is where days, weeks and months are cut.
    With ``materialise_staging`` each staging view is also copied into a temporary table for the duration of the
    build, so marts that share a view do not recompute it (the views stay, for analysts' queries).
    """
    started = time.perf_counter()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MartBuildError(f"unknown IANA time zone {timezone!r} for the marts' day/week/month cut") from exc
    params: dict[str, object] = {"sentiment_model": sentiment_model, "timezone": timezone}
    result = BuildResult()
    models = discover_models(sql_dir)
    temps: list[str] = []
    staging, marts = in_schema(con, "staging"), in_schema(con, "marts")
    con.execute(f"create schema if not exists {staging}")
    con.execute(f"create schema if not exists {marts}")
    path = search_path(con).replace("'", "''")
    con.execute("begin transaction")
    try:
        macros = sql_dir / "macros.sql"
        if macros.exists():
            try:
                con.execute(f"set search_path = '{staging}'")  # the macros' unqualified names are created there
                con.execute(macros.read_text(encoding="utf-8"))
            except Exception as exc:
                raise MartBuildError(f"{macros}: {exc}") from exc
            finally:
                con.execute(f"set search_path = '{path}'")
        for model in models:
            body = render(_strip_comments(model.sql), params).strip().rstrip(";")
            schema = marts if model.kind == "table" else staging
            statement = f"create or replace {model.kind} {schema}.{model.name} as\n{body}"
            try:
                con.execute(statement)
                if model.kind == "view" and materialise_staging and not model.view_only:
                    # computed once for every mart that reads it; the temp table shadows the view in this session
                    con.execute(f"create or replace temp table {model.name} as select * from {staging}.{model.name}")
                    temps.append(model.name)
            except Exception as exc:
                raise MartBuildError(f"{model.path}: {exc}") from exc
            result.built.append(model.name)
        for name in reversed(temps):
            con.execute(f"drop table if exists temp.{name}")
        from warehouse.comments import apply_comments

        apply_comments(con, tables={m.name for m in models})  # docs' meanings: a replaced view lost its comments
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    for model in models:
        if model.kind == "table":
            row = con.execute(f"select count(*) from {marts}.{model.name}").fetchone()
            result.rows[model.name] = int(row[0]) if row else 0
    result.seconds = time.perf_counter() - started
    return result


def check_contracts(con: Any, *, sql_dir: Path = SQL_DIR, marts: list[str] | None = None) -> list[ContractViolation]:
    """Check every built mart against its declared contract; an empty list means all hold."""
    violations: list[ContractViolation] = []
    for model in discover_models(sql_dir):
        if model.kind != "table" or (marts is not None and model.name not in marts):
            continue
        violations.extend(_check_one(con, model.name, model.contract))
    return violations


def _count(con: Any, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _check_one(con: Any, mart: str, contract: dict[str, Any]) -> list[ContractViolation]:
    out: list[ContractViolation] = []
    key = contract.get("unique_key") or []
    if key:
        cols = ", ".join(key)
        n = _count(con, f"select count(*) from (select {cols} from {mart} group by {cols} having count(*) > 1)")
        if n:
            out.append(ContractViolation(mart, "unique_key", cols, n, "key values appear more than once"))
        for col in key:
            n = _count(con, f"select count(*) from {mart} where {col} is null")
            if n:
                out.append(ContractViolation(mart, "unique_key", col, n, "have a null key column"))
    for col in contract.get("not_null") or []:
        n = _count(con, f"select count(*) from {mart} where {col} is null")
        if n:
            out.append(ContractViolation(mart, "not_null", col, n, "are null"))
    for col, allowed in (contract.get("accepted_values") or {}).items():
        values = ", ".join(sql_literal(v) for v in allowed)
        n = _count(con, f"select count(*) from {mart} where {col} is not null and {col} not in ({values})")
        if n:
            out.append(ContractViolation(mart, "accepted_values", col, n, f"outside {allowed}"))
    for col, (low, high) in (contract.get("ranges") or {}).items():
        eps = 1e-9
        n = _count(
            con,
            f"select count(*) from {mart} where {col} < {float(low)} - {eps} or {col} > {float(high)} + {eps}",
        )
        if n:
            out.append(ContractViolation(mart, "ranges", col, n, f"outside [{low}, {high}]"))
    return out

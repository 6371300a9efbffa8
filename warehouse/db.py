"""Open the DuckDB warehouse and apply the numbered migrations in ``warehouse/migrations`` (``NNN_name.sql``).

Every applied migration is recorded in ``schema_migrations``; applying twice is a no-op. Migrations run before any
write because :func:`connect` applies them unless the connection is read-only.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """A migration file is malformed or failed to apply; the database keeps its previous schema."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migration files sorted by number; a badly named ``.sql`` file or a duplicate number is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files must be named NNN_lowercase_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(
                f"{path}: migration number {version:03d} is used twice (also {found[version].path.name})"
            )
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


def connect(path: str | Path = "data/molva.duckdb", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse file and bring its schema up to date. ``:memory:`` works for tests."""
    target = str(path)
    if target != ":memory:" and not read_only:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    if read_only and target != ":memory:" and not Path(target).exists():
        raise FileNotFoundError(f"{target}: no warehouse here yet (run `molva warehouse migrate` or a crawl first)")
    _check_header(target)
    con = duckdb.connect(target, read_only=read_only)
    con.execute("set timezone = 'UTC'")
    if not read_only:
        migrate(con)
    return con


class WarehouseOpenError(RuntimeError):
    """The warehouse file cannot be opened: missing, locked by another process, not a DuckDB file, or corrupted."""


def _check_header(target: str) -> None:
    """A non-empty file must start like a DuckDB database (``DUCK`` at byte 8) before DuckDB is given it: DuckDB sniffs
    other formats, and an SQLite file makes it download the sqlite extension from the internet."""
    path = Path(target)
    if target == ":memory:" or not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[8:12] != b"DUCK":
        raise WarehouseOpenError(
            f"{target}: not a readable DuckDB warehouse (foreign or corrupted file: no DuckDB header)"
        )


def _explain(target: str, exc: BaseException) -> str:
    text = str(exc)
    low = text.lower()
    if "could not set lock" in low or "conflicting lock" in low:
        return f"{target}: the warehouse is locked by another process (a crawl, load or enrich still running?): {text}"
    if "not a valid duckdb" in low or "unable to open" in low or "corrupt" in low or "checksum" in low:
        return f"{target}: not a readable DuckDB warehouse (foreign or corrupted file): {text}"
    return f"{target}: cannot open the warehouse: {text}"


def connect_readonly(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open an existing warehouse for reading only, sandboxed: nothing can be written, attached or read from disk.

    The file is opened ``read_only`` (never created: a missing file is a :class:`WarehouseOpenError`), then
    ``enable_external_access = false`` (no ``attach``, ``copy … to``, ``read_text``/``read_csv`` of other files, no
    extension loading) and ``lock_configuration = true`` (a query cannot turn these back on).
    """
    target = str(path)
    if target == ":memory:" or not Path(target).is_file():
        raise WarehouseOpenError(
            f"{target}: no warehouse here yet (give an existing file with --db; "
            "`molva warehouse migrate` or a crawl creates one)"
        )
    _check_header(target)
    try:
        con = duckdb.connect(target, read_only=True)
    except duckdb.Error as exc:
        raise WarehouseOpenError(_explain(target, exc)) from exc
    con.execute("set timezone = 'UTC'")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def open_writable(path: str | Path) -> duckdb.DuckDBPyConnection:
    """:func:`connect` for writers (load, enrich, crawl); DuckDB errors become :class:`WarehouseOpenError`."""
    try:
        return connect(path)
    except duckdb.Error as exc:
        raise WarehouseOpenError(_explain(str(path), exc)) from exc


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply pending migrations in order, each in its own transaction. Returns the ones applied now."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, checksum varchar not null, applied_at timestamp not null)"
    )
    done = {int(v): c for v, c in con.execute("select version, checksum from schema_migrations").fetchall()}
    applied: list[Migration] = []
    for migration in available_migrations(directory):
        if migration.version in done:
            if done[migration.version] != migration.checksum:
                print(
                    f"warning: migration {migration.path.name} changed after it was applied; "
                    "write a new numbered migration instead of editing an applied one",
                    file=sys.stderr,
                )
            continue
        sql = migration.path.read_text(encoding="utf-8")
        con.execute("begin transaction")
        try:
            con.execute(sql)
            con.execute(
                "insert into schema_migrations values (?, ?, ?, ?)",
                [migration.version, migration.name, migration.checksum, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise MigrationError(f"{migration.path}: {exc}") from exc
        applied.append(migration)
    comment_columns(con)
    return applied


def comment_columns(con: duckdb.DuckDBPyConnection) -> int:
    """Refresh column comments from the docs' data dictionary when it changed since the last refresh (or a migration
    added tables); returns the columns commented now (0 when nothing changed). See :mod:`warehouse.comments`."""
    from warehouse.comments import apply_comments, read_dictionary

    dictionary = read_dictionary()
    if not dictionary.columns:
        return 0
    con.execute("create table if not exists schema_comments (source_hash varchar not null, commented_at timestamp)")
    version = con.execute("select max(version) from schema_migrations").fetchone()
    stamp = f"{dictionary.digest}:{version[0] if version else 0}"
    if con.execute("select count(*) from schema_comments where source_hash = ?", [stamp]).fetchone() == (1,):
        return 0
    con.execute("begin transaction")
    try:
        n = apply_comments(con, dictionary=dictionary)
        con.execute("delete from schema_comments")
        con.execute("insert into schema_comments values (?, ?)", [stamp, datetime.now(UTC).replace(tzinfo=None)])
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise
    return n

"""Open the DuckDB warehouse and apply the numbered migrations in ``warehouse/migrations``.

A migration is ``NNN_name.sql`` or, where SQL cannot say it (070 rebuilds every table in its schema),
``NNN_name.py`` with an ``upgrade(con)`` function. Every applied migration is recorded in ``schema_migrations``
(``internal`` from 070 on, ``main`` before); applying twice is a no-op. Migrations run before any write because
:func:`connect` applies them unless the connection is read-only. Every connection gets the ``search_path`` of
:mod:`warehouse.layout`, so unqualified names find tables in any schema.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.layout import in_schema, use_layout

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.(sql|py)$")


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
    """Migration files sorted by number; a badly named ``.sql``/``.py`` file or a duplicate number is an error."""
    found: dict[int, Migration] = {}
    for path in sorted([*directory.glob("*.sql"), *directory.glob("*.py")]):
        if path.name == "__init__.py":
            continue
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files must be named NNN_lowercase_name.sql (or .py)")
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
    use_layout(con)
    return con


def migrate_file(path: str | Path) -> list[Migration]:
    """Create the warehouse file if needed and apply its pending migrations; returns the ones applied now."""
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    _check_header(target)
    try:
        con = duckdb.connect(target)
    except duckdb.Error as exc:
        raise WarehouseOpenError(_explain(target, exc)) from exc
    try:
        return migrate(con)
    finally:
        con.close()


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
    use_layout(con)
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def open_writable(path: str | Path) -> duckdb.DuckDBPyConnection:
    """:func:`connect` for writers (load, enrich, crawl); DuckDB errors become :class:`WarehouseOpenError`."""
    try:
        return connect(path)
    except duckdb.Error as exc:
        raise WarehouseOpenError(_explain(str(path), exc)) from exc


def _ledger_schema(con: duckdb.DuckDBPyConnection) -> str:
    """Where ``schema_migrations`` lives, qualified: ``internal`` once migration 070 moved it, else ``main``."""
    row = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        " and schema_name = 'internal' and table_name = 'schema_migrations'"
    ).fetchone()
    if row and row[0]:
        return in_schema(con, "internal")
    main = in_schema(con, "main")
    con.execute(
        f"create table if not exists {main}.schema_migrations ("
        " version integer primary key, name varchar not null, checksum varchar not null, applied_at timestamp not null)"
    )
    return main


def _apply(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    if migration.path.suffix == ".py":
        spec = importlib.util.spec_from_file_location(f"molva_migration_{migration.version:03d}", migration.path)
        if spec is None or spec.loader is None:
            raise MigrationError(f"{migration.path}: cannot be loaded as a Python module")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        upgrade = getattr(module, "upgrade", None)
        if not callable(upgrade):
            raise MigrationError(f"{migration.path}: a Python migration must define upgrade(con)")
        upgrade(con)
    else:
        con.execute(migration.path.read_text(encoding="utf-8"))


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply pending migrations in order, each in its own transaction. Returns the ones applied now.

    Migrations before 070 create unqualified tables in ``main`` (the ``search_path`` is ``main`` while the ledger is
    there); 070 moves them into their schemas, and later migrations name the schema of what they create.
    """
    ledger = _ledger_schema(con)
    done = {int(v): c for v, c in con.execute(f"select version, checksum from {ledger}.schema_migrations").fetchall()}
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
        if ledger == in_schema(con, "main"):
            con.execute("set search_path = 'main'")  # pre-070 migrations create unqualified tables in main
        else:
            use_layout(con)
        con.execute("begin transaction")
        try:
            _apply(con, migration)
            ledger = _ledger_schema(con)
            con.execute(
                f"insert into {ledger}.schema_migrations values (?, ?, ?, ?)",
                [migration.version, migration.name, migration.checksum, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("commit")
        except (duckdb.Error, MigrationError) as exc:
            con.execute("rollback")
            raise MigrationError(f"{migration.path}: {exc}") from exc
        applied.append(migration)
    use_layout(con)
    comment_columns(con)
    return applied


def comment_columns(con: duckdb.DuckDBPyConnection) -> int:
    """Refresh column comments from the docs' data dictionary when it changed since the last refresh (or a migration
    added tables); returns the columns commented now (0 when nothing changed). See :mod:`warehouse.comments`."""
    from warehouse.comments import apply_comments, read_dictionary

    dictionary = read_dictionary()
    if not dictionary.columns:
        return 0
    ledger = _ledger_schema(con)
    con.execute(
        f"create table if not exists {ledger}.schema_comments (source_hash varchar not null, commented_at timestamp)"
    )
    version = con.execute(f"select max(version) from {ledger}.schema_migrations").fetchone()
    stamp = f"{dictionary.digest}:{version[0] if version else 0}"
    if con.execute(f"select count(*) from {ledger}.schema_comments where source_hash = ?", [stamp]).fetchone() == (1,):
        return 0
    con.execute("begin transaction")
    try:
        n = apply_comments(con, dictionary=dictionary)
        con.execute(f"delete from {ledger}.schema_comments")
        con.execute(
            f"insert into {ledger}.schema_comments values (?, ?)", [stamp, datetime.now(UTC).replace(tzinfo=None)]
        )
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise
    return n

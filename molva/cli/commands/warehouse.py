"""``molva warehouse migrate | load | export | tables``: manage the DuckDB warehouse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import EXIT_PROBLEMS, ConfigOption, DbOption, console, db_path, fail

warehouse_app = typer.Typer(help="Create, load and export the DuckDB warehouse.", no_args_is_help=True)


@warehouse_app.command("migrate")
def migrate(db: DbOption = None, config: ConfigOption = None) -> None:
    """Apply pending numbered migrations (warehouse/migrations); running it twice is a no-op."""
    from warehouse.db import MigrationError, WarehouseOpenError, available_migrations, migrate_file

    path = db_path(db, config)
    try:
        applied = migrate_file(path)
    except (MigrationError, WarehouseOpenError) as exc:
        fail(str(exc))
    total = len(available_migrations())
    if applied:
        for m in applied:
            console.print(f"applied {m.version:03d}_{m.name}", highlight=False)
    console.print(f"{path}: schema at {total} migrations ({len(applied)} applied now)", highlight=False)


@warehouse_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="JSON Lines (.jsonl) or Parquet file of reviews.", show_default=False)],
    source: Annotated[str | None, typer.Option(help="Source id for rows that lack one.")] = None,
    brand: Annotated[str | None, typer.Option(help="Brand id for rows that lack one.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Rejects file. Default: FILE.rejects.jsonl")] = None,
    seen_at: Annotated[
        str | None,
        typer.Option(help="When the rows were observed (ISO 8601). Default: the file's modification time."),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Upsert reviews idempotently: new ones are inserted, edited ones versioned, bad rows written to a rejects file.

    Loading the same file twice leaves every table identical (rows are stamped with the file's modification time).
    Exit code 1 when any row was rejected (the good rows are loaded all the same).
    """
    from molva.config import PrivacyConfig
    from warehouse.loader import LoadError, load_reviews
    from warehouse.readers import detect_format, read_rows, write_rejects

    if not file.exists():
        fail(f"{file}: no such file")
    try:
        detect_format(file)
    except ValueError as exc:
        fail(str(exc), 2)
    path = db_path(db, config)
    privacy = _privacy(config) or PrivacyConfig()
    if seen_at:
        try:
            stamp = datetime.fromisoformat(seen_at)
        except ValueError:
            fail(f"--seen-at {seen_at!r} is not ISO 8601", 2)
    else:
        stamp = datetime.fromtimestamp(file.stat().st_mtime, UTC)
    from molva.privacy import SaltError
    from warehouse.db import WarehouseOpenError, open_writable

    try:
        salt = privacy.salt(where="load")
    except SaltError as exc:
        fail(str(exc))
    try:
        con = open_writable(path)
    except WarehouseOpenError as exc:
        fail(str(exc))
    try:
        result = load_reviews(
            con,
            read_rows(file),
            source_id=source,
            brand_id=brand,
            salt=salt,
            pseudonymise_authors=privacy.pseudonymise_authors,
            now=stamp,
        )
    except LoadError as exc:
        fail(f"{path}: {exc}")
    finally:
        con.close()
    console.print(
        f"{file}: {result.n_rows} rows → {result.n_new} new, {result.n_updated} updated, "
        f"{result.n_unchanged} unchanged, {result.n_stale} older than stored, "
        f"{result.n_duplicate_in_input} repeated in the file, {result.n_rejected} rejected",
        highlight=False,
    )
    if result.rejects:
        target = rejects or file.with_name(file.name + ".rejects.jsonl")
        write_rejects(target, result.rejects, file)
        for reject in result.rejects[:10]:
            console.print(f"  {file}:{reject.line}: {reject.field}: {reject.reason}", highlight=False)
        if len(result.rejects) > 10:
            console.print(f"  … {len(result.rejects) - 10} more", highlight=False)
        console.print(f"rejected rows written to {target}", highlight=False)
        raise typer.Exit(EXIT_PROBLEMS)


@warehouse_app.command("export")
def export(
    out_dir: Annotated[Path, typer.Argument(help="Folder for one Parquet file per table.", show_default=False)],
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write every warehouse table to OUT_DIR/<table>.parquet."""
    from warehouse.db import WarehouseOpenError, connect
    from warehouse.export import export_tables

    try:
        con = connect(db_path(db, config), read_only=True)
    except (FileNotFoundError, WarehouseOpenError) as exc:
        fail(str(exc))
    for table, target, rows in export_tables(con, out_dir):
        console.print(f"{table:<28} {rows:>9} rows → {target}", highlight=False)


@warehouse_app.command("tables")
def tables(db: DbOption = None, config: ConfigOption = None) -> None:
    """List the warehouse tables with their row counts."""
    from warehouse.db import WarehouseOpenError, connect
    from warehouse.export import user_tables

    try:
        con = connect(db_path(db, config), read_only=True)
    except (FileNotFoundError, WarehouseOpenError) as exc:
        fail(str(exc))
    for table in user_tables(con):
        row = con.execute(f'select count(*) from "{table}"').fetchone()
        console.print(f"{table:<28} {row[0] if row else 0:>9}", highlight=False)


def _privacy(config: Path | None):  # type: ignore[no-untyped-def]
    from molva.cli.common import config_path, load_config_or_exit

    if config is None and not config_path(None).exists():
        return None
    return load_config_or_exit(config).privacy


def register(app: typer.Typer) -> None:
    from molva.cli.commands.shell import register as register_shell

    register_shell(warehouse_app)
    app.add_typer(warehouse_app, name="warehouse")

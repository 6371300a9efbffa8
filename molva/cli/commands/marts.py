"""``molva marts build | check | list``: rebuild the DuckDB marts, verify their contracts, show their sizes."""

from __future__ import annotations

import typer
from rich.table import Table

from molva.cli.common import EXIT_PROBLEMS, ConfigOption, DbOption, config_path, console, db_path, fail

marts_app = typer.Typer(help="Build and check the staging views and mart tables (docs/marts.md).", no_args_is_help=True)


def _sentiment_model(config: ConfigOption) -> str | None:
    path = config_path(config)
    if config is None and not path.exists():
        return None
    from molva.cli.common import load_config_or_exit

    return str(load_config_or_exit(config).nlp.sentiment_model)


def _timezone(config: ConfigOption) -> str:
    """The config's project.timezone, where the marts cut days, weeks and months (UTC without a config)."""
    if config is None and not config_path(config).exists():
        return "UTC"
    from molva.cli.common import load_config_or_exit

    return str(load_config_or_exit(config).project.timezone)


@marts_app.command("build")
def build(db: DbOption = None, config: ConfigOption = None, check: bool = typer.Option(True, help="Check contracts.")):
    """Rebuild every staging view and mart table in one transaction (same data → identical tables).

    Exit code 1 when a mart breaks its contract.
    """
    from warehouse.db import connect
    from warehouse.marts import MartBuildError, build_marts, check_contracts

    path = db_path(db, config)
    con = connect(path)
    try:
        result = build_marts(con, sentiment_model=_sentiment_model(config), timezone=_timezone(config))
        violations = check_contracts(con) if check else []
    except MartBuildError as exc:
        fail(str(exc))
    finally:
        con.close()
    table = Table(title=f"marts in {path} ({result.seconds:.2f} s)")
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    for v in violations:
        console.print(f"[red]contract[/red] {v}", highlight=False)
    if violations:
        raise typer.Exit(EXIT_PROBLEMS)


@marts_app.command("check")
def check(db: DbOption = None, config: ConfigOption = None) -> None:
    """Check the built marts against their contracts (unique key, not-null, accepted values, ranges)."""
    from warehouse.db import connect
    from warehouse.marts import check_contracts

    con = connect(db_path(db, config))
    try:
        violations = check_contracts(con)
    finally:
        con.close()
    for v in violations:
        console.print(f"[red]contract[/red] {v}", highlight=False)
    if violations:
        raise typer.Exit(EXIT_PROBLEMS)
    console.print("all mart contracts hold")


@marts_app.command("list")
def list_marts(db: DbOption = None, config: ConfigOption = None) -> None:
    """The SQL models in build order with their kind and, for built tables, their row counts."""
    from warehouse.db import connect
    from warehouse.marts import discover_models

    con = connect(db_path(db, config), read_only=False)
    try:
        existing = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        table = Table(title="SQL models (warehouse/sql)")
        for column in ("model", "kind", "rows"):
            table.add_column(column)
        for model in discover_models():
            rows = ""
            if model.kind == "table" and model.name in existing:
                rows = f"{con.execute(f'select count(*) from {model.name}').fetchone()[0]:,}"  # type: ignore[index]
            table.add_row(model.name, model.kind, rows)
    finally:
        con.close()
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(marts_app, name="marts")

"""Small helpers the subcommands share: consoles, the config/database options and exit codes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

console = Console(soft_wrap=True)
err_console = Console(stderr=True)

# Exit codes scripts can rely on.
EXIT_OK = 0
EXIT_PROBLEMS = 1  # the input had problems (invalid config, rejected rows) — the command still did what it could
EXIT_USAGE = 2  # bad invocation (Typer/Click use 2 as well)

DEFAULT_CONFIG = "configs/demo.yaml"

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help=f"Deployment config (YAML). Default: $MOLVA_CONFIG, else {DEFAULT_CONFIG}.",
        show_default=False,
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB warehouse file. Default: the config's warehouse.path.", show_default=False),
]


def config_path(config: Path | None) -> Path:
    return config or Path(os.environ.get("MOLVA_CONFIG", DEFAULT_CONFIG))


def load_config_or_exit(config: Path | None):  # type: ignore[no-untyped-def]
    """Load and validate the config, printing every problem and exiting 1 when it is invalid."""
    from molva.config import ConfigError, load_config

    path = config_path(config)
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(f"[red]error[/red] {problem}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_PROBLEMS) from None


def db_path(db: Path | None, config: Path | None) -> Path:
    """``--db`` when given; else the config's warehouse path (when a config exists); else ``data/molva.duckdb``."""
    if db is not None:
        return db
    path = config_path(config)
    if config is not None or path.exists():
        return Path(load_config_or_exit(config).warehouse.path)
    return Path("data/molva.duckdb")


def fail(message: str, code: int = EXIT_PROBLEMS) -> NoReturn:
    err_console.print(f"[red]error[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A transient rich progress bar; yields the ``progress(done, total)`` callback the batch functions accept."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)

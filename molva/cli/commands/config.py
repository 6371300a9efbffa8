"""``molva config check FILE``: validate a deployment config and list every problem with file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import EXIT_PROBLEMS, console, err_console

config_app = typer.Typer(help="Validate deployment configs (configs/*.yaml).", no_args_is_help=True)


@config_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Config files to validate.", show_default=False)],
) -> None:
    """Exit 0 when every file is valid; otherwise print each problem as FILE:LINE: FIELD: MESSAGE and exit 1."""
    from molva.config import ConfigError, load_config

    bad = 0
    for path in files:
        try:
            config = load_config(path)
        except ConfigError as exc:
            bad += 1
            for problem in exc.problems:
                err_console.print(f"[red]error[/red] {problem}", highlight=False, soft_wrap=True)
            continue
        enabled = sum(s.enabled for s in config.sources)
        console.print(
            f"[green]ok[/green] {path}: {len(config.brands)} brands, {len(config.sources)} sources "
            f"({enabled} enabled), own brand {config.own_brand.id!r}",
            highlight=False,
        )
    if bad:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")

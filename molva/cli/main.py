"""Entry point of the ``molva`` console script.

Subcommands live one per module in :mod:`molva.cli.commands`; each module exposes ``register(app)``. Discovery keeps
this file stable while commands are added, and imports stay lazy inside each command so ``molva --help`` is fast.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from molva.cli import commands

app = typer.Typer(
    name="molva",
    help=(
        "Molva: review and social-media mining for CX teams. Crawl reviews, enrich them with sentiment and topics, "
        "build DuckDB marts and weekly digests. Run `molva COMMAND --help` for details."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:  # pragma: no cover - thin wrapper for the console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

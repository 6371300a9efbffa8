"""Each module here defines ``register(app: typer.Typer) -> None`` and is discovered by :mod:`molva.cli.main`."""

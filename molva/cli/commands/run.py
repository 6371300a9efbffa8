"""``molva run``: the main job — nightly then weekly_digest on one config, offline for the demo.

When the config's sources point at the demo server (``http://127.0.0.1:8765``), the bundled corpus is served on
127.0.0.1 for the duration of the run (on another free port if 8765 is taken) and crawled by the real spiders.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import typer

from molva.cli.common import EXIT_PROBLEMS, ConfigOption, config_path, console, err_console, load_config_or_exit


def offline_prefect() -> None:
    """Keep Prefect's temporary local API from phoning home (its server telemetry): Molva talks only to 127.0.0.1.

    Must run before Prefect is imported; an explicit setting in the environment wins.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _run_flows(
    config_file: str, *, enrich: bool, digest: bool, lang: str | None, quiet: bool
) -> tuple[dict, dict | None, str]:
    from flows.nightly import nightly, run_flow
    from flows.weekly import DigestUnavailable, weekly_digest

    summary: dict[str, Any] = run_flow(
        nightly, config_path=config_file, enrich=enrich, crawl_retries=1, retry_delay=2.0, quiet=quiet
    )
    if not digest:
        return summary, None, "skipped (--no-digest)"
    try:
        return summary, weekly_digest(config_path=config_file, lang=lang), ""
    except DigestUnavailable as exc:
        return summary, None, str(exc)


def register(app: typer.Typer) -> None:
    _register_backfill(app)

    @app.command("run")
    def run(
        config: ConfigOption = None,
        port: int = typer.Option(8765, help="Preferred port of the demo server (any free one when taken)."),
        enrich: bool = typer.Option(True, help="Run sentiment, duplicate and topic enrichment (needs the models)."),
        digest: bool = typer.Option(True, help="Render the weekly digest after the nightly run."),
        lang: str | None = typer.Option(None, help="Digest language (ru|en); default: the config's digest.language."),
        delay: float = typer.Option(0.05, help="Download delay for the loopback demo server, seconds."),
        quiet: bool = typer.Option(False, help="Skip the nightly summary tables."),
    ) -> None:
        """Run the nightly flow then the weekly digest; print where the warehouse and the digest are.

        With configs/demo.yaml this is fully offline: a local server on 127.0.0.1 serves the bundled demo corpus.
        Exit code 1 when the nightly run failed or was partial.
        """
        from molva.demo.runconfig import CONFIG_ROOT, demo_run_config

        offline_prefect()
        started = time.perf_counter()
        path = config_path(config)
        cfg = load_config_or_exit(config)
        is_demo = CONFIG_ROOT in path.read_text(encoding="utf-8")
        server = None
        config_file = str(path)
        if is_demo:
            from molva.demo.server import DemoServer

            server = DemoServer(port=port).start()
            run_config = Path(cfg.warehouse.path).parent / "demo-run-config.yaml"
            config_file = str(
                demo_run_config(path, server.base_url, run_config, crawl_overrides={"download_delay": delay})
            )
            console.print(
                f"demo corpus served at {server.base_url} (dates shifted by {server.shift_days} days); "
                f"run config {config_file}",
                highlight=False,
            )
        try:
            summary, rendered, why = _run_flows(config_file, enrich=enrich, digest=digest, lang=lang, quiet=quiet)
        finally:
            if server is not None:
                server.stop()
        console.print(f"\n[bold]warehouse[/bold]: {Path(summary['db_path']).resolve()}", highlight=False)
        if rendered:
            for item in rendered.get("digest", []):
                console.print(f"[bold]digest[/bold]: {Path(item).resolve()}", highlight=False)
        else:
            err_console.print(f"[yellow]digest not rendered[/yellow]: {why}", highlight=False)
        console.print(f"done in {time.perf_counter() - started:.0f} s ({summary['status']})", highlight=False)
        if summary["status"] != "success":
            raise typer.Exit(EXIT_PROBLEMS)


def _register_backfill(app: typer.Typer) -> None:
    @app.command("backfill")
    def backfill_command(
        start: str = typer.Option(..., help="First day of the range (YYYY-MM-DD, UTC)."),
        end: str = typer.Option(..., help="Last day of the range (YYYY-MM-DD, UTC), inclusive."),
        config: ConfigOption = None,
        source: list[str] = typer.Option(None, "--source", "-s", help="Only these source ids (repeatable)."),
        enrich: bool = typer.Option(True, help="Run the enrichment steps after the crawl."),
    ) -> None:
        """Re-crawl fully, enrich, rebuild marts and count the reviews published in [START, END] per source.

        Exit code 1 when the run was partial or failed.
        """
        from datetime import date

        offline_prefect()
        from flows.backfill import backfill
        from flows.nightly import run_flow

        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            err_console.print(f"[red]error[/red] --start/--end must be YYYY-MM-DD: {exc}", highlight=False)
            raise typer.Exit(2) from None
        load_config_or_exit(config)
        summary = run_flow(
            backfill, start=first, end=last, config_path=str(config_path(config)), sources=source or None, enrich=enrich
        )
        if summary["status"] != "success":
            raise typer.Exit(EXIT_PROBLEMS)

"""``molva serve``: serve the nightly and weekly flows on their cron schedules (from the config, timezone-aware)."""

from __future__ import annotations

import typer

from molva.cli.common import ConfigOption, config_path, console, load_config_or_exit


def deployments(config_file: str, config: object) -> list:  # type: ignore[type-arg]
    """The nightly and weekly_digest deployments with the config's schedules and parameters."""
    from prefect.schedules import Cron

    from flows.nightly import nightly
    from flows.weekly import weekly_digest

    schedule = config.schedule  # type: ignore[attr-defined]
    tz = schedule.timezone
    return [
        nightly.to_deployment(
            name="molva-nightly",
            schedule=Cron(schedule.nightly, timezone=tz),
            parameters={"config_path": config_file},
            description="Crawl, load, enrich, rebuild marts and check data quality.",
            tags=["molva"],
        ),
        weekly_digest.to_deployment(
            name="molva-weekly-digest",
            schedule=Cron(schedule.weekly, timezone=tz),
            parameters={"config_path": config_file, "send": bool(config.digest.recipients)},  # type: ignore[attr-defined]
            description="Render the weekly digest from the marts (and e-mail it when recipients are configured).",
            tags=["molva"],
        ),
    ]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        config: ConfigOption = None,
        limit: int = typer.Option(1, help="Flow runs executed at the same time (DuckDB has one writer)."),
    ) -> None:
        """Serve the flows on their cron schedules until Ctrl-C (Prefect's local API; `prefect server start` to watch).

        Schedules and their time zone come from the config's `schedule:` section; each run gets the config path as
        its parameter. For a Prefect server with work pools, use `prefect deploy` with prefect.yaml instead.
        """
        from molva.cli.commands.run import offline_prefect

        offline_prefect()
        from prefect import serve as prefect_serve

        path = config_path(config)
        cfg = load_config_or_exit(config)
        s = cfg.schedule
        console.print(
            f"serving molva-nightly ({s.nightly}) and molva-weekly-digest ({s.weekly}) in {s.timezone} for {path}",
            highlight=False,
        )
        prefect_serve(*deployments(str(path), cfg), limit=limit)

"""``molva digest``: render the weekly reputation digest (HTML, PDF, Markdown) and optionally e-mail it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import EXIT_PROBLEMS, EXIT_USAGE, ConfigOption, DbOption, config_path, console, fail


def digest(
    week: Annotated[
        str | None, typer.Option("--week", help="ISO week, e.g. 2026-W47. Default: the last complete week in the data.")
    ] = None,
    brand: Annotated[
        str | None, typer.Option("--brand", help="Brand id. Default: the config's digest.brand, else the own brand.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="ru or en. Default: the config's digest.language.", show_default=False)
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="html, pdf or md; repeat or comma-separate for several. Default: html.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder. Default: the config's digest.out_dir.")
    ] = None,
    send: Annotated[bool, typer.Option("--send", help="E-mail it (SMTP from MOLVA_SMTP_* variables).")] = False,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="Recipient; repeat for several. Default: the config's digest.recipients."),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Render the weekly reputation digest of a brand from the marts: reports/digest-<brand>-<week>-<lang>.<ext>.

    It opens with the verdict (rating trend, rank, main driver, owner, action). Each chart and table names the saved
    SQL query behind it; the queries are written beside the digest. --send mails the e-mail rendering (inlined CSS,
    PNG charts); set digest.base_url in the config to link the SQL files from it.
    """
    from molva.cli.common import db_path, load_config_or_exit
    from molva.digest.render import DigestError, render_digest

    cfg = load_config_or_exit(config) if (config is not None or config_path(None).exists()) else None
    language = lang or (cfg.digest.language if cfg else "ru")
    if language not in ("ru", "en"):
        fail(f"--lang must be ru or en, not {language!r}", EXIT_USAGE)
    wanted = [part.strip() for f in (formats or ["html"]) for part in f.split(",") if part.strip()]
    bad = [f for f in wanted if f not in ("html", "pdf", "md")]
    if bad:
        fail(f"--format must be html, pdf or md (got {', '.join(bad)})", EXIT_USAGE)
    out_dir = out or Path(cfg.digest.out_dir if cfg else "reports")
    warehouse = db_path(db, config)
    try:
        result = render_digest(
            warehouse, brand_id=brand, week=week, lang=language, formats=wanted, out_dir=out_dir, config=cfg
        )
    except DigestError as exc:
        fail(str(exc), EXIT_PROBLEMS)
    for fmt, path in result.paths.items():
        console.print(f"{fmt}: {path}", highlight=False)
    console.print(f"queries: {result.queries_dir}/", highlight=False)
    c = result.counts
    console.print(
        f"{result.brand_name}, {result.week} ({result.lang}): {c['n_items']} items, {c['n_rising']} rising complaints, "
        f"{c['n_alerts']} alerts, {c['n_recommendations']} recommendations, {c['n_quotes']} quotes",
        highlight=False,
    )
    if send:
        _send(result, to or (cfg.digest.recipients if cfg else []))


def _send(result, recipients: list[str]) -> None:  # type: ignore[no-untyped-def]
    import smtplib

    from molva.digest.send import SmtpConfigError, send_digest

    if not recipients:
        fail("--send needs recipients: --to ADDRESS or digest.recipients in the config", EXIT_USAGE)
    try:
        send_digest(result, recipients)
    except SmtpConfigError as exc:
        fail(str(exc), EXIT_PROBLEMS)
    except (OSError, smtplib.SMTPException) as exc:
        fail(f"sending the digest failed: {exc}", EXIT_PROBLEMS)
    console.print(f"sent to {', '.join(recipients)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)

"""``molva surveys import | indices | drivers | topics``: survey feedback next to the reviews."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer

from molva.cli.common import EXIT_PROBLEMS, ConfigOption, DbOption, console, db_path, fail

surveys_app = typer.Typer(
    help="Import NPS / CSAT / CES / CSI survey exports and compute the CX indices and their drivers.",
    no_args_is_help=True,
)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


@surveys_app.command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="Survey export: CSV (UTF-8 or cp1251, comma, semicolon or tab; others via the mapping) or XLSX.",
            show_default=False,
        ),
    ],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="Mapping YAML (see configs/survey.yaml).")] = Path(
        "configs/survey.yaml"
    ),
    rejects: Annotated[
        Path | None,
        typer.Option(help="Write every rejected/coerced/replaced row here (CSV). Default: FILE.rejects.csv"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report; store nothing.")] = False,
    max_shown: Annotated[int, typer.Option(help="Issues printed (all of them go to the rejects file).")] = 50,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Import one export in a single transaction; re-importing the same file changes nothing.

    Every rejected row (blank id, no valid answer, duplicate respondent), coerced value (out of scale, not a number,
    unreadable date: stored as null) and replaced respondent is listed with its line and reason. Exit code 1 when
    there was any such issue (the valid rows are imported all the same).
    """
    from rich.table import Table

    from warehouse.db import connect
    from warehouse.surveys.importer import import_survey
    from warehouse.surveys.mapping import MappingError, load_mapping
    from warehouse.surveys.readers import ReadError

    try:
        spec = load_mapping(mapping)
    except MappingError as exc:
        fail(str(exc))
    salt = None
    if spec.pseudonymise_respondent_id:
        from molva.cli.common import config_path, load_config_or_exit
        from molva.config import PrivacyConfig

        has_config = config is not None or config_path(config).exists()
        salt = (load_config_or_exit(config).privacy if has_config else PrivacyConfig()).salt()
    con = connect(db_path(db, config))
    try:
        result = import_survey(con, file, spec, dry_run=dry_run, salt=salt)
    except ReadError as exc:
        fail(str(exc))
    finally:
        con.close()
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{file}: {verb} survey {result.survey_id!r} ({result.encoding or 'xlsx'}"
        f"{', delimiter ' + repr(result.delimiter) if result.delimiter else ''}): {result.n_rows} rows, "
        f"{result.n_new} new, {result.n_updated} updated, {result.n_unchanged} unchanged, "
        f"{result.n_rejected} rejected, {result.n_coerced} with dropped values",
        highlight=False,
    )
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
    if not result.issues:
        return
    shown = result.issues[:max_shown]
    table = Table(title=f"Rows rejected, coerced or replaced ({len(shown)} of {len(result.issues)} shown)")
    for col in ("line", "field", "value", "action", "reason"):
        table.add_column(col)
    for i in shown:
        table.add_row(str(i.line_no), i.field or "", i.value or "", i.action, i.reason)
    console.print(table)
    out = rejects or file.with_name(file.name + ".rejects.csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "field", "value", "action", "reason"])
        writer.writerows([i.line_no, i.field, i.value, i.action, i.reason] for i in result.issues)
    console.print(f"issues written to {out}", highlight=False)
    raise typer.Exit(EXIT_PROBLEMS)


BuildOption = Annotated[
    bool,
    typer.Option(
        "--build/--no-build",
        help="Rebuild the marts first (all of them, one transaction), so the figures reflect the warehouse now. "
        "--no-build reads the marts as last built (building them only when missing).",
    ),
]


def _open_with_marts(db: Path | None, config: Path | None, build: bool) -> Any:
    """A warehouse connection with the survey marts built (when asked or missing); exits 1 on a build error."""
    from molva.cli.commands.marts import _sentiment_model, _timezone
    from warehouse.db import connect
    from warehouse.marts import MartBuildError
    from warehouse.surveys.report import ensure_survey_marts

    con = connect(db_path(db, config))
    try:
        ensure_survey_marts(con, rebuild=build, sentiment_model=_sentiment_model(config), timezone=_timezone(config))
    except MartBuildError as exc:
        con.close()
        fail(str(exc))
    return con


@surveys_app.command("indices")
def indices_cmd(
    by: Annotated[str, typer.Option(help="Dimension: all | segment | channel | touchpoint.")] = "all",
    period: Annotated[str, typer.Option(help="Period: all | day | week | month | quarter | year.")] = "all",
    survey: Annotated[str | None, typer.Option(help="Only this survey id.")] = None,
    build: BuildOption = True,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Print NPS (with 95% CI), CSAT, CES, NSAT, CD-SAT and CSI per group from mart_survey_indices; formulas in
    docs/metrics.md.

    By touchpoint the NPS is the transactional NPS (tNPS) of each touchpoint.
    """
    from rich.table import Table

    from warehouse.surveys.report import DIMENSIONS, PERIODS, read_indices

    if by not in DIMENSIONS:
        fail(f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}", 2)
    if period not in PERIODS:
        fail(f"unknown period {period!r}; use one of {', '.join(PERIODS)}", 2)
    con = _open_with_marts(db, config, build)
    try:
        rows = read_indices(con, survey_id=survey, dimension=by, period=period)
    finally:
        con.close()
    if not rows:
        console.print("no survey responses in the warehouse (run `molva surveys import` first)")
        return
    table = Table(title=f"Survey indices by {by}, period {period}")
    columns = ["survey", "period", by, "n", "NPS", "NPS 95% CI", "CSAT %", "CSAT mean", "CES mean", "CES easy %"]
    for col in [*columns, "NSAT", "CD-SAT %", "CSI"]:
        table.add_column(col, justify="left" if col in {"survey", by} else "right")
    for r in rows:
        ci = f"{_fmt(r.nps.ci_low)}…{_fmt(r.nps.ci_high)}" if r.nps.nps is not None else "–"
        table.add_row(
            r.survey_id,
            str(r.period_start) if r.period_start else ("all" if period == "all" else "undated"),
            (r.value or "(none)") if by != "all" else "all",
            str(r.n),
            _fmt(r.nps.nps),
            ci,
            _fmt(r.csat.share),
            _fmt(r.csat.mean, 2),
            _fmt(r.ces.mean, 2),
            _fmt(r.ces.share),
            _fmt(r.nsat),
            _fmt(r.cdsat),
            _fmt(r.csi),
        )
    console.print(table)


@surveys_app.command("drivers")
def drivers_cmd(
    survey: Annotated[str, typer.Option(help="Survey id (the mapping's survey_id).")],
    target: Annotated[str, typer.Option(help="Outcome to explain: nps | csat.")] = "nps",
    min_topic_mentions: Annotated[int, typer.Option(help="Topics mentioned by fewer respondents are left out.")] = 3,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Shapley value regression of NPS or CSAT on CSI factors and open-text topics; stores and prints "fix first"."""
    from rich.table import Table

    from warehouse.db import connect
    from warehouse.surveys.drivers import run_driver_analysis

    if target not in {"nps", "csat"}:
        fail("--target must be nps or csat", 2)
    con = connect(db_path(db, config))
    try:
        result = run_driver_analysis(con, survey, target, min_topic_mentions=min_topic_mentions)  # type: ignore[arg-type]
    except ValueError as exc:
        fail(str(exc))
    finally:
        con.close()
    table = Table(title=f"Drivers of {target.upper()} in {survey}: R² = {result.r2:.3f}, n = {result.n_respondents}")
    for col in ("driver", "kind", "importance (R²)", "share %", "effect", "performance", "fix rank"):
        table.add_column(col)
    for d in result.drivers:
        effect = "+" if d.direction > 0 else "−" if d.direction < 0 else "0"
        table.add_row(
            d.driver,
            d.kind,
            f"{d.importance:.3f}",
            f"{100 * d.share_importance:.1f}",
            effect,
            f"{d.performance:.2f}",
            str(d.fix_rank or ""),
        )
    console.print(table)
    fix = result.fix_first()
    if fix:
        console.print("Fix first: " + ", ".join(f"{d.fix_rank}. {d.driver} ({d.kind})" for d in fix), highlight=False)
    else:
        console.print("No fix candidates: no under-performing factor or negative topic carries importance.")


def _sentiment_predictor(model: str | None, config: Path | None) -> tuple[Any, str]:
    """The review sentiment model's ``predict`` and name (from the config's ``nlp`` unless ``model`` is given)."""
    from molva.cli.common import config_path, load_config_or_exit
    from nlp.sentiment.registry import load_sentiment_model

    if model is None and (config is not None or config_path(config).exists()):
        nlp = load_config_or_exit(config).nlp
        loaded = load_sentiment_model(nlp.sentiment_model, device=nlp.device, batch_size=nlp.batch_size)
    else:
        loaded = load_sentiment_model(model)
    return loaded.predict, str(loaded.name)


def _topic_tagger(taxonomy: Path | None, config: Path | None) -> Any:
    """Tag texts with the review taxonomy, sentence by sentence as reviews are (``nlp.topics.tag.tag_frame``)."""
    import pandas as pd

    from molva.cli.common import config_path, load_config_or_exit
    from nlp.topics.assign import TopicAssigner
    from nlp.topics.embedder import get_embedder
    from nlp.topics.tag import tag_frame
    from nlp.topics.taxonomy import load_taxonomy

    if taxonomy is None and (config is not None or config_path(config).exists()):
        taxonomy = Path(load_config_or_exit(config).topics.taxonomy)
    assigner = TopicAssigner(load_taxonomy(taxonomy), get_embedder())

    def tag(texts: list[str]) -> list[list[str]]:
        tagged, _ = tag_frame(pd.DataFrame({"text": texts}), "text", assigner)
        return [list(t) for t in tagged["topics"]]

    return tag


@surveys_app.command("tag")
def tag_cmd(
    survey: Annotated[str | None, typer.Option(help="Only this survey id.")] = None,
    sentiment: Annotated[bool, typer.Option(help="Classify sentiment with the review sentiment model.")] = True,
    topics: Annotated[bool, typer.Option(help="Tag topics with the review taxonomy.")] = True,
    model: Annotated[
        str | None, typer.Option(help="Sentiment model. Default: the config's nlp.sentiment_model.")
    ] = None,
    taxonomy: Annotated[
        Path | None, typer.Option(help="Topic taxonomy. Default: the config's topics.taxonomy.")
    ] = None,
    retag: Annotated[bool, typer.Option(help="Tag every open answer again, not only untagged ones.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Tag open-text answers with the same sentiment model and topic taxonomy as the reviews."""
    from warehouse.db import connect
    from warehouse.surveys.tagging import tag_open_answers

    try:
        predict, name = _sentiment_predictor(model, config) if sentiment else (None, "none")
    except (ImportError, OSError, ValueError) as exc:  # OSError covers a model directory that is not there
        fail(f"sentiment model not available: {exc} (tag topics only with --no-sentiment)")
    try:
        tagger = _topic_tagger(taxonomy, config) if topics else None
    except (ImportError, OSError, ValueError) as exc:
        fail(f"topic tagger not available: {exc} (tag sentiment only with --no-topics)")
    con = connect(db_path(db, config))
    try:
        result = tag_open_answers(con, predict, tagger, model_name=name, survey_id=survey, retag=retag)
    finally:
        con.close()
    console.print(
        f"{result.n_answers} open answers: {result.n_sentiment} sentiment labels ({name}), "
        f"{result.n_topic_rows} topic tags",
        highlight=False,
    )


@surveys_app.command("topics")
def topics_cmd(
    survey: Annotated[str | None, typer.Option(help="Only this survey id.")] = None,
    build: BuildOption = True,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Topics of open answers by NPS segment from mart_survey_topics_nps: what detractors talk about that promoters
    don't (largest gap first)."""
    from rich.table import Table

    from warehouse.surveys.tagging import topics_by_nps_segment

    con = _open_with_marts(db, config, build)
    try:
        rows = topics_by_nps_segment(con, survey)
    finally:
        con.close()
    if not rows:
        console.print("no tagged open answers yet")
        return
    table = Table(title="Topics × NPS segment (% of each segment's text answers)")
    for col in ("survey", "topic", "detractors %", "passives %", "promoters %", "gap (D − P)"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.survey_id,
            r.topic_id,
            _fmt(r.share_detractors),
            _fmt(r.share_passives),
            _fmt(r.share_promoters),
            _fmt(r.gap),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(surveys_app, name="surveys")

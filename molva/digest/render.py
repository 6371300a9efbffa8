"""Render the weekly reputation digest of one brand and ISO week from the marts: HTML, PDF and Markdown.

This is the interface the weekly flow calls (documented in docs/digest.md): :func:`render_digest` resolves the brand
and week, runs the saved queries, lays the sections out with the Jinja2 templates and writes the files plus the
queries behind every figure; :class:`DigestResult` carries what :func:`molva.digest.send.send_digest` mails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from molva.digest import competition, sections, signals, verdict
from molva.digest.fmt import Formatter
from molva.digest.i18n import Translator
from molva.digest.links import join_url
from molva.digest.mail import render_email
from molva.digest.queries import QueryLog
from molva.digest.quotes import QUOTE_MAX

if TYPE_CHECKING:
    from molva.config import MolvaConfig

FORMATS = ("html", "pdf", "md")
LANGS = ("ru", "en")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class DigestError(ValueError):
    """The digest cannot be rendered: no marts, unknown brand, a week without data, or a bad argument."""


@dataclass
class DigestResult:
    """What :func:`render_digest` produced."""

    brand_id: str
    brand_name: str
    week: str
    lang: str
    paths: dict[str, Path]
    queries_dir: Path
    subject: str
    html: str
    text: str
    counts: dict[str, int] = field(default_factory=dict)
    email_html: str = ""
    images: dict[str, bytes] = field(default_factory=dict)  # Content-ID -> PNG, referenced as cid: by email_html
    preview: str = ""


def parse_iso_week(week: str) -> date:
    """The Monday of an ISO week label such as ``2026-W47``."""
    match = _ISO_WEEK.match(week.strip())
    if not match:
        raise DigestError(f"--week {week!r} is not an ISO week like 2026-W47")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise DigestError(f"--week {week!r}: {exc}") from None


def iso_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_complete_week(last_day: date) -> date:
    """Monday of the last complete ISO week on or before ``last_day`` (its own week when it is a Sunday)."""
    monday = last_day - timedelta(days=last_day.weekday())
    return monday if last_day.weekday() == 6 else monday - timedelta(weeks=1)


def render_digest(
    db_path: Path,
    *,
    brand_id: str | None = None,
    week: str | None = None,
    lang: str = "ru",
    formats: Sequence[str] = ("html",),
    out_dir: Path = Path("reports"),
    config: MolvaConfig | None = None,
) -> DigestResult:
    """Render the digest of ``brand_id`` for ISO ``week`` in ``lang`` into ``out_dir`` in each of ``formats``."""
    if lang not in LANGS:
        raise DigestError(f"language {lang!r} is not supported (use ru or en)")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise DigestError(f"format(s) {', '.join(bad) or '(none)'} not supported (use {', '.join(FORMATS)})")
    from warehouse.db import connect

    try:
        con = connect(Path(db_path), read_only=True)
    except FileNotFoundError as exc:
        raise DigestError(str(exc)) from None
    try:
        context, log = _build(con, brand_id=brand_id, week=week, lang=lang, config=config)
        return _write(context, log, formats=formats, out_dir=Path(out_dir))
    finally:
        con.close()


def _build(
    con: Any, *, brand_id: str | None, week: str | None, lang: str, config: MolvaConfig | None
) -> tuple[dict[str, Any], QueryLog]:
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    missing = [m for m in ("mart_brand_period", "mart_topics_weekly", "mart_competitors", "mart_impact",
                           "mart_topic_evidence", "mart_source_health") if m not in tables]  # fmt: skip
    if missing:
        raise DigestError(f"the warehouse has no {', '.join(missing)}: build the marts first (`molva marts build`)")
    log = QueryLog(con)
    brands = log.rows("brands")
    if not brands:
        raise DigestError("the marts hold no data yet (mart_brand_period is empty): crawl and build the marts first")
    names = {b["brand_id"]: (b[f"brand_name_{lang}"] or b["brand_name_en"]) for b in brands}
    if config is not None:
        for b in config.brands:
            names.setdefault(b.id, (b.names.ru or b.names.en) if lang == "ru" else b.names.en)
    own = next((b["brand_id"] for b in brands if b["is_own"]), None)
    chosen = brand_id or (config.digest.brand if config else None) or (config.own_brand.id if config else None) or own
    if chosen not in {b["brand_id"] for b in brands}:
        raise DigestError(f"brand {chosen!r} has no data in the marts (brands with data: {', '.join(names)})")
    assert chosen is not None
    weeks = log.rows("weeks_available", brand_id=chosen)
    if week is None:
        last_day = weeks[-1]["last_data_day"]
        monday = last_complete_week(last_day)
        with_data = [w["week_start"] for w in weeks if w["week_start"] <= monday]
        if not with_data:
            raise DigestError(f"no complete week of data for {chosen!r} yet (data ends {last_day})")
        monday = with_data[-1]
    else:
        monday = parse_iso_week(week)
        if monday not in {w["week_start"] for w in weeks}:
            span = f"{weeks[0]['iso_week']} … {weeks[-1]['iso_week']}" if weeks else "none"
            raise DigestError(f"no data for brand {chosen!r} in {iso_label(monday)} (weeks with data: {span})")
    scope = sections.Scope(
        brand_id=chosen,
        brand_name=names[chosen],
        is_own=chosen == own,
        own_brand_id=own,
        week_start=monday,
        iso_week=iso_label(monday),
        lang=lang,
        brand_names=names,
    )
    first_week = weeks[0]["week_start"]
    quotes = log.rows("quotes", brand_id=chosen, week_start=monday)
    coverage, coverage_rows = signals.coverage(log, scope)
    headline = sections.headline(log, scope)
    if "mart_survey_vs_reviews" in tables:  # optional: warehouses without the survey part still render
        headline["surveys"] = sections.survey_check(log, scope)
        headline["queries"].append("survey_check")
    # emerging topics pick their quote first: it is all that says what an unnamed new topic is about
    emerging = signals.emerging(log, scope, quotes)
    context: dict[str, Any] = {
        "scope": scope,
        "headline": headline,
        "trends": sections.trends(log, scope, first_week),
        "topics": sections.topics(log, scope, first_week, quotes),
        "competition": competition.competition(log, scope),
        "emerging": emerging,
        "alerts": signals.alerts(log, scope, coverage_rows),
        "recommendations": signals.recommendations(log, scope, quotes),
        "coverage": coverage,
        "base_url": config.digest.base_url if config is not None else None,
    }
    context["brief"] = verdict.brief(log, scope, context["recommendations"], context["topics"])
    return context, log


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from molva.digest.charts import text_sparkline
    from molva.digest.links import safe_url
    from molva.digest.quotes import markdown_escape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    env.filters["safeurl"] = safe_url
    env.filters["textspark"] = text_sparkline
    return env


def _write(context: dict[str, Any], log: QueryLog, *, formats: Sequence[str], out_dir: Path) -> DigestResult:
    scope: sections.Scope = context["scope"]
    t, f = Translator(scope.lang), Formatter(scope.lang)
    # the language is in every name, so ru and en renderings sit side by side in one folder
    stem = f"digest-{scope.brand_id}-{scope.iso_week}-{scope.lang}"
    queries_dir = out_dir / f"{stem}-sql"
    brief = context["brief"]
    subject = f"{brief['subject']} · {t('title')} {scope.iso_week}"
    base_url = context.get("base_url")
    week_end = scope.week_start + timedelta(days=6)
    env = _environment()
    common = {
        **context,
        "t": t,
        "f": f,
        "subject": subject,
        "period": f.date_range(scope.week_start, week_end),
        "generated": f.date(datetime.now(UTC)),
        "queries_dir": queries_dir.name,
        "quote_max": QUOTE_MAX,
        "definitions": t.definitions(),
        "sql_url": lambda name: join_url(base_url, queries_dir.name, f"{name}.sql"),
    }
    html = env.get_template("digest.html.j2").render(**common, pdf=False)
    text = env.get_template("digest.txt.j2").render(**common)
    mail = render_email(env, common, base_url=base_url, queries_dir=queries_dir.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "html":
            path.write_text(html, encoding="utf-8")
        elif fmt == "md":
            path.write_text(env.get_template("digest.md.j2").render(**common), encoding="utf-8")
        elif fmt == "pdf":
            from molva.digest.pdf import write_pdf

            write_pdf(env.get_template("digest.html.j2").render(**common, pdf=True), path, base_dir=out_dir)
        paths[fmt] = path
    log.write(queries_dir, header=f'{subject} ({scope.lang}); run it with `molva sql "$(cat FILE)"`')
    topics = context["topics"]
    counts = {
        "n_items": int(context["headline"]["n_items"]),
        "n_rising": len(topics["rising"]),
        "n_praise": len(topics["praise"]),
        "n_emerging": len(context["emerging"]["items"]),
        "n_alerts": len(context["alerts"]["items"]),
        "n_recommendations": len(context["recommendations"]["items"]),
        "n_quotes": sum(len(i["quotes"]) for i in [*topics["rising"], *topics["praise"]]),
        "n_queries": len(log.runs),
    }
    return DigestResult(
        brand_id=scope.brand_id,
        brand_name=scope.brand_name,
        week=scope.iso_week,
        lang=scope.lang,
        paths=paths,
        queries_dir=queries_dir,
        subject=subject,
        html=html,
        text=text,
        counts=counts,
        email_html=mail.html,
        images=mail.images,
        preview=mail.preview,
    )

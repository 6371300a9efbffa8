"""Which schema of the warehouse holds which table: the one mapping behind migration 070, the mart build and the
``search_path`` every connection gets (see docs/warehouse.md, "Schemas").

- ``raw``: what crawlers, loaders, survey imports and the config sync write (the inputs);
- ``enriched``: what ``molva enrich`` and the survey tagging/driver steps compute from raw rows;
- ``staging``: the ``stg_*`` and ``int_*`` views (and the SQL macros they share), rebuilt by every mart build;
- ``marts``: the ``mart_*`` tables analysts and the digest read, and the digest's own ``digest_recommendations``;
- ``internal``: run records, watermarks, incremental-work state and the migration ledger.

``main`` stays empty: it comes first in ``search_path``, so an unqualified ``create table`` (an analyst's scratch table
in ``molva warehouse shell --write``) lands there, never among the warehouse's own tables.
"""

from __future__ import annotations

from typing import Any

SCHEMAS = ("marts", "staging", "enriched", "raw", "internal")
"""The warehouse's schemas, in ``search_path`` order (after ``main``)."""

TABLE_SCHEMAS: dict[str, str] = {
    # raw: inputs as crawled, loaded, imported or mirrored from the config
    "brands": "raw",
    "sources": "raw",
    "reviews": "raw",
    "review_versions": "raw",
    "surveys": "raw",
    "survey_factor_weights": "raw",
    "survey_responses": "raw",
    "survey_factor_ratings": "raw",
    "survey_open_answers": "raw",
    # enriched: computed from raw rows by the NLP and survey steps
    "review_sentiment": "enriched",
    "sentence_sentiment": "enriched",
    "topics": "enriched",
    "sentence_topics": "enriched",
    "duplicate_clusters": "enriched",
    "review_flags": "enriched",
    "survey_answer_sentiment": "enriched",
    "survey_answer_topics": "enriched",
    "survey_drivers": "enriched",
    # marts: read by analysts and the digest (mart_* tables are placed by their prefix)
    "digest_recommendations": "marts",
    # internal: runs, watermarks, incremental state, bookkeeping
    "schema_migrations": "internal",
    "schema_comments": "internal",
    "crawl_runs": "internal",
    "crawl_run_files": "internal",
    "crawl_watermarks": "internal",
    "flow_runs": "internal",
    "data_quality_checks": "internal",
    "survey_imports": "internal",
    "survey_import_issues": "internal",
    "topic_centroids": "internal",
    "topic_assignment_state": "internal",
    "topic_uncovered_vectors": "internal",
    "dedup_state": "internal",
}


def schema_for(name: str) -> str | None:
    """The schema a table or view belongs in (None: not one of the warehouse's own, e.g. an analyst's scratch table)."""
    if name.startswith("mart_"):
        return "marts"
    if name.startswith(("stg_", "int_")):
        return "staging"
    return TABLE_SCHEMAS.get(name)


def in_schema(con: Any, schema: str, name: str | None = None) -> str:
    """``"catalog"."schema"`` (or ``…."name"``): a database file called ``marts.duckdb`` makes ``marts.x`` ambiguous."""
    row = con.execute("select current_database()").fetchone()
    catalog = str(row[0]) if row else "memory"
    qualified = f'"{catalog}"."{schema}"'
    return qualified if name is None else f'{qualified}."{name}"'


def existing_schemas(con: Any) -> list[str]:
    """The layout's schemas this database has (none before migration 070), in ``search_path`` order."""
    rows = con.execute("select schema_name from duckdb_schemas() where database_name = current_database()").fetchall()
    present = {r[0] for r in rows}
    return [s for s in SCHEMAS if s in present]


def search_path(con: Any) -> str:
    """The ``search_path`` for this database: ``main``, then its layout schemas (catalog-qualified)."""
    return ",".join(in_schema(con, s) for s in ["main", *existing_schemas(con)])


def use_layout(con: Any) -> None:
    """Set the connection's ``search_path`` so unqualified names find tables in every schema."""
    con.execute(f"set search_path = {_literal(search_path(con))}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"

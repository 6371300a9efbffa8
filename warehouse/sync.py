"""Mirror the config's brands and sources into the warehouse so SQL can join on them. Only changed rows are touched,
so syncing the same config twice leaves the tables identical."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from molva.config import MolvaConfig


def sync_config(con: duckdb.DuckDBPyConnection, config: MolvaConfig, now: datetime | None = None) -> None:
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    brands = [(b.id, b.names.en, b.names.ru, b.aliases, b.is_own) for b in config.brands]
    sources = [
        (s.id, s.brand, s.platform, s.url, s.platform_id, json.dumps(s.options, sort_keys=True), s.enabled)
        for s in config.sources
    ]
    con.execute("begin transaction")
    try:
        for brand_id, name_en, name_ru, aliases, is_own in brands:
            con.execute(
                """
                insert into brands values (?, ?, ?, ?, ?, ?)
                on conflict (brand_id) do update set
                    name_en = excluded.name_en, name_ru = excluded.name_ru, aliases = excluded.aliases,
                    is_own = excluded.is_own, updated_at = excluded.updated_at
                where brands.name_en is distinct from excluded.name_en
                   or brands.name_ru is distinct from excluded.name_ru
                   or brands.aliases is distinct from excluded.aliases or brands.is_own is distinct from excluded.is_own
                """,
                [brand_id, name_en, name_ru, aliases, is_own, stamp],
            )
        for source_id, brand_id, platform, url, platform_id, options, enabled in sources:
            con.execute(
                """
                insert into sources values (?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (source_id) do update set
                    brand_id = excluded.brand_id, platform = excluded.platform, url = excluded.url,
                    platform_id = excluded.platform_id, options = excluded.options,
                    is_enabled = excluded.is_enabled, updated_at = excluded.updated_at
                where sources.brand_id is distinct from excluded.brand_id
                   or sources.platform is distinct from excluded.platform or sources.url is distinct from excluded.url
                   or sources.platform_id is distinct from excluded.platform_id
                   or sources.options::varchar is distinct from excluded.options::varchar
                   or sources.is_enabled is distinct from excluded.is_enabled
                """,
                [source_id, brand_id, platform, url, platform_id, options, enabled, stamp],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise

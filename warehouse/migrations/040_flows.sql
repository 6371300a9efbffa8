-- 040: flow bookkeeping. One row per flow run (nightly, weekly_digest, backfill) and one row per data-quality check
-- it ran. Documented in docs/flows.md.

create table if not exists flow_runs (
    flow_run_id       varchar primary key,     -- Prefect's flow run id, or a uuid when run outside Prefect
    flow_name         varchar not null,        -- nightly | weekly_digest | backfill
    started_at        timestamp not null,      -- UTC
    finished_at       timestamp,               -- UTC
    status            varchar not null,        -- running | success | partial | failed
    parameters        json,
    n_sources         integer not null default 0,
    n_sources_failed  integer not null default 0,
    n_items           integer not null default 0,   -- reviews extracted by the crawls
    n_new             integer not null default 0,
    n_updated         integer not null default 0,
    n_enriched        integer not null default 0,   -- reviews (re)classified by the enrichment steps
    n_checks_failed   integer not null default 0,
    summary           json,                    -- per-step timings and counts, per-source outcome
    error             varchar
);

create table if not exists data_quality_checks (
    flow_run_id   varchar not null,
    check_name    varchar not null,            -- volume_drop | parse_error_share | empty_text | mart_contract | ...
    subject       varchar not null,            -- a source id, a mart name, or '*'
    status        varchar not null,            -- pass | warn | fail
    value         double,
    threshold     double,
    message       varchar,
    checked_at    timestamp not null,          -- UTC
    primary key (flow_run_id, check_name, subject)
);

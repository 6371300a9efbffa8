-- 010: crawl bookkeeping. One watermark per source: the newest review date and the run that last completed, so a
-- nightly crawl can stop paginating once it reaches known reviews (crawlers/bookkeeping.py reads and writes it).

create table if not exists crawl_watermarks (
    source_id          varchar primary key,
    last_published_at  timestamp,              -- UTC, newest published_at loaded from this source
    last_run_id        varchar,
    last_success_at    timestamp,              -- UTC, when the last run with status success or partial finished
    n_known            integer not null default 0,   -- reviews of this source in the warehouse after that run
    updated_at         timestamp not null
);

-- where each run's items and log went, so an operator can inspect or resume a crawl
create table if not exists crawl_run_files (
    run_id       varchar primary key,
    source_id    varchar not null,
    platform     varchar not null,
    is_full      boolean not null default false,
    log_path     varchar,
    jobdir       varchar
);

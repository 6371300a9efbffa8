-- 001: the core tables every part of Molva builds on. Documented column by column in docs/warehouse.md.

create table if not exists brands (
    brand_id      varchar primary key,
    name_en       varchar not null,
    name_ru       varchar,
    aliases       varchar[],
    is_own        boolean not null default false,
    updated_at    timestamp not null
);

create table if not exists sources (
    source_id     varchar primary key,
    brand_id      varchar not null,
    platform      varchar not null,
    url           varchar,
    platform_id   varchar,
    options       json,
    is_enabled    boolean not null default true,
    updated_at    timestamp not null
);

create table if not exists crawl_runs (
    run_id        varchar primary key,
    source_id     varchar not null,
    started_at    timestamp not null,
    finished_at   timestamp,
    status        varchar not null,          -- running | success | partial | failed
    n_pages       integer not null default 0,
    n_items       integer not null default 0,
    n_new         integer not null default 0,
    n_updated     integer not null default 0,
    n_errors      integer not null default 0,
    errors        json
);

create table if not exists reviews (
    review_id       varchar primary key,     -- sha256(platform || ':' || external_id), first 32 hex chars
    source_id       varchar,
    brand_id        varchar,
    platform        varchar not null,
    external_id     varchar not null,
    kind            varchar not null default 'review',   -- review | mention
    url             varchar,
    author_hash     varchar,                  -- pseudonymised author ('anon:' + HMAC), or the name when privacy is off
    rating          double,
    rating_min      double,
    rating_scale    double,
    rating_norm     double,                   -- (rating - rating_min) / (rating_scale - rating_min), 0..1
    title           varchar,
    text            varchar not null,
    language        varchar,
    published_at    timestamp,                -- UTC
    first_seen_at   timestamp not null,       -- UTC
    last_seen_at    timestamp not null,       -- UTC
    content_hash    varchar not null,         -- sha256 of title, text, rating, reply
    reply_text      varchar,
    reply_at        timestamp,
    parser_version  varchar,
    extra           json,
    raw             json,
    version         integer not null default 1
);

create table if not exists review_versions (
    review_id       varchar not null,
    version         integer not null,         -- the version number the content had
    content_hash    varchar not null,
    title           varchar,
    text            varchar,
    rating          double,
    reply_text      varchar,
    reply_at        timestamp,
    published_at    timestamp,
    valid_from      timestamp not null,       -- when Molva first saw this content
    replaced_at     timestamp not null,       -- when Molva saw the edit that replaced it
    primary key (review_id, version)
);

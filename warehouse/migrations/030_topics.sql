-- 030: topics (taxonomy and emerging), sentence-level topic assignments with evidence, near-duplicate clusters and
-- noise flags. Contracts are fixed in docs/architecture.md; documented in docs/topics.md.

create table if not exists topics (
    topic_id        varchar primary key,      -- taxonomy id from configs/topics.yaml, or 'emerging-NNNN'
    label_en        varchar,
    label_ru        varchar,
    description     varchar,
    stage           varchar check (stage in ('awareness', 'purchase', 'delivery', 'use', 'support', 'churn')),
    kind            varchar not null check (kind in ('taxonomy', 'emerging')),
    status          varchar not null default 'active' check (status in ('active', 'merged', 'retired')),
    version         integer not null default 1,          -- bumped whenever labels, phrases or centroid change
    merged_into     varchar,                  -- topic_id this one was merged into (status = 'merged')
    first_seen_at   timestamp not null,       -- UTC
    updated_at      timestamp not null,       -- UTC
    key_phrases     varchar[],                -- seed phrases (taxonomy) or c-TF-IDF key phrases (emerging)
    examples        varchar[]                 -- representative sentences (emerging)
);

create table if not exists sentence_topics (
    review_id       varchar not null,
    sentence_index  integer not null,
    topic_id        varchar not null,
    score           double not null,          -- assignment score (higher = more confident)
    polarity        varchar not null check (polarity in ('negative', 'neutral', 'positive')),
    kind            varchar not null check (kind in ('complaint', 'praise', 'neutral')),
    start_char      integer not null,         -- offsets into reviews.text (evidence)
    end_char        integer not null,
    content_hash    varchar not null,         -- reviews.content_hash the assignment was made on
    assigned_at     timestamp not null,       -- UTC
    primary key (review_id, sentence_index, topic_id)
);

create table if not exists duplicate_clusters (
    review_id       varchar primary key,
    cluster_id      varchar not null,         -- the canonical review's id
    is_canonical    boolean not null,
    similarity      double not null           -- estimated Jaccard similarity to the canonical review
);

create table if not exists review_flags (
    review_id       varchar not null,
    flag            varchar not null
        check (flag in ('too_short', 'repeated', 'advertising', 'links_only', 'low_information')),
    reason          varchar,
    primary key (review_id, flag)
);

-- Embedding centroids that keep emerging topic ids stable between nightly runs (not part of the mart contract).
create table if not exists topic_centroids (
    topic_id        varchar primary key,
    centroid        float[],
    n_sentences     integer not null,
    updated_at      timestamp not null
);

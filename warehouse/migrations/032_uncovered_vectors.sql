-- 032: e5 vectors of sentences no topic covered, kept by topic enrichment so the nightly emerging-topic run clusters
-- them without embedding them again (bookkeeping, not part of the mart contract). Rows go once the sentence is
-- assigned to an emerging topic or its review leaves the clustering window.

create table if not exists topic_uncovered_vectors (
    review_id       varchar not null,
    sentence_index  integer not null,
    content_hash    varchar not null,
    vector          float[] not null,         -- L2-normalised multilingual-e5-small, "query: " prefix
    created_at      timestamp not null,       -- UTC
    primary key (review_id, sentence_index)
);

-- 031: bookkeeping for topic enrichment (not part of the mart contract): which content of each review was tagged,
-- so reruns skip reviews whose text did not change, including reviews whose sentences matched no topic.

create table if not exists topic_assignment_state (
    review_id       varchar primary key,
    content_hash    varchar not null,         -- reviews.content_hash that was tagged
    taxonomy_hash   varchar not null,         -- sha256 of the taxonomy (topics and calibration) used
    n_sentences     integer not null,
    assigned_at     timestamp not null        -- UTC
);

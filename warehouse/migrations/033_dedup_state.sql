-- 033: the fingerprint of the warehouse (review count and content hashes, threshold, code version) that the last
-- near-duplicate run worked on, so a nightly rerun with no added, edited or removed review reports the stored clusters
-- and flags instead of re-scoring every review (bookkeeping, not part of the mart contract).

create table if not exists dedup_state (
    step            varchar primary key,     -- 'duplicates'
    fingerprint     varchar not null,
    updated_at      timestamp not null       -- UTC
);

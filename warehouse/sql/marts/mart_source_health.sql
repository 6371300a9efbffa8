-- Coverage and crawl health per configured source: what was collected, when, and which crawls failed.
-- The digest's data-coverage appendix reads this. Documented in docs/marts.md#mart_source_health.
-- contract:
--   unique_key: [source_id]
--   not_null: [source_id, is_enabled, n_reviews_stored, n_reviews_counted, n_runs, n_failed_runs]
--   accepted_values:
--     last_run_status: [running, success, partial, interrupted, failed]
with sources_src as (
    select * from stg_sources
),

reviews_src as (
    select * from stg_reviews_all
),

runs as (
    select * from stg_crawl_runs
),

review_counts as (
    select
        r.source_id,
        count(*) as n_reviews_stored,
        count(*) filter (where r.is_counted) as n_reviews_counted,
        min(r.event_at) as first_review_at,
        max(r.event_at) as last_review_at
    from reviews_src as r
    group by all
),

run_stats as (
    select
        c.source_id,
        count(*) as n_runs,
        count(*) filter (where c.run_status = 'failed') as n_failed_runs,
        max(c.started_at) as last_run_at,
        arg_max(c.run_status, c.started_at) as last_run_status,
        arg_max(c.n_items, c.started_at) as last_run_n_items,
        arg_max(c.n_errors, c.started_at) as last_run_n_errors,
        max(c.started_at) filter (where c.run_status in ('success', 'partial')) as last_success_at
    from runs as c
    group by all
),

final as (
    select
        s.source_id,
        s.brand_id,
        s.platform,
        s.site_host,
        s.source_url,
        s.is_enabled,
        coalesce(rc.n_reviews_stored, 0) as n_reviews_stored,
        coalesce(rc.n_reviews_counted, 0) as n_reviews_counted,
        rc.first_review_at,
        rc.last_review_at,
        coalesce(rs.n_runs, 0) as n_runs,
        coalesce(rs.n_failed_runs, 0) as n_failed_runs,
        rs.last_run_at,
        rs.last_run_status,
        rs.last_run_n_items,
        rs.last_run_n_errors,
        rs.last_success_at
    from sources_src as s
    left join review_counts as rc on rc.source_id = s.source_id
    left join run_stats as rs on rs.source_id = s.source_id
)

select * from final

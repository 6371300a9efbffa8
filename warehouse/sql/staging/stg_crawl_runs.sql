-- Crawl runs per source, for coverage and data-quality reporting.
with runs as (
    select * from crawl_runs
),

final as (
    select
        c.run_id,
        c.source_id,
        c.started_at,
        c.finished_at,
        c.status as run_status,
        c.n_pages,
        c.n_items,
        c.n_new,
        c.n_updated,
        c.n_errors
    from runs as c
)

select * from final

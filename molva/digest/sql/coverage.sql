-- Data coverage: every configured source, what it collected and how its crawls went. Parameters: none.
select
    s.source_id,
    s.brand_id,
    s.platform,
    s.source_url,
    s.is_enabled,
    s.n_reviews_stored,
    s.n_reviews_counted,
    s.first_review_at,
    s.last_review_at,
    s.n_runs,
    s.n_failed_runs,
    s.last_run_at,
    s.last_run_status,
    s.last_run_n_items,
    s.last_run_n_errors,
    s.last_success_at
from mart_source_health as s
order by s.brand_id, s.platform, s.source_id

-- Counted items per brand and platform in the digest's week (the denominators behind every figure).
-- Parameters: $week_start.
select
    bp.brand_id,
    bp.platform,
    bp.n_items,
    bp.n_reviews,
    bp.n_mentions,
    bp.n_rated,
    bp.n_sentiment
from mart_brand_period as bp
where bp.period_grain = 'week' and bp.period_start = $week_start and bp.platform <> 'all'
order by bp.brand_id, bp.platform

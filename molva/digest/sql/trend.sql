-- Weekly trend of the brand per platform (and 'all') over the weeks up to the digest's week.
-- Parameters: $brand_id, $week_start, $n_weeks.
select
    bp.period_label as iso_week,
    bp.period_start as week_start,
    bp.platform,
    bp.n_items,
    bp.n_rated,
    bp.avg_rating,
    bp.avg_rating_ci_high,
    bp.csat,
    bp.n_sentiment,
    bp.n_opinion,
    bp.n_no_opinion,
    bp.net_sentiment,
    bp.share_negative,
    bp.reply_rate
from mart_brand_period as bp
where bp.period_grain = 'week' and bp.brand_id = $brand_id
    and bp.period_start > $week_start - to_weeks(cast($n_weeks as integer))
    and bp.period_start <= $week_start
order by bp.period_start, bp.platform

-- Headline figures: every brand, all platforms, this ISO week and the week before.
-- Parameters: $week_start (Monday of the digest's week).
select
    bp.brand_id,
    bp.brand_name_en,
    bp.brand_name_ru,
    bp.is_own,
    bp.period_label as iso_week,
    bp.period_start as week_start,
    bp.n_items,
    bp.n_reviews,
    bp.n_mentions,
    bp.n_rated,
    bp.avg_rating,
    bp.avg_rating_ci_low,
    bp.avg_rating_ci_high,
    bp.csat,
    bp.csat_ci_low,
    bp.csat_ci_high,
    bp.nps_proxy,
    bp.nps_proxy_ci_low,
    bp.nps_proxy_ci_high,
    bp.n_sentiment,
    bp.n_opinion,
    bp.n_no_opinion,
    bp.net_sentiment,
    bp.net_sentiment_ci_low,
    bp.net_sentiment_ci_high,
    bp.share_negative,
    bp.reply_rate,
    bp.reply_rate_ci_low,
    bp.reply_rate_ci_high,
    bp.median_reply_hours
from mart_brand_period as bp
where bp.period_grain = 'week' and bp.platform = 'all'
    and bp.period_start in ($week_start, $week_start - interval 7 day)
order by bp.is_own desc, bp.brand_id, bp.period_start

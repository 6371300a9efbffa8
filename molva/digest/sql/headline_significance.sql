-- Own brand against each competitor this week: difference, its 95 % interval and significance (brand-level metrics).
-- Parameters: $week_start.
select
    c.own_brand_id,
    c.competitor_brand_id,
    c.metric,
    c.own_n,
    c.competitor_n,
    c.own_value,
    c.competitor_value,
    c.difference,
    c.difference_ci_low,
    c.difference_ci_high,
    c.p_value,
    c.is_significant
from mart_competitors as c
where c.time_window = 'week' and c.week_start = $week_start and c.topic_id is null
order by c.competitor_brand_id, c.metric

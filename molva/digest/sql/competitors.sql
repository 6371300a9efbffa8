-- Own brand against each competitor this week and over the 4 weeks ending it, brand metrics and topic shares.
-- Parameters: $week_start.
select
    c.time_window,
    c.iso_week,
    c.own_brand_id,
    c.competitor_brand_id,
    c.metric,
    c.topic_id,
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
where c.week_start = $week_start
order by c.time_window, c.competitor_brand_id, c.metric, c.topic_id

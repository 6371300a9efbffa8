-- Weekly complaints and praise per topic of the brand over the trend window (sparklines next to each topic).
-- Parameters: $brand_id, $week_start, $n_weeks.
select
    t.topic_id,
    t.week_start,
    t.iso_week,
    t.n_complaints,
    t.n_praise,
    t.n_mentions
from mart_topics_weekly as t
where t.brand_id = $brand_id
    and t.week_start > $week_start - to_weeks(cast($n_weeks as integer))
    and t.week_start <= $week_start
order by t.topic_id, t.week_start

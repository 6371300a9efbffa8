-- ISO weeks with data for the brand and the latest day with data anywhere (to find the last complete week).
-- Parameters: $brand_id.
select
    bp.period_label as iso_week,
    bp.period_start as week_start,
    bp.period_end as week_end,
    bp.n_items,
    (select max(d.period_start) from mart_brand_period as d where d.period_grain = 'day') as last_data_day
from mart_brand_period as bp
where bp.brand_id = $brand_id and bp.platform = 'all' and bp.period_grain = 'week'
order by bp.period_start

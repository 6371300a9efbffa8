-- The own brand against each competitor, per ISO week and over the 4 weeks ending that week: the brand metrics and each
-- topic's complaint and praise shares, with the difference, its 95 % CI, a two-sided p-value and share of voice.
-- Documented in docs/marts.md#mart_competitors.
-- contract:
--   unique_key: [time_window, week_start, own_brand_id, competitor_brand_id, metric_key]
--   not_null: [time_window, week_start, iso_week, own_brand_id, competitor_brand_id, metric, metric_key, own_n,
--              competitor_n, is_significant]
--   accepted_values:
--     time_window: [week, 4w]
--     metric: [n_items, share_of_voice, avg_rating, csat, nps_proxy, net_sentiment, share_negative, reply_rate,
--              topic_complaint_share, topic_praise_share]
--   ranges:
--     p_value: [0, 1]
with reviews_src as (
    select * from stg_reviews where brand_id is not null
),

sentiment as (
    select * from stg_review_sentiment
),

brands_src as (
    select * from stg_brands
),

topic_weeks as (
    select * from mart_topics_weekly
),

brand_week_counts as (
    select
        r.brand_id,
        r.week_start,
        count(*) as n_items,
        count(*) filter (where r.kind = 'review') as n_reviews,
        count(r.rating_5) as n_rated,
        coalesce(sum(r.rating_5), 0) as sum_rating,
        coalesce(sum(r.rating_5 * r.rating_5), 0) as sum_rating_sq,
        count(*) filter (where r.stars >= 4) as n_csat,
        count(*) filter (where r.stars = 5) as n_promoters,
        count(*) filter (where r.stars <= 3) as n_detractors,
        count(*) filter (where s.sentiment_label in ('negative', 'mixed', 'positive')) as n_opinion,  -- opinions only
        count(*) filter (where s.sentiment_label = 'positive') as n_positive,
        count(*) filter (where s.sentiment_label = 'negative') as n_negative,
        count(*) filter (where r.kind = 'review' and r.has_reply) as n_replied
    from reviews_src as r
    left join sentiment as s on s.review_id = r.review_id
    group by all
),

week_range as (
    select min(week_start) as first_week, max(week_start) as last_week from brand_week_counts
),

all_weeks as (
    select cast(w.week_start as date) as week_start
    from week_range as wr,
        generate_series(wr.first_week, wr.last_week, interval 7 day) as w(week_start)
),

brand_grid as (
    select b.brand_id, aw.week_start
    from (select distinct brand_id from brand_week_counts) as b
    cross join all_weeks as aw
),

dense as (
    select
        g.brand_id,
        g.week_start,
        coalesce(c.n_items, 0) as n_items,
        coalesce(c.n_reviews, 0) as n_reviews,
        coalesce(c.n_rated, 0) as n_rated,
        coalesce(c.sum_rating, 0) as sum_rating,
        coalesce(c.sum_rating_sq, 0) as sum_rating_sq,
        coalesce(c.n_csat, 0) as n_csat,
        coalesce(c.n_promoters, 0) as n_promoters,
        coalesce(c.n_detractors, 0) as n_detractors,
        coalesce(c.n_opinion, 0) as n_opinion,
        coalesce(c.n_positive, 0) as n_positive,
        coalesce(c.n_negative, 0) as n_negative,
        coalesce(c.n_replied, 0) as n_replied
    from brand_grid as g
    left join brand_week_counts as c on c.brand_id = g.brand_id and c.week_start = g.week_start
),

windows as (
    select 'week' as time_window, d.* from dense as d
    union all
    select
        '4w' as time_window,
        d.brand_id,
        d.week_start,
        sum(d.n_items) over w4,
        sum(d.n_reviews) over w4,
        sum(d.n_rated) over w4,
        sum(d.sum_rating) over w4,
        sum(d.sum_rating_sq) over w4,
        sum(d.n_csat) over w4,
        sum(d.n_promoters) over w4,
        sum(d.n_detractors) over w4,
        sum(d.n_opinion) over w4,
        sum(d.n_positive) over w4,
        sum(d.n_negative) over w4,
        sum(d.n_replied) over w4
    from dense as d
    window w4 as (partition by d.brand_id order by d.week_start rows between 3 preceding and current row)
),

-- one row per brand x window x metric: value, its variance (for the difference CI) and the n behind it
brand_metrics as (
    select w.time_window, w.brand_id, w.week_start, m.metric, cast(null as varchar) as topic_id, m.n, m.val, m.var
    from windows as w,
        lateral (
            select * from (values
                ('n_items', w.n_items, cast(w.n_items as double), cast(null as double)),
                ('share_of_voice', w.n_items, cast(null as double), cast(null as double)),
                ('avg_rating', w.n_rated,
                    case when w.n_rated > 0 then w.sum_rating / w.n_rated end,
                    case when w.n_rated > 1
                        then (w.sum_rating_sq - w.sum_rating * w.sum_rating / w.n_rated) / (w.n_rated - 1) / w.n_rated
                    end),
                ('csat', w.n_rated,
                    case when w.n_rated > 0 then w.n_csat / w.n_rated end,
                    case when w.n_rated > 0 then (w.n_csat / w.n_rated) * (1 - w.n_csat / w.n_rated) / w.n_rated end),
                ('nps_proxy', w.n_rated,
                    case when w.n_rated > 0 then (w.n_promoters - w.n_detractors) / w.n_rated end,
                    net_share_var(w.n_promoters / w.n_rated, w.n_detractors / w.n_rated, w.n_rated)),
                ('net_sentiment', w.n_opinion,
                    case when w.n_opinion > 0 then (w.n_positive - w.n_negative) / w.n_opinion end,
                    net_share_var(w.n_positive / w.n_opinion, w.n_negative / w.n_opinion, w.n_opinion)),
                ('share_negative', w.n_opinion,
                    case when w.n_opinion > 0 then w.n_negative / w.n_opinion end,
                    case when w.n_opinion > 0
                        then (w.n_negative / w.n_opinion) * (1 - w.n_negative / w.n_opinion) / w.n_opinion
                    end),
                ('reply_rate', w.n_reviews,
                    case when w.n_reviews > 0 then w.n_replied / w.n_reviews end,
                    case when w.n_reviews > 0
                        then (w.n_replied / w.n_reviews) * (1 - w.n_replied / w.n_reviews) / w.n_reviews
                    end)
            ) as v(metric, n, val, var)
        ) as m
),

topic_ids as (
    select distinct t.topic_id from topic_weeks as t
),

-- every brand x topic x week, so a competitor that never mentions a topic compares at 0, not at null
topic_dense as (
    select
        d.brand_id,
        ti.topic_id,
        d.week_start,
        d.n_items as n,
        coalesce(t.n_complaints, 0) as n_complaints,
        coalesce(t.n_praise, 0) as n_praise
    from dense as d
    cross join topic_ids as ti
    left join topic_weeks as t
        on t.brand_id = d.brand_id and t.topic_id = ti.topic_id and t.week_start = d.week_start
),

topic_windows as (
    select 'week' as time_window, td.* from topic_dense as td
    union all
    select
        '4w' as time_window, td.brand_id, td.topic_id, td.week_start,
        sum(td.n) over w4,
        sum(td.n_complaints) over w4,
        sum(td.n_praise) over w4
    from topic_dense as td
    window w4 as (partition by td.brand_id, td.topic_id order by td.week_start rows between 3 preceding and current row)
),

topic_metrics as (
    select
        tw.time_window, tw.brand_id, tw.week_start, m.metric, tw.topic_id, tw.n,
        case when tw.n > 0 then m.k / tw.n end as val,
        case when tw.n > 0 then (m.k / tw.n) * (1 - m.k / tw.n) / tw.n end as var
    from topic_windows as tw,
        lateral (
            select * from (values
                ('topic_complaint_share', tw.n_complaints),
                ('topic_praise_share', tw.n_praise)
            ) as v(metric, k)
        ) as m
),

all_metrics as (
    select * from brand_metrics
    union all
    select * from topic_metrics
),

pairs as (
    select o.brand_id as own_brand_id, c.brand_id as competitor_brand_id
    from brands_src as o
    inner join brands_src as c on c.is_own = false
    where o.is_own
),

sov_totals as (
    select time_window, week_start, sum(n) as n_all from brand_metrics where metric = 'n_items' group by all
),

compared as (
    select
        am.time_window,
        am.week_start,
        p.own_brand_id,
        p.competitor_brand_id,
        am.metric,
        am.topic_id,
        cast(coalesce(am.n, 0) as bigint) as own_n,
        cast(coalesce(cm.n, 0) as bigint) as competitor_n,
        case when am.metric = 'share_of_voice' then am.n / nullif(st.n_all, 0) else am.val end as own_value,
        case when am.metric = 'share_of_voice' then cm.n / nullif(st.n_all, 0) else cm.val end as competitor_value,
        am.var as own_var,
        cm.var as competitor_var
    from pairs as p
    inner join all_metrics as am on am.brand_id = p.own_brand_id
    left join all_metrics as cm
        on cm.brand_id = p.competitor_brand_id
        and cm.time_window = am.time_window
        and cm.week_start = am.week_start
        and cm.metric = am.metric
        and cm.topic_id is not distinct from am.topic_id
    left join sov_totals as st on st.time_window = am.time_window and st.week_start = am.week_start
),

tested as (
    select
        c.*,
        c.own_value - c.competitor_value as difference,
        case
            when c.own_var is not null and c.competitor_var is not null and c.own_n > 0 and c.competitor_n > 0
                then sqrt(c.own_var + c.competitor_var)
        end as se_difference
    from compared as c
),

final as (
    select
        t.time_window,
        t.week_start,
        strftime(t.week_start, '%G-W%V') as iso_week,
        t.own_brand_id,
        t.competitor_brand_id,
        t.metric,
        t.topic_id,
        t.metric || coalesce(':' || t.topic_id, '') as metric_key,
        t.own_n,
        t.competitor_n,
        t.own_value,
        t.competitor_value,
        t.difference,
        t.difference - 1.96 * t.se_difference as difference_ci_low,
        t.difference + 1.96 * t.se_difference as difference_ci_high,
        case when t.se_difference > 0 then two_sided_p(t.difference / t.se_difference) end as p_value,
        coalesce(
            t.own_n >= 10 and t.competitor_n >= 10 and t.se_difference > 0
            and two_sided_p(t.difference / t.se_difference) < 0.05,
            false
        ) as is_significant
    from tested as t
)

select * from final

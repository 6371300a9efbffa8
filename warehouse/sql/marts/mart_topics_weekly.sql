-- Complaints, praise and mentions per brand x topic x ISO week (taxonomy and emerging topics; each sentence counts for
-- its main topic only, see int_review_topics), with the change
-- against the previous 4 weeks and a Poisson anomaly test on complaints. Documented in docs/marts.md#mart_topics_weekly.
-- contract:
--   unique_key: [brand_id, topic_id, week_start]
--   not_null: [brand_id, topic_id, topic_kind, topic_label_en, week_start, iso_week, n_reviews_week, n_mentions,
--              n_sentence_mentions,
--              n_complaints, n_praise, n_neutral, prev4_reviews, prev4_complaints, prev8_reviews, prev8_complaints,
--              is_anomaly, is_new_topic]
--   accepted_values:
--     topic_kind: [taxonomy, emerging]
--   ranges:
--     share_reviews: [0, 1]
--     share_complaints: [0, 1]
--     anomaly_p_value: [0, 1]
with reviews_src as (
    select * from stg_reviews
),

topics_src as (
    select * from stg_topics where topic_id = effective_topic_id
),

-- one row per review x topic, counting each sentence's main topic (and an as-strong secondary) only
review_topics as (
    select * from int_review_topics
),

brand_weeks as (
    select
        r.brand_id,
        r.week_start,
        count(*) as n_reviews_week,
        count(r.rating_5) as n_rated_week,
        avg(r.rating_5) as avg_rating_week
    from reviews_src as r
    where r.brand_id is not null
    group by all
),

week_range as (
    select min(week_start) as first_week, max(week_start) as last_week from brand_weeks
),

all_weeks as (
    select cast(w.week_start as date) as week_start
    from week_range as wr,
        generate_series(wr.first_week, wr.last_week, interval 7 day) as w(week_start)
),

brand_topics as (
    select distinct rt.brand_id, rt.topic_id from review_topics as rt
),

grid as (
    select bt.brand_id, bt.topic_id, aw.week_start
    from brand_topics as bt
    cross join all_weeks as aw
),

topic_counts as (
    select
        rt.brand_id,
        rt.topic_id,
        rt.week_start,
        count(*) as n_mentions,
        cast(sum(rt.n_sentences) as bigint) as n_sentence_mentions,
        count(*) filter (where rt.is_complaint) as n_complaints,
        count(*) filter (where rt.is_praise) as n_praise,
        count(*) filter (where not rt.is_complaint and not rt.is_praise) as n_neutral,
        count(rt.rating_5) as n_rated_mentions,
        avg(rt.rating_5) as avg_rating_mentions
    from review_topics as rt
    group by all
),

dense as (
    select
        g.brand_id,
        g.topic_id,
        g.week_start,
        coalesce(bw.n_reviews_week, 0) as n_reviews_week,
        coalesce(bw.n_rated_week, 0) as n_rated_week,
        bw.avg_rating_week,
        coalesce(tc.n_mentions, 0) as n_mentions,
        coalesce(tc.n_sentence_mentions, 0) as n_sentence_mentions,
        coalesce(tc.n_complaints, 0) as n_complaints,
        coalesce(tc.n_praise, 0) as n_praise,
        coalesce(tc.n_neutral, 0) as n_neutral,
        coalesce(tc.n_rated_mentions, 0) as n_rated_mentions,
        tc.avg_rating_mentions
    from grid as g
    left join brand_weeks as bw on bw.brand_id = g.brand_id and bw.week_start = g.week_start
    left join topic_counts as tc
        on tc.brand_id = g.brand_id and tc.topic_id = g.topic_id and tc.week_start = g.week_start
),

windowed as (
    select
        d.*,
        cast(coalesce(sum(d.n_reviews_week) over prev4, 0) as bigint) as prev4_reviews,
        cast(coalesce(sum(d.n_complaints) over prev4, 0) as bigint) as prev4_complaints,
        cast(coalesce(sum(d.n_praise) over prev4, 0) as bigint) as prev4_praise,
        cast(coalesce(sum(d.n_mentions) over prev4, 0) as bigint) as prev4_mentions,
        cast(coalesce(sum(d.n_reviews_week) over prev8, 0) as bigint) as prev8_reviews,
        cast(coalesce(sum(d.n_complaints) over prev8, 0) as bigint) as prev8_complaints,
        min(d.week_start) filter (where d.n_mentions > 0) over (partition by d.brand_id, d.topic_id)
            as first_mention_week
    from dense as d
    window
        prev4 as (partition by d.brand_id, d.topic_id order by d.week_start rows between 4 preceding and 1 preceding),
        prev8 as (partition by d.brand_id, d.topic_id order by d.week_start rows between 8 preceding and 1 preceding)
),

tested as (
    select
        w.*,
        -- expected complaints this week: this week's volume at the lower of the previous 4 and 8 weeks' complaint
        -- rates (0.5 pseudo-count so a topic with no history still needs several complaints); the 8-week rate keeps
        -- a sustained rise visible for more than one week instead of becoming the new normal at once
        case
            when w.prev4_reviews > 0
                then w.n_reviews_week * least(
                    (w.prev4_complaints + 0.5) / w.prev4_reviews, (w.prev8_complaints + 0.5) / w.prev8_reviews
                )
        end as expected_complaints
    from windowed as w
),

scored as (
    select
        t.*,
        case
            when t.expected_complaints is not null and t.n_complaints > 0
                then poisson_sf(t.n_complaints, t.expected_complaints)
        end as anomaly_p_value
    from tested as t
),

final as (
    select
        s.brand_id,
        s.topic_id,
        tp.topic_kind,
        tp.topic_label_en,
        tp.topic_label_ru,
        tp.topic_stage,
        tp.topic_first_seen_at,
        s.week_start,
        strftime(s.week_start, '%G-W%V') as iso_week,
        s.n_reviews_week,
        s.n_rated_week,
        s.avg_rating_week,
        s.n_mentions,
        s.n_sentence_mentions,
        s.n_complaints,
        s.n_praise,
        s.n_neutral,
        s.n_rated_mentions,
        s.avg_rating_mentions,
        case when s.n_reviews_week > 0 then s.n_mentions / s.n_reviews_week end as share_reviews,
        case when s.n_reviews_week > 0 then s.n_complaints / s.n_reviews_week end as share_complaints,
        case when s.n_reviews_week > 0 then s.n_praise / s.n_reviews_week end as share_praise,
        s.prev4_reviews,
        s.prev4_mentions,
        s.prev4_complaints,
        s.prev4_praise,
        s.prev8_reviews,
        s.prev8_complaints,
        case when s.prev4_reviews > 0 then s.prev4_complaints / s.prev4_reviews end as prev4_share_complaints,
        case
            when s.prev4_reviews > 0 and s.n_reviews_week > 0
                then s.n_complaints / s.n_reviews_week - s.prev4_complaints / s.prev4_reviews
        end as change_share_complaints,
        s.n_complaints - s.prev4_complaints / 4.0 as change_complaints,
        case when s.prev4_complaints > 0 then s.n_complaints / (s.prev4_complaints / 4.0) - 1 end
            as change_complaints_pct,
        s.expected_complaints,
        s.anomaly_p_value,
        coalesce(
            s.n_complaints >= 5 and s.prev4_reviews >= 20 and s.anomaly_p_value < 0.01,
            false
        ) as is_anomaly,
        case
            when s.n_complaints >= 5 and s.prev4_reviews >= 20 and s.anomaly_p_value < 0.01
                then printf(
                    '%d complaints vs %.1f expected (%d of %d reviews in the previous 4 weeks, %d of %d in 8); '
                    'Poisson p=%.2g',
                    s.n_complaints, s.expected_complaints, s.prev4_complaints, s.prev4_reviews, s.prev8_complaints,
                    s.prev8_reviews, s.anomaly_p_value
                )
        end as anomaly_reason,
        s.first_mention_week = s.week_start as is_new_topic
    from scored as s
    inner join topics_src as tp on tp.topic_id = s.topic_id
)

select * from final

-- Topics ranked by impact per brand, as of each ISO week over the 4 weeks ending it:
-- impact = frequency x negativity x rating-gap factor x trend factor, each component a column.
-- The input to the digest's recommendations. Documented in docs/marts.md#mart_impact.
-- When the brand runs surveys, the topic's share of the NPS driver analysis (mart_survey_drivers, latest survey) is
-- carried alongside, so a topic that both hurts reviews and moves survey NPS is visible as such.
-- contract:
--   unique_key: [brand_id, topic_id, week_start]
--   not_null: [brand_id, topic_id, topic_kind, week_start, iso_week, n_items_4w, n_mentions_4w, n_complaints_4w,
--              frequency, negativity, rating_gap_factor, trend_factor, impact_score, impact_rank]
--   accepted_values:
--     topic_kind: [taxonomy, emerging]
--   ranges:
--     frequency: [0, 1]
--     negativity: [0, 1]
--     trend_factor: [0.25, 4]
with topic_weeks as (
    select * from mart_topics_weekly
),

survey_drivers as (
    select * from mart_survey_drivers
),

latest_topic_drivers as (
    select
        d.brand_id,
        d.driver as topic_id,
        d.survey_id,
        d.share_importance,
        d.fix_rank
    from survey_drivers as d
    where d.driver_kind = 'topic' and d.target = 'nps' and d.brand_id is not null
    qualify row_number() over (partition by d.brand_id, d.driver order by d.computed_at desc, d.survey_id) = 1
),

windowed as (
    select
        t.brand_id,
        t.topic_id,
        t.topic_kind,
        t.topic_label_en,
        t.topic_label_ru,
        t.topic_stage,
        t.week_start,
        t.iso_week,
        cast(sum(t.n_reviews_week) over w4 as bigint) as n_items_4w,
        cast(sum(t.n_mentions) over w4 as bigint) as n_mentions_4w,
        cast(sum(t.n_complaints) over w4 as bigint) as n_complaints_4w,
        cast(sum(t.n_praise) over w4 as bigint) as n_praise_4w,
        cast(sum(t.n_rated_week) over w4 as bigint) as n_rated_4w,
        sum(coalesce(t.avg_rating_week * t.n_rated_week, 0)) over w4 as sum_rating_4w,
        cast(sum(t.n_rated_mentions) over w4 as bigint) as n_rated_mentions_4w,
        sum(coalesce(t.avg_rating_mentions * t.n_rated_mentions, 0)) over w4 as sum_rating_mentions_4w,
        cast(coalesce(sum(t.n_reviews_week) over prev4, 0) as bigint) as n_items_prev4w,
        cast(coalesce(sum(t.n_complaints) over prev4, 0) as bigint) as n_complaints_prev4w
    from topic_weeks as t
    window
        w4 as (partition by t.brand_id, t.topic_id order by t.week_start rows between 3 preceding and current row),
        prev4 as (partition by t.brand_id, t.topic_id order by t.week_start rows between 7 preceding and 4 preceding)
),

components as (
    select
        w.*,
        w.n_mentions_4w / w.n_items_4w as frequency,
        case when w.n_mentions_4w > 0 then w.n_complaints_4w / w.n_mentions_4w else 0 end as negativity,
        case when w.n_rated_mentions_4w > 0 then w.sum_rating_mentions_4w / w.n_rated_mentions_4w end
            as avg_rating_with_topic,
        case
            when w.n_rated_4w - w.n_rated_mentions_4w > 0
                then (w.sum_rating_4w - w.sum_rating_mentions_4w) / (w.n_rated_4w - w.n_rated_mentions_4w)
        end as avg_rating_without_topic,
        -- complaints expected in this window at the previous window's rate, scaled to this window's volume
        case
            when w.n_items_prev4w > 0 then w.n_complaints_prev4w * w.n_items_4w / w.n_items_prev4w
        end as expected_complaints_4w
    from windowed as w
    where w.n_items_4w > 0 and w.n_mentions_4w > 0
),

factors as (
    select
        c.*,
        case
            when c.n_rated_mentions_4w >= 3 and c.n_rated_4w - c.n_rated_mentions_4w >= 3
                then c.avg_rating_without_topic - c.avg_rating_with_topic
        end as rating_gap,
        case
            when c.expected_complaints_4w is null then 1.0
            else greatest(0.25, least(4.0, (c.n_complaints_4w + 1) / (c.expected_complaints_4w + 1)))
        end as trend_factor
    from components as c
),

scored as (
    select
        f.*,
        1 + greatest(coalesce(f.rating_gap, 0), 0) as rating_gap_factor,
        f.frequency * f.negativity * (1 + greatest(coalesce(f.rating_gap, 0), 0)) * f.trend_factor as impact_score,
        f.frequency * greatest(coalesce(f.rating_gap, 0), 0) as rating_lift_if_fixed
    from factors as f
),

final as (
    select
        s.brand_id,
        s.topic_id,
        s.topic_kind,
        s.topic_label_en,
        s.topic_label_ru,
        s.topic_stage,
        s.week_start,
        s.iso_week,
        s.n_items_4w,
        s.n_mentions_4w,
        s.n_complaints_4w,
        s.n_praise_4w,
        s.n_complaints_prev4w,
        s.expected_complaints_4w,
        s.frequency,
        s.negativity,
        s.avg_rating_with_topic,
        s.avg_rating_without_topic,
        s.rating_gap,
        s.rating_gap_factor,
        s.trend_factor,
        s.impact_score,
        s.rating_lift_if_fixed,
        row_number() over (
            partition by s.brand_id, s.week_start order by s.impact_score desc, s.n_complaints_4w desc, s.topic_id
        ) as impact_rank,
        d.survey_id as survey_driver_survey_id,
        d.share_importance as survey_nps_driver_share,
        d.fix_rank as survey_fix_rank
    from scored as s
    left join latest_topic_drivers as d on d.brand_id = s.brand_id and d.topic_id = s.topic_id
)

select * from final

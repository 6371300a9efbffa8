-- Topics ranked per brand by the estimated rating lift of fixing their complaints, as of each ISO week over the 4 weeks
-- ending it, with a 95 % interval (normal approximation, delta method) and the same estimate for the 4 weeks before:
--   lift = share of rated reviews complaining about the topic x (mean rating of the other rated reviews - mean rating
--          of those complaining), i.e. how much the brand's mean rating would rise if they rated like the rest.
-- The older composite (frequency x negativity x rating-gap factor x trend factor) stays as impact_score, each component
-- a column. Counts use each sentence's main topic (int_review_topics). The input to the digest's recommendations.
-- Documented in docs/marts.md#mart_impact.
-- When the brand runs surveys, the topic's share of the NPS driver analysis (mart_survey_drivers, latest survey) is
-- carried alongside, so a topic that both hurts reviews and moves survey NPS is visible as such.
-- contract:
--   unique_key: [brand_id, topic_id, week_start]
--   not_null: [brand_id, topic_id, topic_kind, week_start, iso_week, n_items_4w, n_mentions_4w, n_complaints_4w,
--              frequency, negativity, rating_gap_factor, trend_factor, impact_score, impact_rank, n_rated_4w,
--              n_rated_complaints_4w]
--   accepted_values:
--     topic_kind: [taxonomy, emerging]
--   ranges:
--     frequency: [0, 1]
--     negativity: [0, 1]
--     trend_factor: [0.25, 4]
with topic_weeks as (
    select * from mart_topics_weekly
),

reviews_src as (
    select * from stg_reviews where brand_id is not null
),

review_topics as (
    select * from int_review_topics
),

-- Rated reviews without any complaint (the baseline a fixed complaint would rate like), per brand-week.
complaint_free as (
    select
        r.brand_id,
        r.week_start,
        count(r.rating_5) as n_rated,
        count(r.rating_5) filter (
            where not exists (
                select 1 from review_topics as rt where rt.review_id = r.review_id and rt.complaint_weight > 0
            )
        ) as n_free,
        coalesce(sum(r.rating_5) filter (
            where not exists (
                select 1 from review_topics as rt where rt.review_id = r.review_id and rt.complaint_weight > 0
            )
        ), 0) as sum_free,
        coalesce(sum(r.rating_5 * r.rating_5) filter (
            where not exists (
                select 1 from review_topics as rt where rt.review_id = r.review_id and rt.complaint_weight > 0
            )
        ), 0) as sumsq_free
    from reviews_src as r
    group by r.brand_id, r.week_start
),

-- Moments of the topic's complaint share s and rating y over its rated complaining reviews.
complaint_moments as (
    select
        rt.brand_id,
        rt.topic_id,
        rt.week_start,
        count(*) as n_rated_c,
        sum(rt.rating_5) as y1,
        sum(rt.complaint_share) as s1,
        sum(rt.complaint_share * rt.complaint_share) as s2,
        sum(rt.complaint_share * rt.rating_5) as sy,
        sum(rt.complaint_share * rt.complaint_share * rt.rating_5) as s2y,
        sum(rt.complaint_share * rt.complaint_share * rt.rating_5 * rt.rating_5) as s2y2
    from review_topics as rt
    where rt.complaint_share > 0 and rt.rating_5 is not null
    group by rt.brand_id, rt.topic_id, rt.week_start
),

weekly as (
    select
        t.*,
        coalesce(f.n_rated, 0) as n_rated_all,
        coalesce(f.n_free, 0) as n_free,
        coalesce(f.sum_free, 0) as sum_free,
        coalesce(f.sumsq_free, 0) as sumsq_free,
        coalesce(c.n_rated_c, 0) as n_rated_c,
        coalesce(c.y1, 0) as y1,
        coalesce(c.s1, 0) as s1,
        coalesce(c.s2, 0) as s2,
        coalesce(c.sy, 0) as sy,
        coalesce(c.s2y, 0) as s2y,
        coalesce(c.s2y2, 0) as s2y2
    from topic_weeks as t
    left join complaint_free as f on f.brand_id = t.brand_id and f.week_start = t.week_start
    left join complaint_moments as c
        on c.brand_id = t.brand_id and c.topic_id = t.topic_id and c.week_start = t.week_start
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
        cast(coalesce(sum(t.n_complaints) over prev4, 0) as bigint) as n_complaints_prev4w,
        cast(sum(t.n_rated_all) over w4 as bigint) as n_rated_4w,
        cast(sum(t.n_rated_c) over w4 as bigint) as n_rated_complaints_4w,
        sum(t.n_free) over w4 as n_free_4w,
        sum(t.sum_free) over w4 as sum_free_4w,
        sum(t.sumsq_free) over w4 as sumsq_free_4w,
        sum(t.y1) over w4 as y1_4w,
        sum(t.s1) over w4 as s1_4w,
        sum(t.s2) over w4 as s2_4w,
        sum(t.sy) over w4 as sy_4w,
        sum(t.s2y) over w4 as s2y_4w,
        sum(t.s2y2) over w4 as s2y2_4w,
        cast(coalesce(sum(t.n_rated_all) over prev4, 0) as bigint) as n_rated_prev4w,
        cast(coalesce(sum(t.n_rated_c) over prev4, 0) as bigint) as n_rated_complaints_prev4w,
        coalesce(sum(t.n_free) over prev4, 0) as n_free_prev4w,
        coalesce(sum(t.sum_free) over prev4, 0) as sum_free_prev4w,
        coalesce(sum(t.sumsq_free) over prev4, 0) as sumsq_free_prev4w,
        coalesce(sum(t.s1) over prev4, 0) as s1_prev4w,
        coalesce(sum(t.s2) over prev4, 0) as s2_prev4w,
        coalesce(sum(t.sy) over prev4, 0) as sy_prev4w,
        coalesce(sum(t.s2y) over prev4, 0) as s2y_prev4w,
        coalesce(sum(t.s2y2) over prev4, 0) as s2y2_prev4w
    from weekly as t
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

-- lift = (1/n) sum_r s_r (m - y_r) over rated reviews r complaining about the topic: s_r its share of r's complaints,
-- y_r r's rating, m the mean rating of rated reviews without any complaint, n all rated reviews. Its variance: the
-- mean of x_r = s_r (m - y_r) over n reviews (x = 0 for the rest) plus the baseline's own: (s1/n)^2 var(y_free)/n_free.
-- The same for the 4 weeks before; the priority is the lift projected over the next 4 weeks, 2 x lift - lift_prev4w
-- (the change between the two windows continued; the window's own lift without a previous one), never below 0.
lift_parts as (
    select
        f.*,
        case when f.n_free_4w >= 2 then f.sum_free_4w / f.n_free_4w end as m_free,
        case
            when f.n_free_4w >= 2
                then greatest(f.sumsq_free_4w - f.sum_free_4w * f.sum_free_4w / f.n_free_4w, 0) / (f.n_free_4w - 1)
        end as var_free,
        case when f.n_free_prev4w >= 2 then f.sum_free_prev4w / f.n_free_prev4w end as m_free_prev,
        case
            when f.n_free_prev4w >= 2
                then greatest(f.sumsq_free_prev4w - f.sum_free_prev4w * f.sum_free_prev4w / f.n_free_prev4w, 0)
                    / (f.n_free_prev4w - 1)
        end as var_free_prev
    from factors as f
),

lifted as (
    select
        l.*,
        case
            when l.m_free is not null and l.n_rated_4w > 1 and l.n_rated_complaints_4w > 0
                then (l.s1_4w * l.m_free - l.sy_4w) / l.n_rated_4w
        end as lift,
        case
            when l.m_free is not null and l.n_rated_4w > 1 and l.n_rated_complaints_4w > 0
                then sqrt(
                    greatest(
                        (l.m_free * l.m_free * l.s2_4w - 2 * l.m_free * l.s2y_4w + l.s2y2_4w) / l.n_rated_4w
                        - power((l.s1_4w * l.m_free - l.sy_4w) / l.n_rated_4w, 2),
                        0
                    ) / (l.n_rated_4w - 1)
                    + power(l.s1_4w / l.n_rated_4w, 2) * l.var_free / l.n_free_4w
                )
        end as lift_se,
        case
            when l.m_free_prev is not null and l.n_rated_prev4w > 1
                then (l.s1_prev4w * l.m_free_prev - l.sy_prev4w) / l.n_rated_prev4w
        end as lift_prev4w,
        case
            when l.m_free_prev is not null and l.n_rated_prev4w > 1
                then sqrt(
                    greatest(
                        (l.m_free_prev * l.m_free_prev * l.s2_prev4w - 2 * l.m_free_prev * l.s2y_prev4w
                            + l.s2y2_prev4w) / l.n_rated_prev4w
                        - power((l.s1_prev4w * l.m_free_prev - l.sy_prev4w) / l.n_rated_prev4w, 2),
                        0
                    ) / (l.n_rated_prev4w - 1)
                    + power(l.s1_prev4w / l.n_rated_prev4w, 2) * l.var_free_prev / l.n_free_prev4w
                )
        end as lift_prev_se
    from lift_parts as l
),

projected as (
    select
        l.*,
        case
            when l.lift is null then null
            when l.lift_prev4w is null then l.lift
            else 2 * l.lift - l.lift_prev4w
        end as lift_projected,
        case
            when l.lift is null then null
            when l.lift_prev4w is null then l.lift_se
            else sqrt(4 * l.lift_se * l.lift_se + l.lift_prev_se * l.lift_prev_se)
        end as lift_projected_se
    from lifted as l
),

scored as (
    select
        f.*,
        1 + greatest(coalesce(f.rating_gap, 0), 0) as rating_gap_factor,
        f.frequency * f.negativity * (1 + greatest(coalesce(f.rating_gap, 0), 0)) * f.trend_factor as impact_score,
        f.frequency * greatest(coalesce(f.rating_gap, 0), 0) as rating_lift_if_fixed
    from projected as f
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
        s.n_rated_4w,
        s.n_rated_complaints_4w,
        s.n_rated_complaints_prev4w,
        case when s.n_rated_complaints_4w > 0 then s.y1_4w / s.n_rated_complaints_4w end as avg_rating_complaining,
        s.m_free as avg_rating_complaint_free,
        s.lift as lift_estimate,
        s.lift - 1.959964 * s.lift_se as lift_ci_low,
        s.lift + 1.959964 * s.lift_se as lift_ci_high,
        s.lift_prev4w,
        s.lift_prev4w - 1.959964 * s.lift_prev_se as lift_prev4w_ci_low,
        s.lift_prev4w + 1.959964 * s.lift_prev_se as lift_prev4w_ci_high,
        s.lift - s.lift_prev4w as lift_change,
        greatest(s.lift_projected, 0) as priority_lift,
        greatest(s.lift_projected - 1.959964 * s.lift_projected_se, 0) as priority_lift_ci_low,
        greatest(s.lift_projected + 1.959964 * s.lift_projected_se, 0) as priority_lift_ci_high,
        -- by the projected lift (unknown last), then the lift of the window itself, the composite, more complaints
        row_number() over (
            partition by s.brand_id, s.week_start
            order by greatest(s.lift_projected, 0) desc nulls last, s.lift desc nulls last, s.impact_score desc,
                s.n_complaints_4w desc, s.topic_id
        ) as impact_rank,
        d.survey_id as survey_driver_survey_id,
        d.share_importance as survey_nps_driver_share,
        d.fix_rank as survey_fix_rank
    from scored as s
    left join latest_topic_drivers as d on d.brand_id = s.brand_id and d.topic_id = s.topic_id
)

select * from final

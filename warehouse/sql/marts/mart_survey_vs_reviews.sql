-- Survey figures and review-based proxies side by side, per brand x period (ISO week, month, quarter). Survey side:
-- every survey of the brand pooled (NPS, CSAT share of satisfied). Review side: mart_brand_period, all platforms;
-- months and quarters are summed from its day rows, so counts are exact. Definitions of both sides and when to
-- trust the comparison: docs/metrics.md#review-based-proxies. A period with data on one side only keeps its row.
-- contract:
--   unique_key: [brand_id, period_grain, period_start]
--   not_null: [brand_id, period_grain, period_start, n_survey_nps, n_survey_csat, n_review_rated]
--   accepted_values:
--     period_grain: [week, month, quarter]
--   ranges:
--     survey_nps: [-1, 1]
--     survey_csat: [0, 1]
--     review_nps_proxy: [-1, 1]
--     review_csat: [0, 1]
--     nps_gap: [-2, 2]
--     csat_gap: [-1, 1]
with survey_responses as (
    select * from int_survey_responses
),

brand_period as (
    select * from mart_brand_period
),

grains as (
    select * from (values ('week'), ('month'), ('quarter')) as g(period_grain)
),

survey_side as (
    select
        r.brand_id,
        g.period_grain,
        case g.period_grain
            when 'week' then r.week_start
            when 'month' then r.month_start
            else r.quarter_start
        end as period_start,
        count(r.nps_score) as n_survey_nps,
        count(*) filter (where r.nps_group = 'promoter') as n_survey_promoters,
        count(*) filter (where r.nps_group = 'detractor') as n_survey_detractors,
        count(r.csat_score) as n_survey_csat,
        count(*) filter (where r.is_csat_satisfied) as n_survey_csat_satisfied
    from survey_responses as r
    cross join grains as g
    where r.brand_id is not null and r.responded_at is not null
    group by 1, 2, 3
),

review_weeks as (
    select
        b.brand_id,
        'week' as period_grain,
        b.period_start,
        b.n_rated,
        b.n_5,
        b.n_4,
        b.n_1 + b.n_2 + b.n_3 as n_low
    from brand_period as b
    where b.period_grain = 'week' and b.platform = 'all'
),

review_longer as (
    select
        b.brand_id,
        g.period_grain,
        case g.period_grain
            when 'month' then cast(date_trunc('month', b.period_start) as date)
            else cast(date_trunc('quarter', b.period_start) as date)
        end as period_start,
        sum(b.n_rated) as n_rated,
        sum(b.n_5) as n_5,
        sum(b.n_4) as n_4,
        sum(b.n_1 + b.n_2 + b.n_3) as n_low
    from brand_period as b
    cross join (select * from grains where period_grain <> 'week') as g
    where b.period_grain = 'day' and b.platform = 'all'
    group by 1, 2, 3
),

review_side as (
    select * from review_weeks
    union all
    select * from review_longer
),

joined as (
    select
        coalesce(s.brand_id, v.brand_id) as brand_id,
        coalesce(s.period_grain, v.period_grain) as period_grain,
        coalesce(s.period_start, v.period_start) as period_start,
        coalesce(s.n_survey_nps, 0) as n_survey_nps,
        s.n_survey_promoters,
        s.n_survey_detractors,
        coalesce(s.n_survey_csat, 0) as n_survey_csat,
        s.n_survey_csat_satisfied,
        coalesce(v.n_rated, 0) as n_review_rated,
        v.n_5,
        v.n_4,
        v.n_low
    from survey_side as s
    full outer join review_side as v
        on v.brand_id = s.brand_id and v.period_grain = s.period_grain and v.period_start = s.period_start
),

metrics as (
    select
        j.*,
        nps_value(j.n_survey_promoters, j.n_survey_detractors, j.n_survey_nps) as survey_nps,
        share_of(j.n_survey_csat_satisfied, j.n_survey_csat) as survey_csat,
        nps_value(j.n_5, j.n_low, j.n_review_rated) as review_nps_proxy,
        share_of(j.n_4 + j.n_5, j.n_review_rated) as review_csat
    from joined as j
),

final as (
    select
        m.brand_id,
        m.period_grain,
        m.period_start,
        m.n_survey_nps,
        m.survey_nps,
        m.n_survey_csat,
        m.survey_csat,
        m.n_review_rated,
        m.review_nps_proxy,
        m.review_csat,
        m.survey_nps - m.review_nps_proxy as nps_gap,
        m.survey_csat - m.review_csat as csat_gap
    from metrics as m
)

select * from final

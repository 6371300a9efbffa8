-- Survey CX indices per survey x period (all, day, week, month, quarter, year) x dimension value (all, segment,
-- channel, touchpoint: NPS by touchpoint is the transactional NPS). The one place the indices are computed:
-- `molva surveys indices` reads this mart. Formulas: docs/metrics.md, as macros in warehouse/sql/macros.sql. Shares are
-- fractions (0..1) and NPS is -1..1, like mart_brand_period; NSAT is 0..200 and CSI 0..100 by definition.
-- period_start convention: the first day of the period (weeks start on Monday). Grain 'all' (every response, dated or
-- not) has period_start = 0001-01-01; so have the undated responses at a dated grain, in their own group flagged
-- is_undated (they have no period). nps_change compares with the previous dated period of the same grain and group
-- that has NPS answers (prev_period_start), with a two-sided z-test p-value; grain 'all' and undated rows have none.
-- contract:
--   unique_key: [survey_id, period_grain, period_start, is_undated, dimension, dimension_value]
--   not_null: [survey_id, period_grain, period_start, is_undated, dimension, dimension_value, n_responses, n_nps,
--              n_promoters, n_passives, n_detractors, n_csat, n_csat_satisfied, n_ces, n_ces_easy]
--   accepted_values:
--     period_grain: [all, day, week, month, quarter, year]
--     dimension: [all, segment, channel, touchpoint]
--   ranges:
--     nps: [-1, 1]
--     nps_se: [0, 1]
--     nps_ci_low: [-1, 1]
--     nps_ci_high: [-1, 1]
--     csat: [0, 1]
--     share_ces_easy: [0, 1]
--     nsat: [0, 200]
--     cdsat: [0, 1]
--     csi: [0, 100]
--     nps_change: [-2, 2]
--     nps_change_p_value: [0, 1]
with responses as (
    select * from int_survey_responses
),

ratings as (
    select * from stg_survey_factor_ratings
),

weights as (
    select * from int_survey_csi_weights
),

surveys_src as (
    select * from stg_surveys
),

grains as (
    select * from (values ('all'), ('day'), ('week'), ('month'), ('quarter'), ('year')) as g(period_grain)
),

dimensions as (
    select * from (values ('all'), ('segment'), ('channel'), ('touchpoint')) as d(dimension)
),

response_groups as (
    select
        r.*,
        g.period_grain,
        case
            when g.period_grain = 'all' or r.responded_at is null then date '0001-01-01'
            when g.period_grain = 'day' then r.day_start
            when g.period_grain = 'week' then r.week_start
            when g.period_grain = 'month' then r.month_start
            when g.period_grain = 'quarter' then r.quarter_start
            else r.year_start
        end as period_start,
        g.period_grain <> 'all' and r.responded_at is null as is_undated,
        d.dimension,
        case d.dimension
            when 'all' then 'all'
            when 'segment' then coalesce(r.segment, '(none)')
            when 'channel' then coalesce(r.channel, '(none)')
            else coalesce(r.touchpoint, '(none)')
        end as dimension_value
    from responses as r
    cross join grains as g
    cross join dimensions as d
),

counts as (
    select
        rg.survey_id,
        rg.period_grain,
        rg.period_start,
        rg.is_undated,
        rg.dimension,
        rg.dimension_value,
        count(*) as n_responses,
        count(rg.nps_score) as n_nps,
        count(*) filter (where rg.nps_group = 'promoter') as n_promoters,
        count(*) filter (where rg.nps_group = 'passive') as n_passives,
        count(*) filter (where rg.nps_group = 'detractor') as n_detractors,
        count(rg.csat_score) as n_csat,
        count(*) filter (where rg.is_csat_satisfied) as n_csat_satisfied,
        count(*) filter (where rg.is_csat_top_box) as n_csat_top_box,
        count(*) filter (where rg.is_csat_bottom_two) as n_csat_bottom_two,
        avg(rg.csat_score) as csat_mean,
        count(rg.ces_score) as n_ces,
        count(*) filter (where rg.is_ces_easy) as n_ces_easy,
        avg(rg.ces_score) as ces_mean
    from response_groups as rg
    group by rg.survey_id, rg.period_grain, rg.period_start, rg.is_undated, rg.dimension, rg.dimension_value
),

factor_means as (
    select
        rg.survey_id,
        rg.period_grain,
        rg.period_start,
        rg.is_undated,
        rg.dimension,
        rg.dimension_value,
        f.factor,
        avg(f.rating_norm) as mean_norm
    from response_groups as rg
    inner join ratings as f on f.survey_id = rg.survey_id and f.respondent_id = rg.respondent_id
    group by rg.survey_id, rg.period_grain, rg.period_start, rg.is_undated, rg.dimension, rg.dimension_value, f.factor
),

csi as (
    -- weights re-normalised over the factors rated in the group
    select
        fm.survey_id,
        fm.period_grain,
        fm.period_start,
        fm.is_undated,
        fm.dimension,
        fm.dimension_value,
        csi_of(w.weight, fm.mean_norm) as csi
    from factor_means as fm
    inner join weights as w on w.survey_id = fm.survey_id and w.factor = fm.factor
    group by fm.survey_id, fm.period_grain, fm.period_start, fm.is_undated, fm.dimension, fm.dimension_value
),

shares as (
    select
        c.*,
        share_of(c.n_promoters, c.n_nps) as share_promoters,
        share_of(c.n_detractors, c.n_nps) as share_detractors,
        share_of(c.n_csat_satisfied, c.n_csat) as csat,
        share_of(c.n_csat_top_box, c.n_csat) as share_csat_top_box,
        share_of(c.n_csat_bottom_two, c.n_csat) as cdsat,
        share_of(c.n_ces_easy, c.n_ces) as share_ces_easy
    from counts as c
),

with_nps as (
    select
        s.*,
        nps_value(s.n_promoters, s.n_detractors, s.n_nps) as nps,
        nps_se(s.n_promoters, s.n_detractors, s.n_nps) as se_nps
    from shares as s
),

nps_changes as (
    select
        n.survey_id,
        n.period_grain,
        n.period_start,
        n.dimension,
        n.dimension_value,
        n.prev_period_start,
        n.nps - n.prev_nps as nps_change,
        sqrt(pow(n.se_nps, 2) + pow(n.prev_se_nps, 2)) as se_change
    from (
        select
            w.*,
            lag(w.period_start) over by_group as prev_period_start,
            lag(w.nps) over by_group as prev_nps,
            lag(w.se_nps) over by_group as prev_se_nps
        from with_nps as w
        where w.n_nps > 0 and w.period_grain <> 'all' and not w.is_undated
        window by_group as (
            partition by w.survey_id, w.period_grain, w.dimension, w.dimension_value order by w.period_start
        )
    ) as n
),

final as (
    select
        w.survey_id,
        sv.brand_id,
        w.period_grain,
        w.period_start,
        w.is_undated,
        w.dimension,
        w.dimension_value,
        w.n_responses,
        w.n_nps,
        w.n_promoters,
        w.n_passives,
        w.n_detractors,
        w.share_promoters,
        w.share_detractors,
        w.nps,
        w.se_nps as nps_se,
        nps_ci_low(w.n_promoters, w.n_detractors, w.n_nps) as nps_ci_low,
        nps_ci_high(w.n_promoters, w.n_detractors, w.n_nps) as nps_ci_high,
        w.n_csat,
        w.n_csat_satisfied,
        w.csat,
        wilson_low(w.n_csat_satisfied, w.n_csat) as csat_ci_low,
        wilson_high(w.n_csat_satisfied, w.n_csat) as csat_ci_high,
        w.csat_mean,
        w.share_csat_top_box,
        nsat(w.n_csat_top_box, w.n_csat_bottom_two, w.n_csat) as nsat,
        w.cdsat,
        w.n_ces,
        w.n_ces_easy,
        w.ces_mean,
        w.share_ces_easy,
        c.csi,
        ch.prev_period_start,
        ch.nps_change,
        nps_change_p_value(ch.nps_change, ch.se_change) as nps_change_p_value
    from with_nps as w
    inner join surveys_src as sv on sv.survey_id = w.survey_id
    left join nps_changes as ch
        on ch.survey_id = w.survey_id
        and ch.period_grain = w.period_grain
        and ch.period_start = w.period_start
        and not w.is_undated
        and ch.dimension = w.dimension
        and ch.dimension_value = w.dimension_value
    left join csi as c
        on c.survey_id = w.survey_id
        and c.period_grain = w.period_grain
        and c.period_start = w.period_start
        and c.is_undated = w.is_undated
        and c.dimension = w.dimension
        and c.dimension_value = w.dimension_value
)

select * from final

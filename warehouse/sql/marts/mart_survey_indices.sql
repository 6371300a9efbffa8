-- Survey CX indices per survey x period (week, month, quarter, year) x dimension value (all, segment, channel,
-- touchpoint: NPS by touchpoint is the transactional NPS). Formulas: docs/metrics.md. Shares are fractions (0..1)
-- and NPS is -1..1, like mart_brand_period; NSAT is 0..200 and CSI 0..100 by definition. Undated responses are left
-- out (they have no period); `molva surveys indices` shows them. nps_change compares with the previous period of the
-- same grain and group that has NPS answers (prev_period_start), with a two-sided z-test p-value.
-- contract:
--   unique_key: [survey_id, period_grain, period_start, dimension, dimension_value]
--   not_null: [survey_id, period_grain, period_start, dimension, dimension_value, n_responses, n_nps, n_promoters,
--              n_passives, n_detractors, n_csat, n_csat_satisfied, n_ces, n_ces_easy]
--   accepted_values:
--     period_grain: [week, month, quarter, year]
--     dimension: [all, segment, channel, touchpoint]
--   ranges:
--     nps: [-1, 1]
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
    select * from (values ('week'), ('month'), ('quarter'), ('year')) as g(period_grain)
),

dimensions as (
    select * from (values ('all'), ('segment'), ('channel'), ('touchpoint')) as d(dimension)
),

response_groups as (
    select
        r.*,
        g.period_grain,
        case g.period_grain
            when 'week' then r.week_start
            when 'month' then r.month_start
            when 'quarter' then r.quarter_start
            else r.year_start
        end as period_start,
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
    where r.responded_at is not null
),

counts as (
    select
        rg.survey_id,
        rg.period_grain,
        rg.period_start,
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
    group by rg.survey_id, rg.period_grain, rg.period_start, rg.dimension, rg.dimension_value
),

factor_means as (
    select
        rg.survey_id,
        rg.period_grain,
        rg.period_start,
        rg.dimension,
        rg.dimension_value,
        f.factor,
        avg(f.rating_norm) as mean_norm
    from response_groups as rg
    inner join ratings as f on f.survey_id = rg.survey_id and f.respondent_id = rg.respondent_id
    group by rg.survey_id, rg.period_grain, rg.period_start, rg.dimension, rg.dimension_value, f.factor
),

csi as (
    -- weights re-normalised over the factors rated in the group
    select
        fm.survey_id,
        fm.period_grain,
        fm.period_start,
        fm.dimension,
        fm.dimension_value,
        100 * sum(w.weight * fm.mean_norm) / nullif(sum(w.weight), 0) as csi
    from factor_means as fm
    inner join weights as w on w.survey_id = fm.survey_id and w.factor = fm.factor
    group by fm.survey_id, fm.period_grain, fm.period_start, fm.dimension, fm.dimension_value
),

shares as (
    select
        c.*,
        case when c.n_nps > 0 then c.n_promoters / c.n_nps end as share_promoters,
        case when c.n_nps > 0 then c.n_detractors / c.n_nps end as share_detractors,
        case when c.n_csat > 0 then c.n_csat_satisfied / c.n_csat end as csat,
        case when c.n_csat > 0 then c.n_csat_top_box / c.n_csat end as share_csat_top_box,
        case when c.n_csat > 0 then c.n_csat_bottom_two / c.n_csat end as cdsat,
        case when c.n_ces > 0 then c.n_ces_easy / c.n_ces end as share_ces_easy
    from counts as c
),

with_nps as (
    select
        s.*,
        s.share_promoters - s.share_detractors as nps,
        sqrt(net_share_var(s.share_promoters, s.share_detractors, s.n_nps)) as se_nps
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
        where w.n_nps > 0
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
        -- greatest/least skip nulls in DuckDB: guard so a group without NPS answers gets no interval
        case when w.n_nps > 0 then greatest(-1.0, w.nps - 1.96 * w.se_nps) end as nps_ci_low,
        case when w.n_nps > 0 then least(1.0, w.nps + 1.96 * w.se_nps) end as nps_ci_high,
        w.n_csat,
        w.n_csat_satisfied,
        w.csat,
        wilson_low(w.n_csat_satisfied, w.n_csat) as csat_ci_low,
        wilson_high(w.n_csat_satisfied, w.n_csat) as csat_ci_high,
        w.csat_mean,
        w.share_csat_top_box,
        case when w.n_csat > 0 then 100 * (w.share_csat_top_box - w.cdsat) + 100 end as nsat,
        w.cdsat,
        w.n_ces,
        w.n_ces_easy,
        w.ces_mean,
        w.share_ces_easy,
        c.csi,
        ch.prev_period_start,
        ch.nps_change,
        case when ch.se_change > 0 then two_sided_p(ch.nps_change / ch.se_change) end as nps_change_p_value
    from with_nps as w
    inner join surveys_src as sv on sv.survey_id = w.survey_id
    left join nps_changes as ch
        on ch.survey_id = w.survey_id
        and ch.period_grain = w.period_grain
        and ch.period_start = w.period_start
        and ch.dimension = w.dimension
        and ch.dimension_value = w.dimension_value
    left join csi as c
        on c.survey_id = w.survey_id
        and c.period_grain = w.period_grain
        and c.period_start = w.period_start
        and c.dimension = w.dimension
        and c.dimension_value = w.dimension_value
)

select * from final

-- Drivers of survey NPS and CSAT (Shapley value regression, `molva surveys drivers`) with the "fix first" rank:
-- the input the digest and mart_impact can read for survey evidence. Formulas: docs/metrics.md#driver-analysis.
-- contract:
--   unique_key: [survey_id, target, driver_kind, driver]
--   not_null: [survey_id, target, driver_kind, driver, method, importance_r2, share_importance, model_r2,
--              n_respondents, computed_at, is_fix_candidate]
--   accepted_values:
--     target: [nps, csat]
--     driver_kind: [factor, topic]
--     method: [shapley]
--   ranges:
--     share_importance: [0, 1]
--     model_r2: [0, 1]
--     performance: [0, 1]
with drivers as (
    select * from stg_survey_drivers
),

surveys_src as (
    select * from stg_surveys
),

final as (
    select
        d.survey_id,
        s.brand_id,
        d.target,
        d.driver_kind,
        d.driver,
        d.method,
        d.importance_r2,
        d.share_importance,
        d.direction,
        d.performance,
        d.priority,
        d.fix_rank,
        d.fix_rank is not null as is_fix_candidate,
        d.model_r2,
        d.n_respondents,
        d.computed_at
    from drivers as d
    inner join surveys_src as s on s.survey_id = d.survey_id
)

select * from final

-- CSI factors per survey: how each is rated (performance) and how much it weighs (importance), the inputs of an
-- importance-performance grid and of the CSI. Formulas: docs/metrics.md#csi.
-- contract:
--   unique_key: [survey_id, factor]
--   not_null: [survey_id, factor, n_ratings, mean_rating, mean_norm, weight, weight_source]
--   accepted_values:
--     weight_source: [declared, respondent, correlation, equal]
--   ranges:
--     mean_norm: [0, 1]
--     weight: [0, 1]
--     corr_overall: [-1, 1]
--     csi_contribution: [0, 100]
with ratings as (
    select * from stg_survey_factor_ratings
),

weights as (
    select * from int_survey_csi_weights
),

surveys_src as (
    select * from stg_surveys
),

performance as (
    select
        f.survey_id,
        f.factor,
        count(*) as n_ratings,
        avg(f.rating) as mean_rating,
        avg(f.rating_norm) as mean_norm
    from ratings as f
    group by f.survey_id, f.factor
),

final as (
    select
        p.survey_id,
        s.brand_id,
        p.factor,
        p.n_ratings,
        p.mean_rating,
        p.mean_norm,
        w.weight,
        w.weight_source,
        w.corr_overall,
        100 * w.weight * p.mean_norm as csi_contribution
    from performance as p
    inner join weights as w on w.survey_id = p.survey_id and w.factor = p.factor
    inner join surveys_src as s on s.survey_id = p.survey_id
)

select * from final

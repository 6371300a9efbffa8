-- CSI importance weight of every factor of every survey (summing to 1 per survey) and where it comes from:
-- declared in the mapping > respondents' own importance ratings > correlation with overall satisfaction
-- (negative correlations count 0) > equal. The one implementation: `molva surveys indices` and mart_survey_indices
-- both use these weights (docs/metrics.md).
with ratings as (
    select * from stg_survey_factor_ratings
),

declared as (
    select * from stg_survey_factor_weights
),

responses as (
    select * from int_survey_responses
),

factors as (
    select distinct
        f.survey_id,
        f.factor
    from ratings as f
),

given as (
    select
        f.survey_id,
        f.factor,
        avg(f.importance) as given_importance
    from ratings as f
    where f.importance is not null
    group by f.survey_id, f.factor
),

correlations as (
    select
        f.survey_id,
        f.factor,
        count(*) as n_pairs,
        importance_corr(f.rating_norm, r.overall_norm) as corr_overall
    from ratings as f
    inner join responses as r on r.survey_id = f.survey_id and r.respondent_id = f.respondent_id
    where r.overall_norm is not null
    group by f.survey_id, f.factor
),

candidates as (
    select
        fa.survey_id,
        fa.factor,
        d.declared_weight,
        g.given_importance,
        c.corr_overall,
        greatest(coalesce(c.corr_overall, 0), 0) as corr_weight
    from factors as fa
    left join declared as d on d.survey_id = fa.survey_id and d.factor = fa.factor
    left join given as g on g.survey_id = fa.survey_id and g.factor = fa.factor
    left join correlations as c on c.survey_id = fa.survey_id and c.factor = fa.factor
),

sources as (
    select
        c.survey_id,
        case
            when sum(coalesce(c.declared_weight, 0)) > 0 then 'declared'
            when sum(coalesce(c.given_importance, 0)) > 0 then 'respondent'
            when sum(c.corr_weight) > 0 then 'correlation'
            else 'equal'
        end as weight_source
    from candidates as c
    group by c.survey_id
),

raw as (
    select
        c.survey_id,
        c.factor,
        s.weight_source,
        c.corr_overall,
        case s.weight_source
            when 'declared' then coalesce(c.declared_weight, 0)
            when 'respondent' then coalesce(c.given_importance, 0)
            when 'correlation' then c.corr_weight
            else 1.0
        end as raw_weight
    from candidates as c
    inner join sources as s on s.survey_id = c.survey_id
),

final as (
    select
        r.survey_id,
        r.factor,
        r.weight_source,
        r.corr_overall,
        r.raw_weight / sum(r.raw_weight) over (partition by r.survey_id) as weight
    from raw as r
)

select * from final

-- Driver analysis results (warehouse/surveys/drivers.py): Shapley importance and the fix-first rank.
with source as (
    select * from survey_drivers
),

final as (
    select
        cast(d.survey_id as varchar) as survey_id,
        cast(d.target as varchar) as target,
        cast(d.driver as varchar) as driver,
        cast(d.driver_kind as varchar) as driver_kind,
        cast(d.method as varchar) as method,
        cast(d.importance as double) as importance_r2,
        cast(d.share_importance as double) as share_importance,
        cast(d.direction as double) as direction,
        cast(d.performance as double) as performance,
        cast(d.priority as double) as priority,
        cast(d.fix_rank as integer) as fix_rank,
        cast(d.r2 as double) as model_r2,
        cast(d.n_respondents as integer) as n_respondents,
        cast(d.computed_at as timestamp) as computed_at
    from source as d
)

select * from final

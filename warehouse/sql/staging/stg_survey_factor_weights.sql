-- Importance weights of CSI factors declared in the survey mapping.
with source as (
    select * from survey_factor_weights
),

final as (
    select
        cast(w.survey_id as varchar) as survey_id,
        cast(w.factor as varchar) as factor,
        cast(w.weight as double) as declared_weight
    from source as w
)

select * from final

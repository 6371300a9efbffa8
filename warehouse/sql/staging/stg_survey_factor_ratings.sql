-- CSI factor ratings, with the rating normalised to 0..1 on the factor's own scale.
with source as (
    select * from survey_factor_ratings
),

final as (
    select
        cast(f.survey_id as varchar) as survey_id,
        cast(f.respondent_id as varchar) as respondent_id,
        cast(f.factor as varchar) as factor,
        cast(f.rating as double) as rating,
        cast((f.rating - f.rating_min) / (f.rating_max - f.rating_min) as double) as rating_norm,
        cast(f.importance as double) as importance
    from source as f
)

select * from final

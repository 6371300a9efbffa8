-- One row per survey: its brand and answer scales (thresholds that classify CSAT and CES answers).
with source as (
    select * from surveys
),

final as (
    select
        cast(s.survey_id as varchar) as survey_id,
        cast(s.brand_id as varchar) as brand_id,
        cast(coalesce(s.name, s.survey_id) as varchar) as survey_name,
        cast(s.tool as varchar) as survey_tool,
        cast(s.csat_min as double) as csat_min,
        cast(s.csat_max as double) as csat_max,
        cast(s.csat_satisfied_min as double) as csat_satisfied_min,
        cast(s.ces_min as double) as ces_min,
        cast(s.ces_max as double) as ces_max,
        cast(s.ces_easy_min as double) as ces_easy_min
    from source as s
)

select * from final

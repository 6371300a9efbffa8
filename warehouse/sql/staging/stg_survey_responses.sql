-- One row per survey respondent; scores as answered on the survey's scales (null = not answered).
with source as (
    select * from survey_responses
),

final as (
    select
        cast(r.survey_id as varchar) as survey_id,
        cast(r.respondent_id as varchar) as respondent_id,
        cast(r.brand_id as varchar) as brand_id,
        cast(r.responded_at as timestamp) as responded_at,
        cast(r.responded_at as date) as response_date,
        cast(r.channel as varchar) as channel,
        cast(r.segment as varchar) as segment,
        cast(r.touchpoint as varchar) as touchpoint,
        cast(r.nps_score as double) as nps_score,
        cast(r.csat_score as double) as csat_score,
        cast(r.ces_score as double) as ces_score,
        cast(r.overall_sat as double) as overall_sat_norm
    from source as r
)

select * from final

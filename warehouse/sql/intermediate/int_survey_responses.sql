-- Survey responses with their NPS group, CSAT/CES classes on the survey's own scale and period starts.
-- Shared by mart_survey_indices, mart_survey_vs_reviews, mart_survey_topics_nps and int_survey_csi_weights.
with responses as (
    select * from stg_survey_responses
),

surveys_src as (
    select * from stg_surveys
),

final as (
    select
        r.survey_id,
        r.respondent_id,
        coalesce(r.brand_id, s.brand_id) as brand_id,
        r.responded_at,
        r.response_date,
        cast(r.responded_at as date) as day_start,
        cast(date_trunc('week', r.responded_at) as date) as week_start,
        cast(date_trunc('month', r.responded_at) as date) as month_start,
        cast(date_trunc('quarter', r.responded_at) as date) as quarter_start,
        cast(date_trunc('year', r.responded_at) as date) as year_start,
        r.channel,
        r.segment,
        r.touchpoint,
        r.nps_score,
        nps_group(r.nps_score) as nps_group,
        r.csat_score,
        r.csat_score >= s.csat_satisfied_min as is_csat_satisfied,
        r.csat_score >= s.csat_max as is_csat_top_box,
        r.csat_score <= s.csat_min + 1 as is_csat_bottom_two,
        (r.csat_score - s.csat_min) / (s.csat_max - s.csat_min) as csat_norm,
        r.ces_score,
        r.ces_score >= s.ces_easy_min as is_ces_easy,
        -- overall satisfaction for correlation-derived CSI importance: the overall question, else CSAT, else NPS
        coalesce(r.overall_sat_norm, (r.csat_score - s.csat_min) / (s.csat_max - s.csat_min), r.nps_score / 10)
            as overall_norm
    from responses as r
    inner join surveys_src as s on s.survey_id = r.survey_id
)

select * from final

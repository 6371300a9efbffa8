-- Survey NPS and CSAT next to the review-based proxies for the periods containing the digest's week (the week, its
-- month and its quarter), when the brand has survey answers in them. Parameters: $brand_id, $week_start.
select
    sv.period_grain,
    sv.period_start,
    sv.n_survey_nps,
    sv.survey_nps,
    sv.n_survey_csat,
    sv.survey_csat,
    sv.n_review_rated,
    sv.review_nps_proxy,
    sv.review_csat,
    sv.nps_gap,
    sv.csat_gap
from mart_survey_vs_reviews as sv
where sv.brand_id = $brand_id
    and (sv.n_survey_nps > 0 or sv.n_survey_csat > 0)
    and (
        (sv.period_grain = 'week' and sv.period_start = $week_start)
        or (sv.period_grain = 'month' and sv.period_start = cast(date_trunc('month', $week_start) as date))
        or (sv.period_grain = 'quarter' and sv.period_start = cast(date_trunc('quarter', $week_start) as date))
    )
order by case sv.period_grain when 'week' then 1 when 'month' then 2 else 3 end

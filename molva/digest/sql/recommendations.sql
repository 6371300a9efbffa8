-- Topics ranked by the estimated rating lift of fixing their complaints (mart_impact.priority_lift: the last 4 weeks'
-- lift projected with the change against the 4 weeks before, 95 % interval), with this week's complaints.
-- Parameters: $brand_id, $week_start, $limit.
select
    i.topic_id,
    i.topic_kind,
    i.topic_label_en,
    i.topic_label_ru,
    i.topic_stage,
    i.iso_week,
    i.n_items_4w,
    i.n_mentions_4w,
    i.n_complaints_4w,
    i.n_praise_4w,
    i.n_complaints_prev4w,
    i.expected_complaints_4w,
    i.frequency,
    i.negativity,
    i.avg_rating_with_topic,
    i.avg_rating_without_topic,
    i.rating_gap,
    i.trend_factor,
    i.impact_score,
    i.rating_lift_if_fixed,
    i.avg_rating_complaining,
    i.avg_rating_complaint_free,
    i.lift_estimate,
    i.lift_ci_low,
    i.lift_ci_high,
    i.lift_prev4w,
    i.lift_change,
    i.priority_lift,
    i.priority_lift_ci_low,
    i.priority_lift_ci_high,
    i.impact_rank,
    i.survey_nps_driver_share,
    i.survey_fix_rank,
    coalesce(w.n_complaints, 0) as n_complaints_week,
    coalesce(w.n_reviews_week, 0) as n_reviews_week
from mart_impact as i
left join mart_topics_weekly as w
    on w.brand_id = i.brand_id and w.topic_id = i.topic_id and w.week_start = i.week_start
where i.brand_id = $brand_id and i.week_start = $week_start and i.n_complaints_4w > 0 and i.priority_lift > 0
order by i.impact_rank
limit $limit

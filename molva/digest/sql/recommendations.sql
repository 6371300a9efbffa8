-- Topics ranked by impact for the brand over the 4 weeks ending the digest's week: the input to recommendations.
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
    i.impact_rank,
    i.survey_nps_driver_share,
    i.survey_fix_rank
from mart_impact as i
where i.brand_id = $brand_id and i.week_start = $week_start and i.n_complaints_4w > 0
order by i.impact_rank
limit $limit

-- The brand's complaint topics this week, anomalies first, then by the rise against the previous 4 weeks' average.
-- Parameters: $brand_id, $week_start, $limit.
select
    t.topic_id,
    t.topic_kind,
    t.topic_label_en,
    t.topic_label_ru,
    t.topic_stage,
    t.iso_week,
    t.n_reviews_week,
    t.n_mentions,
    t.n_complaints,
    t.share_complaints,
    t.prev4_complaints,
    t.prev4_share_complaints,
    t.change_complaints,
    t.change_complaints_pct,
    t.change_share_complaints,
    t.expected_complaints,
    t.anomaly_p_value,
    t.is_anomaly,
    t.anomaly_reason,
    t.avg_rating_mentions
from mart_topics_weekly as t
where t.brand_id = $brand_id and t.week_start = $week_start and t.n_complaints > 0
order by t.is_anomaly desc, t.change_complaints desc, t.n_complaints desc, t.topic_id
limit $limit

-- Complaint anomalies this week for every brand (own brand first), with the mart's one-line explanation.
-- Parameters: $brand_id, $week_start.
select
    t.brand_id,
    t.brand_id = $brand_id as is_digest_brand,
    t.topic_id,
    t.topic_label_en,
    t.topic_label_ru,
    t.topic_stage,
    t.iso_week,
    t.n_complaints,
    t.expected_complaints,
    t.anomaly_p_value,
    t.anomaly_reason
from mart_topics_weekly as t
where t.week_start = $week_start and t.is_anomaly
order by is_digest_brand desc, t.anomaly_p_value, t.brand_id, t.topic_id

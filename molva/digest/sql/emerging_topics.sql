-- Emerging topics (found by clustering, not in the taxonomy) and topics the brand's reviews mention for the first time.
-- Parameters: $brand_id, $week_start, $limit.
select
    t.topic_id,
    t.topic_kind,
    t.topic_label_en,
    t.topic_label_ru,
    t.topic_first_seen_at,
    t.iso_week,
    t.n_mentions,
    t.n_complaints,
    t.n_praise,
    t.share_reviews,
    t.prev4_mentions,
    t.is_new_topic
from mart_topics_weekly as t
where t.brand_id = $brand_id and t.week_start = $week_start and t.n_mentions > 0
    and (t.topic_kind = 'emerging' or t.is_new_topic)
order by t.is_new_topic desc, t.n_mentions desc, t.topic_id
limit $limit

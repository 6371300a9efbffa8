-- What customers praised most this week. Parameters: $brand_id, $week_start, $limit.
select
    t.topic_id,
    t.topic_kind,
    t.topic_label_en,
    t.topic_label_ru,
    t.topic_stage,
    t.iso_week,
    t.n_reviews_week,
    t.n_mentions,
    t.n_praise,
    t.share_praise,
    t.prev4_praise,
    t.n_praise - t.prev4_praise / 4.0 as change_praise
from mart_topics_weekly as t
where t.brand_id = $brand_id and t.week_start = $week_start and t.n_praise > 0
order by t.n_praise desc, t.topic_id
limit $limit

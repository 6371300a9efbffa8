-- Last week's recommendations (digest_recommendations) against this week's complaints on the same topics.
-- Parameters: $brand_id, $week_start.
select
    d.topic_id,
    d.rec_rank,
    d.team,
    d.iso_week as recommended_in,
    d.n_complaints_week as n_complaints_then,
    d.n_reviews_week as n_reviews_then,
    coalesce(w.n_complaints, 0) as n_complaints_now,
    coalesce(w.n_reviews_week, b.n_reviews_week, 0) as n_reviews_now,
    coalesce(w.topic_label_en, t.label_en, d.topic_id) as topic_label_en,
    coalesce(w.topic_label_ru, t.label_ru, t.label_en, d.topic_id) as topic_label_ru
from digest_recommendations as d
left join mart_topics_weekly as w
    on w.brand_id = d.brand_id and w.topic_id = d.topic_id and w.week_start = $week_start
left join (
    select distinct brand_id, n_reviews_week from mart_topics_weekly where week_start = $week_start
) as b on b.brand_id = d.brand_id
left join topics as t on t.topic_id = d.topic_id
where d.brand_id = $brand_id and d.week_start = $week_start - interval 7 day
order by d.rec_rank

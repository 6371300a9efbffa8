-- Emerging topics (found by clustering, not in the taxonomy) and topics the brand's reviews mention for the first time,
-- over the 4 weeks ending the digest's week, shown only with enough support: at least $min_mentions sentences whose
-- main topic it is, in at least $min_reviews different reviews. Parameters: $brand_id, $week_start, $min_mentions,
-- $min_reviews, $limit.
with window_rows as (
    select *
    from mart_topics_weekly as t
    where t.brand_id = $brand_id
        and t.week_start > $week_start - interval 28 day
        and t.week_start <= $week_start
),

supported as (
    select
        w.topic_id,
        any_value(w.topic_kind) as topic_kind,
        any_value(w.topic_label_en) as topic_label_en,
        any_value(w.topic_label_ru) as topic_label_ru,
        any_value(w.topic_first_seen_at) as topic_first_seen_at,
        cast(sum(w.n_sentence_mentions) as bigint) as n_sentence_mentions,
        cast(sum(w.n_mentions) as bigint) as n_mentions,
        cast(sum(w.n_complaints) as bigint) as n_complaints,
        cast(sum(w.n_praise) as bigint) as n_praise,
        sum(w.n_mentions) / nullif(sum(w.n_reviews_week), 0) as share_reviews,
        bool_or(w.is_new_topic) as is_new_topic
    from window_rows as w
    group by w.topic_id
)

select *
from supported as s
where (s.topic_kind = 'emerging' or s.is_new_topic)
    and s.n_sentence_mentions >= $min_mentions
    and s.n_mentions >= $min_reviews
order by s.is_new_topic desc, s.n_mentions desc, s.topic_id
limit $limit

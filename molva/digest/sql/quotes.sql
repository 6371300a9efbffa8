-- Quotable sentences (complaints and praise) of the brand over the 4 weeks ending the digest's week, each linked to its
-- review id and URL. Authors are not selected. Parameters: $brand_id, $week_start.
select
    e.topic_id,
    e.week_start,
    e.iso_week,
    e.mention_kind,
    e.evidence_rank,
    e.review_id,
    e.sentence_index,
    e.sentence_text,
    e.review_url,
    e.platform,
    e.language,
    e.rating_5,
    e.published_at,
    e.topic_score
from mart_topic_evidence as e
where e.brand_id = $brand_id
    and e.week_start > $week_start - interval 28 day
    and e.week_start <= $week_start
order by e.topic_id, e.mention_kind, e.week_start desc, e.evidence_rank

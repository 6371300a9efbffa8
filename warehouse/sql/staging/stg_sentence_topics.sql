-- Current topic assignments: only sentences cut from the review's current content, merged topics resolved.
with assignments as (
    select * from sentence_topics
),

reviews_src as (
    select review_id, content_hash from reviews
),

topics_src as (
    select * from stg_topics
),

final as (
    select
        a.review_id,
        a.sentence_index,
        t.effective_topic_id as topic_id,
        a.polarity,
        a.kind as mention_kind,
        cast(a.score as double) as topic_score,
        a.start_char,
        a.end_char
    from assignments as a
    inner join reviews_src as r on r.review_id = a.review_id and r.content_hash = a.content_hash
    inner join topics_src as t on t.topic_id = a.topic_id
    qualify row_number() over (
        partition by a.review_id, a.sentence_index, t.effective_topic_id order by a.score desc
    ) = 1
)

select * from final

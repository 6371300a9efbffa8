-- Current topic assignments: only sentences cut from the review's current content, merged topics resolved. When a
-- sentence has both a topic and one merged into it, the surviving topic's own assignment is kept.
with assignments as (
    select * from sentence_topics
),

reviews_src as (
    select review_id, content_hash from reviews
),

topics_src as (
    select * from stg_topics
),

-- unique already: (review_id, sentence_index, topic_id) is the table's key
direct as (
    select
        a.review_id,
        a.sentence_index,
        a.topic_id,
        a.polarity,
        a.kind as mention_kind,
        cast(a.score as double) as topic_score,
        a.start_char,
        a.end_char
    from assignments as a
    inner join reviews_src as r on r.review_id = a.review_id and r.content_hash = a.content_hash
    inner join topics_src as t on t.topic_id = a.topic_id and t.effective_topic_id = t.topic_id
),

-- the few rows of merged topics, reported under the surviving topic unless the sentence already has that one
via_merge as (
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
    inner join topics_src as t on t.topic_id = a.topic_id and t.effective_topic_id <> t.topic_id
    inner join reviews_src as r on r.review_id = a.review_id and r.content_hash = a.content_hash
    where not exists (
        select 1
        from assignments as kept
        where kept.review_id = a.review_id
            and kept.sentence_index = a.sentence_index
            and kept.topic_id = t.effective_topic_id
            and kept.content_hash = a.content_hash
    )
    qualify row_number() over (
        partition by a.review_id, a.sentence_index, t.effective_topic_id order by a.score desc, a.topic_id
    ) = 1
),

final as (
    select
        u.review_id,
        u.sentence_index,
        u.topic_id,
        u.polarity,
        u.mention_kind,
        u.topic_score,
        u.start_char,
        u.end_char
    from (
        select * from direct
        union all
        select * from via_merge
    ) as u
)

select * from final

-- Current topic assignments: only sentences cut from the review's current content, merged topics resolved. When a
-- sentence has both a topic and one merged into it, the surviving topic's own assignment is kept.
-- is_main / topic_weight: the sentence's main topic and its share (migration 034, nlp/topics/main.py), renormalised
-- over the rows kept here so a sentence's weights still sum to one; rows stored without weights (all 0 for their
-- sentence) fall back to the highest-scoring topic as the main one, weight 1.
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
        a.end_char,
        coalesce(a.is_main, false) as stored_is_main,
        coalesce(a.weight, 0) as stored_weight
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
        a.end_char,
        coalesce(a.is_main, false) as stored_is_main,
        coalesce(a.weight, 0) as stored_weight
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

resolved as (
    select * from direct
    union all
    select * from via_merge
),

ranked as (
    select
        u.*,
        row_number() over (
            partition by u.review_id, u.sentence_index
            order by u.stored_weight desc, u.stored_is_main desc, u.topic_score desc, u.topic_id
        ) as topic_rank,
        sum(u.stored_weight) over (partition by u.review_id, u.sentence_index) as sentence_weight
    from resolved as u
),

final as (
    select
        k.review_id,
        k.sentence_index,
        k.topic_id,
        k.polarity,
        k.mention_kind,
        k.topic_score,
        k.start_char,
        k.end_char,
        k.topic_rank = 1 as is_main,
        case
            when k.sentence_weight > 0 then k.stored_weight / k.sentence_weight
            when k.topic_rank = 1 then 1.0
            else 0.0
        end as topic_weight
    from ranked as k
)

select * from final

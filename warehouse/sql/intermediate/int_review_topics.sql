-- One row per counted review x topic, from each sentence's main (and as-strong secondary) topic only: a review counts
-- once per topic however many sentences mention it, and a sentence counts for at most two topics whose weights sum to
-- one (docs/topics.md#one-main-topic-per-sentence). Shared by mart_topics_weekly and mart_impact.
with reviews_src as (
    select * from stg_reviews where brand_id is not null
),

assignments as (
    select * from stg_sentence_topics where topic_weight > 0
),

by_topic as (
    select
        r.brand_id,
        r.week_start,
        r.review_id,
        r.rating_5,
        a.topic_id,
        count(*) as n_sentences,
        sum(a.topic_weight) as sum_weight,
        coalesce(sum(a.topic_weight) filter (where a.mention_kind = 'complaint'), 0) as complaint_weight,
        bool_or(a.mention_kind = 'complaint') as is_complaint,
        bool_or(a.mention_kind = 'praise') as is_praise
    from assignments as a
    inner join reviews_src as r on r.review_id = a.review_id
    group by r.brand_id, r.week_start, r.review_id, r.rating_5, a.topic_id
),

-- complaint_share: the topic's part of the review's complaints (complaint sentence weights, summing to one over the
-- topics a review complains about), so a review's rating penalty is split between its complaints, not multiplied
final as (
    select
        b.*,
        case
            when b.complaint_weight > 0
                then b.complaint_weight / sum(b.complaint_weight) over (partition by b.review_id)
            else 0
        end as complaint_share
    from by_topic as b
)

select * from final

-- Up to 5 quotable sentences per brand x topic x ISO week x complaint/praise/neutral: the evidence the digest quotes,
-- each traceable to its review id and URL. Only sentences whose main topic is the topic are evidence for it (a late
-- courier scored higher as delivery is never a "waiting times" quote), and only counted reviews (a duplicate cluster's
-- canonical review, no spam). Authors are never included. Documented in docs/marts.md#mart_topic_evidence.
-- contract:
--   unique_key: [brand_id, topic_id, week_start, mention_kind, evidence_rank]
--   not_null: [brand_id, topic_id, week_start, iso_week, mention_kind, evidence_rank, review_id, sentence_index,
--              sentence_text, platform]
--   accepted_values:
--     mention_kind: [complaint, praise, neutral]
--     evidence_rank: [1, 2, 3, 4, 5]
with reviews_src as (
    select * from stg_reviews where brand_id is not null
),

assignments as (
    select * from stg_sentence_topics where is_main
),

candidates as (
    select
        r.brand_id,
        a.topic_id,
        r.week_start,
        a.mention_kind,
        r.review_id,
        a.sentence_index,
        a.start_char,
        a.end_char,
        a.topic_score
    from assignments as a
    inner join reviews_src as r on r.review_id = a.review_id
    where a.start_char is not null and a.end_char > a.start_char
),

-- ranked on the offsets alone; the sentence text is cut only for the five rows kept
ranked as (
    select
        c.*,
        row_number() over (
            partition by c.brand_id, c.topic_id, c.week_start, c.mention_kind
            -- strongest match first; prefer sentences of quotable length; stable tie-break on ids
            order by c.topic_score desc nulls last, abs(c.end_char - c.start_char - 120), c.review_id, c.sentence_index
        ) as evidence_rank
    from candidates as c
    qualify evidence_rank <= 5
),

final as (
    select
        rk.brand_id,
        rk.topic_id,
        rk.week_start,
        strftime(rk.week_start, '%G-W%V') as iso_week,
        rk.mention_kind,
        rk.evidence_rank,
        rk.review_id,
        rk.sentence_index,
        trim(substr(r.text, rk.start_char + 1, rk.end_char - rk.start_char)) as sentence_text,
        r.review_url,
        r.platform,
        r.language,
        r.rating_5,
        r.event_at as published_at,
        rk.topic_score
    from ranked as rk
    inner join reviews_src as r on r.review_id = rk.review_id
)

select * from final

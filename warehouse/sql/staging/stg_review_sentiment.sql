-- The current review-level sentiment: the row classified from the review's current content; the configured model
-- ($sentiment_model, null = none configured) is preferred, otherwise the most recently classified model.
with sentiment as (
    select * from review_sentiment
),

reviews_src as (
    select review_id, content_hash from reviews
),

current_rows as (
    select s.*
    from sentiment as s
    inner join reviews_src as r on r.review_id = s.review_id and r.content_hash = s.content_hash
),

-- (review_id, model_name) is the table's key, so the configured model gives at most one row per review
preferred as (
    select c.* from current_rows as c where c.model_name = $sentiment_model
),

fallback as (
    select c.*
    from current_rows as c
    left join preferred as p on p.review_id = c.review_id
    where p.review_id is null
    qualify row_number() over (partition by c.review_id order by c.classified_at desc, c.model_name) = 1
),

final as (
    select
        u.review_id,
        u.model_name as sentiment_model,
        u.model_version as sentiment_model_version,
        u.label as sentiment_label,
        cast(u.score as double) as sentiment_score,
        cast(u.p_negative as double) as p_negative,
        cast(u.p_mixed as double) as p_mixed,
        cast(u.p_positive as double) as p_positive,
        cast(u.p_none as double) as p_none,
        u.classified_at
    from (
        select * from preferred
        union all
        select * from fallback
    ) as u
)

select * from final

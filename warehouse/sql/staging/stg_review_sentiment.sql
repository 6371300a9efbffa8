-- The current review-level sentiment: the row classified from the review's current content; the configured model
-- ({{ sentiment_model }}, null = none configured) is preferred, otherwise the most recently classified model.
with sentiment as (
    select * from review_sentiment
),

reviews_src as (
    select review_id, content_hash from reviews
),

current_rows as (
    select
        s.review_id,
        s.model_name as sentiment_model,
        s.model_version as sentiment_model_version,
        s.label as sentiment_label,
        cast(s.score as double) as sentiment_score,
        cast(s.p_negative as double) as p_negative,
        cast(s.p_neutral as double) as p_neutral,
        cast(s.p_positive as double) as p_positive,
        s.classified_at
    from sentiment as s
    inner join reviews_src as r on r.review_id = s.review_id and r.content_hash = s.content_hash
    qualify row_number() over (
        partition by s.review_id
        order by coalesce(s.model_name = {{ sentiment_model }}, false) desc, s.classified_at desc, s.model_name
    ) = 1
),

final as (
    select * from current_rows
)

select * from final

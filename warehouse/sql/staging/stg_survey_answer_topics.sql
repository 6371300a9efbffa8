-- Topics found in open-text survey answers (warehouse/surveys/tagging.py).
with source as (
    select * from survey_answer_topics
),

final as (
    select
        cast(t.survey_id as varchar) as survey_id,
        cast(t.respondent_id as varchar) as respondent_id,
        cast(t.question as varchar) as question,
        cast(t.topic_id as varchar) as topic_id,
        cast(t.score as double) as topic_score
    from source as t
)

select * from final

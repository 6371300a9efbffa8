-- Open-text survey answers, one row per respondent and question.
with source as (
    select * from survey_open_answers
),

final as (
    select
        cast(a.survey_id as varchar) as survey_id,
        cast(a.respondent_id as varchar) as respondent_id,
        cast(a.question as varchar) as question,
        cast(a.answer_text as varchar) as answer_text
    from source as a
)

select * from final

-- Topics of open survey answers cross-tabulated with NPS groups: the share of each group's respondents (who gave
-- any open answer) mentioning the topic, and the gap detractors - promoters ("what detractors talk about that
-- promoters don't" = the largest gaps). The one place this is computed: `molva surveys topics` reads this mart. A
-- respondent counts once per topic however many answers mention it.
-- contract:
--   unique_key: [survey_id, topic_id]
--   not_null: [survey_id, topic_id, n_detractors, n_passives, n_promoters, share_detractors, share_passives,
--              share_promoters, gap_detractors_promoters]
--   ranges:
--     share_detractors: [0, 1]
--     share_passives: [0, 1]
--     share_promoters: [0, 1]
--     gap_detractors_promoters: [-1, 1]
with responses as (
    select * from int_survey_responses
),

answers as (
    select * from stg_survey_open_answers
),

topics as (
    select * from stg_survey_answer_topics
),

surveys_src as (
    select * from stg_surveys
),

answered as (
    select distinct
        r.survey_id,
        r.respondent_id,
        r.nps_group
    from responses as r
    inner join answers as a on a.survey_id = r.survey_id and a.respondent_id = r.respondent_id
    where r.nps_group is not null
),

group_sizes as (
    select
        an.survey_id,
        count(*) filter (where an.nps_group = 'detractor') as n_answered_detractors,
        count(*) filter (where an.nps_group = 'passive') as n_answered_passives,
        count(*) filter (where an.nps_group = 'promoter') as n_answered_promoters
    from answered as an
    group by an.survey_id
),

mentions as (
    select distinct
        t.survey_id,
        t.respondent_id,
        t.topic_id
    from topics as t
),

counts as (
    select
        m.survey_id,
        m.topic_id,
        count(*) filter (where an.nps_group = 'detractor') as n_detractors,
        count(*) filter (where an.nps_group = 'passive') as n_passives,
        count(*) filter (where an.nps_group = 'promoter') as n_promoters
    from mentions as m
    inner join answered as an on an.survey_id = m.survey_id and an.respondent_id = m.respondent_id
    group by m.survey_id, m.topic_id
),

shares as (
    select
        c.*,
        coalesce(c.n_detractors / nullif(g.n_answered_detractors, 0), 0) as share_detractors,
        coalesce(c.n_passives / nullif(g.n_answered_passives, 0), 0) as share_passives,
        coalesce(c.n_promoters / nullif(g.n_answered_promoters, 0), 0) as share_promoters
    from counts as c
    inner join group_sizes as g on g.survey_id = c.survey_id
),

final as (
    select
        sh.survey_id,
        s.brand_id,
        sh.topic_id,
        sh.n_detractors,
        sh.n_passives,
        sh.n_promoters,
        sh.share_detractors,
        sh.share_passives,
        sh.share_promoters,
        sh.share_detractors - sh.share_promoters as gap_detractors_promoters
    from shares as sh
    inner join surveys_src as s on s.survey_id = sh.survey_id
)

select * from final

-- 034: one main topic per sentence (docs/topics.md#one-main-topic-per-sentence). `is_main` marks the sentence's main
-- topic, `weight` its share of the sentence (1 alone, 0.5 each for a main and an as-strong secondary, 0 otherwise), so
-- marts count each sentence once. The update re-applies the rule of nlp/topics/main.py to the rows stored before;
-- enrichment keeps both columns current from then on.

alter table sentence_topics add column if not exists is_main boolean default false;
alter table sentence_topics add column if not exists weight double default 0;
update sentence_topics as st
set is_main = m.is_main, weight = m.weight
from (
    with ranked as (
        select
            a.review_id,
            a.sentence_index,
            a.topic_id,
            a.score,
            coalesce(t.kind = 'emerging', false) as is_emerging,
            row_number() over w as topic_rank,
            first_value(a.score) over w as main_score,
            first_value(coalesce(t.kind = 'emerging', false)) over w as main_is_emerging
        from sentence_topics as a
        left join topics as t on t.topic_id = a.topic_id
        
        window w as (
            partition by a.review_id, a.sentence_index
            order by coalesce(t.kind = 'emerging', false), a.score desc, a.topic_id
        )
    ),
    counted as (
        select
            r.*,
            r.topic_rank = 1
                or (r.topic_rank = 2 and r.is_emerging = r.main_is_emerging and r.score >= r.main_score - 0.05)
                as is_counted
        from ranked as r
    )
    select
        c.review_id,
        c.sentence_index,
        c.topic_id,
        c.topic_rank = 1 as is_main,
        case when c.is_counted then 1.0 / count(*) filter (where c.is_counted) over s else 0.0 end as weight
    from counted as c
    window s as (partition by c.review_id, c.sentence_index)
) as m
where st.review_id = m.review_id and st.sentence_index = m.sentence_index and st.topic_id = m.topic_id;

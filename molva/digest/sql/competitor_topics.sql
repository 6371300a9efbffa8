-- Topic labels for the topics compared in mart_competitors (names in both languages). Parameters: $week_start.
select distinct
    t.topic_id,
    t.topic_label_en,
    t.topic_label_ru,
    t.topic_kind
from mart_topics_weekly as t
where t.week_start = $week_start
order by t.topic_id

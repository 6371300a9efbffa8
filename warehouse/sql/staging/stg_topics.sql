-- Topics with their effective id: a merged topic reports under the topic it was merged into; retired topics drop out.
with topics_src as (
    select * from topics
),

final as (
    select
        t.topic_id,
        case when t.status = 'merged' and t.merged_into is not null then t.merged_into else t.topic_id end
            as effective_topic_id,
        t.label_en as topic_label_en,
        coalesce(t.label_ru, t.label_en) as topic_label_ru,
        t.kind as topic_kind,
        t.stage as topic_stage,
        t.status as topic_status,
        t.first_seen_at as topic_first_seen_at
    from topics_src as t
    where t.status <> 'retired'
)

select * from final

-- Every stored review or mention with the flags marts filter on. Ratings are put on one 5-point scale
-- (rating_5 = 1 + 4 * rating_norm) and bucketed into whole stars; dates fall back to first_seen_at and are cut
-- into event_date / week_start / month_start in the configured project time zone (project.timezone).
-- build: view (not materialised during a marts build: stg_reviews, which the marts share, is)
with reviews_src as (
    select * from reviews
),

clusters as (
    select * from duplicate_clusters
),

sources_src as (
    select * from sources
),

flags as (
    select
        f.review_id,
        bool_or(f.flag in ('advertising', 'links_only', 'repeated')) as is_spam,
        string_agg(distinct f.flag, ',' order by f.flag) as flags
    from review_flags as f
    group by f.review_id
),

renamed as (
    select
        r.review_id,
        r.source_id,
        r.brand_id,
        r.platform,
        coalesce(site_host(src.url), site_host(r.url)) as site_host,
        r.kind,
        r.url as review_url,
        r.language,
        r.title,
        r.text,
        r.content_hash,
        cast(r.rating_norm as double) as rating_norm,
        case when r.rating_norm is not null then 1 + 4 * cast(r.rating_norm as double) end as rating_5,
        case when r.rating_norm is not null then cast(round(1 + 4 * cast(r.rating_norm as double)) as integer) end
            as stars,
        coalesce(r.published_at, r.first_seen_at) as event_at,
        r.first_seen_at,
        r.reply_text is not null and length(trim(r.reply_text)) > 0 as has_reply,
        case
            when r.reply_at is not null and r.published_at is not null and r.reply_at >= r.published_at
                then date_diff('second', r.published_at, r.reply_at) / 3600.0
        end as reply_hours,
        coalesce(c.is_canonical, true) as is_canonical,
        c.cluster_id as duplicate_cluster_id,
        coalesce(fl.is_spam, false) as is_spam,
        fl.flags
    from reviews_src as r
    left join sources_src as src on src.source_id = r.source_id
    left join clusters as c on c.review_id = r.review_id
    left join flags as fl on fl.review_id = r.review_id
),

final as (
    select
        *,
        -- days, ISO weeks and months are cut in the project's time zone (event_at stays UTC)
        cast(timezone($timezone, timezone('UTC', event_at)) as date) as event_date,
        cast(date_trunc('week', timezone($timezone, timezone('UTC', event_at))) as date) as week_start,
        cast(date_trunc('month', timezone($timezone, timezone('UTC', event_at))) as date) as month_start,
        is_canonical and not is_spam as is_counted
    from renamed
)

select * from final

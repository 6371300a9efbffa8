-- One row per configured source (a brand's page on one platform).
with source as (
    select * from sources
),

final as (
    select
        cast(s.source_id as varchar) as source_id,
        cast(s.brand_id as varchar) as brand_id,
        cast(s.platform as varchar) as platform,
        cast(s.url as varchar) as source_url,
        site_host(s.url) as site_host,
        coalesce(s.is_enabled, true) as is_enabled
    from source as s
)

select * from final

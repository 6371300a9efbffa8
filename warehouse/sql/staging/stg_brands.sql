-- One row per configured brand: the own brand(s) and the competitors.
with source as (
    select * from brands
),

final as (
    select
        cast(b.brand_id as varchar) as brand_id,
        cast(b.name_en as varchar) as brand_name_en,
        cast(coalesce(b.name_ru, b.name_en) as varchar) as brand_name_ru,
        coalesce(b.is_own, false) as is_own
    from source as b
)

select * from final

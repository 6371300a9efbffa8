-- The reviews marts count: a duplicate cluster counts once (its canonical review) and flagged spam is left out.
with all_reviews as (
    select * from stg_reviews_all
),

final as (
    select a.*
    from all_reviews as a
    where a.is_counted
)

select * from final

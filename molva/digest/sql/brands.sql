-- Brands that have data in the marts, own brand first. Parameters: none.
select distinct
    bp.brand_id,
    bp.brand_name_en,
    bp.brand_name_ru,
    bp.is_own
from mart_brand_period as bp
order by bp.is_own desc, bp.brand_id

-- Brand health per day, per ISO week and per calendar month (cut in the project's time zone), per platform and for all platforms together ('all').
-- Columns are documented in docs/marts.md#mart_brand_period.
-- contract:
--   unique_key: [period_grain, period_start, brand_id, platform]
--   not_null: [period_grain, period_start, period_label, brand_id, brand_name_en, is_own, platform, n_items,
--              n_reviews, n_mentions, n_rated, n_1, n_2, n_3, n_4, n_5, n_sentiment, n_opinion, n_no_opinion,
--              n_replied]
--   accepted_values:
--     period_grain: [day, week, month]
--   ranges:
--     avg_rating: [1, 5]
--     csat: [0, 1]
--     nps_proxy: [-1, 1]
--     net_sentiment: [-1, 1]
--     reply_rate: [0, 1]
with reviews_src as (
    select * from stg_reviews
),

sentiment as (
    select * from stg_review_sentiment
),

brands_src as (
    select * from stg_brands
),

review_rows as (
    select
        r.event_date,
        r.week_start,
        r.month_start,
        r.brand_id,
        r.platform,
        r.kind,
        r.rating_5,
        r.stars,
        r.has_reply,
        r.reply_hours,
        s.sentiment_label,
        s.sentiment_score
    from reviews_src as r
    left join sentiment as s on s.review_id = r.review_id
    where r.brand_id is not null
),

-- one pass over the reviews into day x platform sums; days, weeks and the 'all' rollup are sums of these
daily as (
    select
        rr.event_date,
        rr.week_start,
        rr.month_start,
        rr.brand_id,
        rr.platform,
        count(*) as n_items,
        count(*) filter (where rr.kind = 'review') as n_reviews,
        count(*) filter (where rr.kind <> 'review') as n_mentions,
        count(rr.stars) as n_rated,
        coalesce(sum(rr.rating_5), 0) as sum_rating,
        coalesce(sum(rr.rating_5 * rr.rating_5), 0) as sum_rating_sq,
        count(*) filter (where rr.stars = 1) as n_1,
        count(*) filter (where rr.stars = 2) as n_2,
        count(*) filter (where rr.stars = 3) as n_3,
        count(*) filter (where rr.stars = 4) as n_4,
        count(*) filter (where rr.stars = 5) as n_5,
        count(rr.sentiment_label) as n_sentiment,
        -- opinions only: a mention without one (label none) is counted apart and in no share
        count(*) filter (where rr.sentiment_label in ('negative', 'mixed', 'positive')) as n_opinion,
        count(*) filter (where rr.sentiment_label = 'none') as n_no_opinion,
        count(*) filter (where rr.sentiment_label = 'negative') as n_negative,
        count(*) filter (where rr.sentiment_label = 'mixed') as n_mixed,
        count(*) filter (where rr.sentiment_label = 'positive') as n_positive,
        coalesce(sum(rr.sentiment_score) filter (where rr.sentiment_label <> 'none'), 0) as sum_sentiment_score,
        count(rr.sentiment_score) filter (where rr.sentiment_label <> 'none') as n_sentiment_score,
        count(*) filter (where rr.kind = 'review' and rr.has_reply) as n_replied
    from review_rows as rr
    group by all
),

rolled as (
    select
        case when grouping(d.event_date) = 0 then 'day' when grouping(d.week_start) = 0 then 'week' else 'month' end
            as period_grain,
        coalesce(d.event_date, d.week_start, d.month_start) as period_start,
        d.brand_id,
        case when grouping(d.platform) = 1 then 'all' else d.platform end as platform,
        cast(sum(d.n_items) as bigint) as n_items,
        cast(sum(d.n_reviews) as bigint) as n_reviews,
        cast(sum(d.n_mentions) as bigint) as n_mentions,
        cast(sum(d.n_rated) as bigint) as n_rated,
        sum(d.sum_rating) as sum_rating,
        sum(d.sum_rating_sq) as sum_rating_sq,
        cast(sum(d.n_1) as bigint) as n_1,
        cast(sum(d.n_2) as bigint) as n_2,
        cast(sum(d.n_3) as bigint) as n_3,
        cast(sum(d.n_4) as bigint) as n_4,
        cast(sum(d.n_5) as bigint) as n_5,
        cast(sum(d.n_sentiment) as bigint) as n_sentiment,
        cast(sum(d.n_opinion) as bigint) as n_opinion,
        cast(sum(d.n_no_opinion) as bigint) as n_no_opinion,
        cast(sum(d.n_negative) as bigint) as n_negative,
        cast(sum(d.n_mixed) as bigint) as n_mixed,
        cast(sum(d.n_positive) as bigint) as n_positive,
        sum(d.sum_sentiment_score) as sum_sentiment_score,
        cast(sum(d.n_sentiment_score) as bigint) as n_sentiment_score,
        cast(sum(d.n_replied) as bigint) as n_replied
    from daily as d
    group by grouping sets (
        (d.event_date, d.brand_id, d.platform),
        (d.event_date, d.brand_id),
        (d.week_start, d.brand_id, d.platform),
        (d.week_start, d.brand_id),
        (d.month_start, d.brand_id, d.platform),
        (d.month_start, d.brand_id)
    )
),

reply_medians as (
    select
        case when grouping(rr.event_date) = 0 then 'day' when grouping(rr.week_start) = 0 then 'week' else 'month' end
            as period_grain,
        coalesce(rr.event_date, rr.week_start, rr.month_start) as period_start,
        rr.brand_id,
        case when grouping(rr.platform) = 1 then 'all' else rr.platform end as platform,
        median(rr.reply_hours) as median_reply_hours
    from review_rows as rr
    where rr.kind = 'review' and rr.reply_hours is not null
    group by grouping sets (
        (rr.event_date, rr.brand_id, rr.platform),
        (rr.event_date, rr.brand_id),
        (rr.week_start, rr.brand_id, rr.platform),
        (rr.week_start, rr.brand_id),
        (rr.month_start, rr.brand_id, rr.platform),
        (rr.month_start, rr.brand_id)
    )
),

aggregated as (
    select
        ro.*,
        case when ro.n_rated > 0 then ro.sum_rating / ro.n_rated end as avg_rating,
        case
            when ro.n_rated > 1
                then sqrt(greatest(0, (ro.sum_rating_sq - ro.sum_rating * ro.sum_rating / ro.n_rated) / (ro.n_rated - 1)))
        end as sd_rating,
        case when ro.n_sentiment_score > 0 then ro.sum_sentiment_score / ro.n_sentiment_score end
            as avg_sentiment_score,
        rm.median_reply_hours
    from rolled as ro
    left join reply_medians as rm
        on rm.period_grain = ro.period_grain
        and rm.period_start = ro.period_start
        and rm.brand_id = ro.brand_id
        and rm.platform = ro.platform
),

metrics as (
    select
        a.*,
        a.n_4 + a.n_5 as n_csat,
        case when a.n_rated > 0 then (a.n_4 + a.n_5) / a.n_rated end as csat,
        case when a.n_rated > 0 then a.n_5 / a.n_rated end as share_promoters,
        case when a.n_rated > 0 then (a.n_1 + a.n_2 + a.n_3) / a.n_rated end as share_detractors,
        case when a.n_opinion > 0 then a.n_negative / a.n_opinion end as share_negative,
        case when a.n_opinion > 0 then a.n_mixed / a.n_opinion end as share_mixed,
        case when a.n_opinion > 0 then a.n_positive / a.n_opinion end as share_positive,
        case when a.n_sentiment > 0 then a.n_no_opinion / a.n_sentiment end as share_no_opinion,
        case when a.n_reviews > 0 then a.n_replied / a.n_reviews end as reply_rate
    from aggregated as a
),

with_ci as (
    select
        m.*,
        m.share_promoters - m.share_detractors as nps_proxy,
        sqrt(net_share_var(m.share_promoters, m.share_detractors, m.n_rated)) as se_nps,
        m.share_positive - m.share_negative as net_sentiment,
        sqrt(net_share_var(m.share_positive, m.share_negative, m.n_opinion)) as se_net_sentiment,
        case when m.n_rated >= 2 then m.sd_rating / sqrt(m.n_rated) end as se_rating
    from metrics as m
),

final as (
    select
        w.period_grain,
        w.period_start,
        case
            when w.period_grain = 'day' then strftime(w.period_start, '%Y-%m-%d')
            when w.period_grain = 'week' then strftime(w.period_start, '%G-W%V')
            else strftime(w.period_start, '%Y-%m')
        end as period_label,
        case w.period_grain
            when 'day' then w.period_start
            when 'week' then w.period_start + 6
            else cast(last_day(w.period_start) as date)
        end as period_end,
        w.brand_id,
        b.brand_name_en,
        b.brand_name_ru,
        coalesce(b.is_own, false) as is_own,
        w.platform,
        w.n_items,
        w.n_reviews,
        w.n_mentions,
        w.n_rated,
        w.avg_rating,
        w.avg_rating - 1.96 * w.se_rating as avg_rating_ci_low,
        w.avg_rating + 1.96 * w.se_rating as avg_rating_ci_high,
        w.n_1,
        w.n_2,
        w.n_3,
        w.n_4,
        w.n_5,
        w.csat,
        wilson_low(w.n_csat, w.n_rated) as csat_ci_low,
        wilson_high(w.n_csat, w.n_rated) as csat_ci_high,
        w.nps_proxy,
        greatest(-1.0, w.nps_proxy - 1.96 * w.se_nps) as nps_proxy_ci_low,
        least(1.0, w.nps_proxy + 1.96 * w.se_nps) as nps_proxy_ci_high,
        w.n_sentiment,
        w.n_opinion,
        w.n_no_opinion,
        w.share_no_opinion,
        w.n_negative,
        w.n_mixed,
        w.n_positive,
        w.share_negative,
        wilson_low(w.n_negative, w.n_opinion) as share_negative_ci_low,
        wilson_high(w.n_negative, w.n_opinion) as share_negative_ci_high,
        w.share_mixed,
        w.share_positive,
        w.net_sentiment,
        greatest(-1.0, w.net_sentiment - 1.96 * w.se_net_sentiment) as net_sentiment_ci_low,
        least(1.0, w.net_sentiment + 1.96 * w.se_net_sentiment) as net_sentiment_ci_high,
        w.avg_sentiment_score,
        w.n_replied,
        w.reply_rate,
        wilson_low(w.n_replied, w.n_reviews) as reply_rate_ci_low,
        wilson_high(w.n_replied, w.n_reviews) as reply_rate_ci_high,
        w.median_reply_hours
    from with_ci as w
    left join brands_src as b on b.brand_id = w.brand_id
)

select * from final

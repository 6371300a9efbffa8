-- 060: the recommendations each weekly digest made, so the next digest follows them up (better / same / worse).
-- Written by molva/digest/followup.py after the digest is rendered; documented in docs/marts.md#digest_recommendations.

create table if not exists digest_recommendations (
    brand_id                varchar not null,
    week_start              date not null,        -- Monday of the digest's ISO week
    iso_week                varchar not null,
    rec_rank                integer not null,     -- 1 = the digest's top recommendation
    topic_id                varchar not null,
    team                    varchar not null,     -- owning team key (molva/digest/teams.py)
    priority_lift           double,               -- mart_impact.priority_lift when recommended (★)
    priority_lift_ci_low    double,
    priority_lift_ci_high   double,
    lift_estimate           double,               -- mart_impact.lift_estimate (last 4 weeks)
    n_complaints_week       integer not null,     -- the topic's complaints in the digest's week
    n_reviews_week          integer not null,     -- the brand's counted reviews that week
    recorded_at             timestamp not null,   -- UTC
    primary key (brand_id, week_start, topic_id)
);

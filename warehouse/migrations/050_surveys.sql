-- 050: survey feedback (NPS, CSAT, CES, CSI). Written by `molva surveys import` (warehouse/surveys/importer.py);
-- open-text tags by warehouse/surveys/tagging.py; driver results by warehouse/surveys/drivers.py.

-- One row per survey (the mapping's survey_id): brand and the answer scales, so marts can classify scores in SQL.
create table if not exists surveys (
    survey_id           varchar primary key,
    brand_id            varchar,
    name                varchar,
    tool                varchar,                  -- google_forms | typeform | surveymonkey | yandex_forms | other
    csat_min            double not null default 1,
    csat_max            double not null default 5,
    csat_satisfied_min  double not null default 4,  -- CSAT "satisfied" = score >= this (4 on 1-5)
    ces_min             double not null default 1,
    ces_max             double not null default 7,
    ces_easy_min        double not null default 5,  -- CES "easy" = score >= this (5 on 1-7)
    updated_at          timestamp not null
);

-- Declared importance weights of CSI factors (absent: importance is derived from correlation).
create table if not exists survey_factor_weights (
    survey_id   varchar not null,
    factor      varchar not null,
    weight      double not null,
    primary key (survey_id, factor)
);

-- One row per import run, with its counts; the import's issues are in survey_import_issues.
create table if not exists survey_imports (
    import_id       varchar primary key,
    survey_id       varchar not null,
    file_name       varchar not null,
    file_sha256     varchar not null,
    encoding        varchar,
    delimiter       varchar,
    imported_at     timestamp not null,       -- UTC
    n_rows          integer not null,
    n_new           integer not null,
    n_updated       integer not null,
    n_unchanged     integer not null,
    n_rejected      integer not null,
    n_coerced       integer not null
);

-- Every rejected, coerced or replaced row of an import, with the line of the source file and the reason.
create table if not exists survey_import_issues (
    import_id   varchar not null,
    line_no     integer not null,
    field       varchar,
    value       varchar,
    action      varchar not null,             -- rejected | coerced | replaced
    reason      varchar not null
);

-- One row per respondent of a survey. Scores are as answered (on the survey's scales), null when not answered.
create table if not exists survey_responses (
    survey_id       varchar not null,
    respondent_id   varchar not null,
    brand_id        varchar,
    responded_at    timestamp,                -- UTC
    channel         varchar,
    segment         varchar,
    touchpoint      varchar,
    nps_score       double,                   -- 0..10
    csat_score      double,                   -- csat_min..csat_max of the survey
    ces_score       double,                   -- ces_min..ces_max of the survey
    overall_sat     double,                   -- overall satisfaction used for CSI importance (0..1 normalised)
    content_hash    varchar not null,
    import_id       varchar not null,
    source_line     integer not null,
    first_loaded_at timestamp not null,
    updated_at      timestamp not null,
    primary key (survey_id, respondent_id)
);

-- CSI factor ratings, one row per respondent and factor, on the factor's own scale.
create table if not exists survey_factor_ratings (
    survey_id       varchar not null,
    respondent_id   varchar not null,
    factor          varchar not null,
    rating          double not null,
    rating_min      double not null,
    rating_max      double not null,
    importance      double,                   -- importance the respondent gave, when the survey asks for it
    primary key (survey_id, respondent_id, factor)
);

-- Open-text answers, one row per respondent and question.
create table if not exists survey_open_answers (
    survey_id       varchar not null,
    respondent_id   varchar not null,
    question        varchar not null,
    answer_text     varchar not null,
    primary key (survey_id, respondent_id, question)
);

-- Sentiment of open-text answers (same labels and score range as review_sentiment).
create table if not exists survey_answer_sentiment (
    survey_id       varchar not null,
    respondent_id   varchar not null,
    question        varchar not null,
    label           varchar not null,         -- negative | neutral | positive
    score           double,                   -- -1..1
    model_name      varchar not null,
    classified_at   timestamp not null,
    primary key (survey_id, respondent_id, question, model_name)
);

-- Topics of open-text answers (topic ids of the topics table).
create table if not exists survey_answer_topics (
    survey_id       varchar not null,
    respondent_id   varchar not null,
    question        varchar not null,
    topic_id        varchar not null,
    score           double,
    assigned_at     timestamp not null,
    primary key (survey_id, respondent_id, question, topic_id)
);

-- Driver analysis results (relative importance of factors and topics for NPS or CSAT) and the "fix first" rank.
create table if not exists survey_drivers (
    survey_id       varchar not null,
    target          varchar not null,         -- nps | csat
    driver          varchar not null,         -- factor name or topic id
    driver_kind     varchar not null,         -- factor | topic
    method          varchar not null,         -- shapley
    importance      double not null,          -- Shapley share of R² (sums to r2 over drivers)
    share_importance double not null,         -- importance / r2
    direction       double,                   -- sign of the full-model coefficient (-1, 0, 1)
    performance     double,                   -- factor: mean rating 0..1; topic: share of respondents mentioning
    priority        double,                   -- fix-first score (see docs/metrics.md)
    fix_rank        integer,                  -- 1 = fix first; null when the driver is not a fix candidate
    r2              double not null,
    n_respondents   integer not null,
    computed_at     timestamp not null,
    primary key (survey_id, target, driver, driver_kind)
);

-- 020: sentiment of whole reviews and of their sentences, per model. Contracts are fixed in docs/architecture.md;
-- documented in docs/models.md. Written only by `molva enrich` (nlp/sentiment/enrich.py).

create table if not exists review_sentiment (
    review_id       varchar not null,
    content_hash    varchar not null,         -- reviews.content_hash that was classified; a new hash is reclassified
    model_name      varchar not null,         -- e.g. molva-sentiment
    model_version   varchar not null,         -- e.g. 1+3f2a9c0b1d2e (version + digest of the stored weights)
    language        varchar,                  -- ru | en | other
    label           varchar not null check (label in ('negative', 'neutral', 'positive')),
    score           double not null check (score between -1 and 1),   -- p_positive - p_negative
    p_negative      double not null,
    p_neutral       double not null,
    p_positive      double not null,
    classified_at   timestamp not null,       -- UTC
    primary key (review_id, model_name)
);

create table if not exists sentence_sentiment (
    review_id       varchar not null,
    sentence_index  integer not null,         -- 0-based order of the sentence in the review
    content_hash    varchar not null,
    start_char      integer not null,         -- [start_char, end_char) offsets into reviews.text
    end_char        integer not null,
    sentence_text   varchar not null,
    language        varchar,
    label           varchar not null check (label in ('negative', 'neutral', 'positive')),
    score           double not null check (score between -1 and 1),
    p_negative      double not null,
    p_neutral       double not null,
    p_positive      double not null,
    model_name      varchar not null,
    model_version   varchar not null,
    classified_at   timestamp not null,       -- UTC
    primary key (review_id, sentence_index, model_name)
);

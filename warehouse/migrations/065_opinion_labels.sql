-- 065: the four-label scheme (docs/models.md#labels): negative | mixed | positive | none. `p_neutral` becomes
-- `p_mixed` (a 3-class classifier's middle class was always a mixed verdict, learned from 3-star reviews) and
-- `p_none` is the probability that the text expresses no opinion at all. DuckDB cannot change a check constraint,
-- so both tables are rebuilt with their keys. Stored rows keep their model version: a model with an opinion head
-- (molva-sentiment 3 and later) reclassifies them on the next `molva enrich`; until then old `neutral` reads as
-- `mixed` with p_none = 0, which is what the old model meant.

create table review_sentiment_v065 (
    review_id       varchar not null,
    content_hash    varchar not null,         -- reviews.content_hash that was classified; a new hash is reclassified
    model_name      varchar not null,         -- e.g. molva-sentiment
    model_version   varchar not null,         -- e.g. 3+3f2a9c0b1d2e (version + digest of the stored weights)
    language        varchar,                  -- ru | en | other
    label           varchar not null check (label in ('negative', 'mixed', 'positive', 'none')),
    score           double not null check (score between -1 and 1),   -- p_positive - p_negative
    p_negative      double not null,
    p_mixed         double not null,
    p_positive      double not null,
    p_none          double not null default 0,   -- no opinion; the four probabilities sum to 1
    classified_at   timestamp not null,       -- UTC
    primary key (review_id, model_name)
);
insert into review_sentiment_v065
select
    review_id, content_hash, model_name, model_version, language,
    case when label = 'neutral' then 'mixed' else label end,
    score, p_negative, p_neutral, p_positive, 0.0, classified_at
from review_sentiment;
drop table review_sentiment;
alter table review_sentiment_v065 rename to review_sentiment;

create table sentence_sentiment_v065 (
    review_id       varchar not null,
    sentence_index  integer not null,         -- 0-based order of the sentence in the review
    content_hash    varchar not null,
    start_char      integer not null,         -- [start_char, end_char) offsets into reviews.text
    end_char        integer not null,
    sentence_text   varchar not null,
    language        varchar,
    label           varchar not null check (label in ('negative', 'mixed', 'positive', 'none')),
    score           double not null check (score between -1 and 1),
    p_negative      double not null,
    p_mixed         double not null,
    p_positive      double not null,
    p_none          double not null default 0,
    model_name      varchar not null,
    model_version   varchar not null,
    classified_at   timestamp not null,       -- UTC
    primary key (review_id, sentence_index, model_name)
);
insert into sentence_sentiment_v065
select
    review_id, sentence_index, content_hash, start_char, end_char, sentence_text, language,
    case when label = 'neutral' then 'mixed' else label end,
    score, p_negative, p_neutral, p_positive, 0.0, model_name, model_version, classified_at
from sentence_sentiment;
drop table sentence_sentiment;
alter table sentence_sentiment_v065 rename to sentence_sentiment;

-- Survey answers use the same labels from now on (the column has no check constraint to rebuild).
update survey_answer_sentiment set label = 'mixed' where label = 'neutral';

"""Sentiment and topic tags for open-text survey answers, and the topic x NPS-segment cross-tab (read from its mart).

The models are passed in, so this module needs neither torch nor the topic model: wire ``nlp.sentiment`` and
``nlp.topics`` in the flow, and pass simple fakes in tests. Accepted shapes are deliberately loose (see
:func:`tag_open_answers`) because the NLP interfaces are young. With the review models::

    model = nlp.sentiment.registry.load_sentiment_model()
    tag_open_answers(con, model.predict, lambda texts: assigner.assign(texts)[0], model_name=model.name)

where ``assigner`` is an ``nlp.topics.assign.TopicAssigner`` (``assign`` returns the topic ids per text first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

SentimentPredictor = Callable[[list[str]], Any]
TopicTagger = Callable[[list[str]], Sequence[Sequence[Any]]]
LABELS = ("negative", "mixed", "positive", "none")  # Molva's four labels (docs/models.md)
LEGACY = {"neutral": "mixed"}  # a 3-class predictor's middle class


@dataclass(frozen=True)
class TaggingResult:
    n_answers: int
    n_sentiment: int
    n_topic_rows: int


@dataclass(frozen=True)
class TopicSegmentRow:
    """How often a topic comes up among detractors, passives and promoters; ``gap`` = detractor - promoter share."""

    survey_id: str
    topic_id: str
    n_detractors: int
    n_passives: int
    n_promoters: int
    share_detractors: float  # % of detractors who answered in text and mention the topic
    share_passives: float
    share_promoters: float
    gap: float


def _sentiments(output: Any, n: int) -> list[tuple[str, float | None]]:
    """Normalise a predictor's output: an object with .labels/.scores, or per text a label, (label, score),
    a mapping with label/score, or an object with .label/.score."""
    if hasattr(output, "labels"):
        scores = list(getattr(output, "scores", [None] * n))
        items: list[Any] = list(zip(output.labels, scores, strict=True))
    else:
        items = list(output)
    if len(items) != n:
        raise ValueError(f"sentiment predictor returned {len(items)} results for {n} texts")
    out = []
    for item in items:
        if isinstance(item, str):
            label, score = item, None
        elif isinstance(item, Mapping):
            label, score = item["label"], item.get("score")
        elif isinstance(item, tuple):
            label, score = item[0], item[1] if len(item) > 1 else None
        else:
            label, score = item.label, getattr(item, "score", None)
        label = str(label).lower()
        label = LEGACY.get(label, label)
        if label not in LABELS:
            raise ValueError(f"sentiment label {label!r} is not one of {', '.join(LABELS)}")
        out.append((label, None if score is None else float(score)))
    return out


def _topics(item: Sequence[Any]) -> list[tuple[str, float | None]]:
    out: list[tuple[str, float | None]] = []
    for t in item:
        if isinstance(t, str):
            out.append((t, None))
        elif isinstance(t, tuple):
            out.append((str(t[0]), None if len(t) < 2 or t[1] is None else float(t[1])))
        else:
            out.append((str(t.topic_id), getattr(t, "score", None)))
    return out


def tag_open_answers(
    con: duckdb.DuckDBPyConnection,
    predict_sentiment: SentimentPredictor | None,
    tag_topics: TopicTagger | None,
    *,
    model_name: str = "default",
    survey_id: str | None = None,
    retag: bool = False,
    now: datetime | None = None,
) -> TaggingResult:
    """Tag open answers that have no tags yet (all of them with ``retag``) and store the tags in one transaction.

    ``predict_sentiment(texts)`` returns one result per text (label in negative|mixed|positive|none, or neutral read
    as mixed; optional score in -1..1); ``tag_topics(texts)`` returns per text a list of topic ids or
    (topic_id, score) pairs.
    """
    now = now or datetime.now(UTC).replace(tzinfo=None)
    where = "where a.survey_id = ?" if survey_id else "where true"
    params = [survey_id] if survey_id else []
    todo_sent = (
        ""
        if retag
        else (
            " and not exists (select 1 from survey_answer_sentiment s where s.survey_id = a.survey_id "
            "and s.respondent_id = a.respondent_id and s.question = a.question and s.model_name = ?)"
        )
    )
    answers = con.execute(
        "select a.survey_id, a.respondent_id, a.question, a.answer_text from survey_open_answers a "
        f"{where}{todo_sent} order by 1, 2, 3",
        params + ([] if retag else [model_name]),
    ).fetchall()
    texts = [a[3] for a in answers]
    n_sent = n_topics = 0
    sentiments = _sentiments(predict_sentiment(texts), len(texts)) if predict_sentiment and texts else []
    topic_lists = list(tag_topics(texts)) if tag_topics and texts else []
    if tag_topics and len(topic_lists) != len(texts):
        raise ValueError(f"topic tagger returned {len(topic_lists)} results for {len(texts)} texts")
    con.execute("begin transaction")
    try:
        for i, (sid, rid, question, _) in enumerate(answers):
            key = [sid, rid, question]
            if sentiments:
                label, score = sentiments[i]
                con.execute(
                    "delete from survey_answer_sentiment where survey_id = ? and respondent_id = ? and question = ? "
                    "and model_name = ?",
                    [*key, model_name],
                )
                con.execute(
                    "insert into survey_answer_sentiment values (?, ?, ?, ?, ?, ?, ?)",
                    [*key, label, score, model_name, now],
                )
                n_sent += 1
            if topic_lists:
                con.execute(
                    "delete from survey_answer_topics where survey_id = ? and respondent_id = ? and question = ?", key
                )
                for topic_id, score in dict(_topics(topic_lists[i])).items():
                    con.execute(
                        "insert into survey_answer_topics values (?, ?, ?, ?, ?, ?)", [*key, topic_id, score, now]
                    )
                    n_topics += 1
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return TaggingResult(len(answers), n_sent, n_topics)


def topics_by_nps_segment(con: duckdb.DuckDBPyConnection, survey_id: str | None = None) -> list[TopicSegmentRow]:
    """The topic x NPS-segment cross-tab as ``mart_survey_topics_nps`` computes it, shares in percent, sorted by
    survey and ``gap`` (what detractors talk about that promoters don't first). The marts must be built
    (``warehouse.surveys.report.ensure_survey_marts``).

    Shares are over respondents of the segment who gave any open answer, so a segment that writes less is not
    penalised. A respondent counts once per topic however many answers mention it.
    """
    where, params = ("where survey_id = $survey_id", {"survey_id": survey_id}) if survey_id else ("", {})
    rows = con.execute(
        "select survey_id, topic_id, n_detractors, n_passives, n_promoters, share_detractors, share_passives, "
        f"share_promoters, gap_detractors_promoters from mart_survey_topics_nps {where} "
        "order by survey_id, gap_detractors_promoters desc, topic_id",
        params,
    ).fetchall()
    return [
        TopicSegmentRow(sid, topic, n_d, n_pa, n_p, 100 * s_d, 100 * s_pa, 100 * s_p, 100 * gap)
        for sid, topic, n_d, n_pa, n_p, s_d, s_pa, s_p, gap in rows
    ]

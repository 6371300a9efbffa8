"""One main topic per sentence: which of a sentence's topic assignments the marts count, and with what weight.

A sentence may pass the threshold of several topics (up to 7 in the demo); counting every one inflates broad topics
("communication and notifications" passes on most delivery complaints). The rule, applied to the stored
``sentence_topics`` rows of each sentence:

1. Candidates are ordered taxonomy topics first (an emerging topic only ever covers sentences no taxonomy topic
   took), then by ``score`` (higher first), then by ``topic_id`` (a stable tie-break).
2. The first is the **main** topic (``is_main``).
3. The second is a **secondary** topic only when it is clearly as strong: of the same kind and its score within
   :data:`SECONDARY_MARGIN` of the main topic's (probability points for a fitted calibration).
4. ``weight`` is 1 for a main topic alone, 0.5 for each of a main and a secondary, 0 for every other topic: the
   weights of a sentence sum to one. The other rows stay (evidence for search and ``molva topics show``), uncounted.

:func:`refresh_main_topics` re-applies the rule to stored rows; it runs after every write of assignments (new
reviews, emerging topics, merges), and migration 034 ran the same statement over the rows stored before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

SECONDARY_MARGIN = 0.05

# The statement of migration 034, restricted to some reviews when {where} names them; keep the two equal
# (tests/nlp/test_topics_main.py checks it).
_REFRESH = """
update sentence_topics as st
set is_main = m.is_main, weight = m.weight
from (
    with ranked as (
        select
            a.review_id,
            a.sentence_index,
            a.topic_id,
            a.score,
            coalesce(t.kind = 'emerging', false) as is_emerging,
            row_number() over w as topic_rank,
            first_value(a.score) over w as main_score,
            first_value(coalesce(t.kind = 'emerging', false)) over w as main_is_emerging
        from sentence_topics as a
        left join topics as t on t.topic_id = a.topic_id
        {where}
        window w as (
            partition by a.review_id, a.sentence_index
            order by coalesce(t.kind = 'emerging', false), a.score desc, a.topic_id
        )
    ),
    counted as (
        select
            r.*,
            r.topic_rank = 1
                or (r.topic_rank = 2 and r.is_emerging = r.main_is_emerging and r.score >= r.main_score - {margin})
                as is_counted
        from ranked as r
    )
    select
        c.review_id,
        c.sentence_index,
        c.topic_id,
        c.topic_rank = 1 as is_main,
        case when c.is_counted then 1.0 / count(*) filter (where c.is_counted) over s else 0.0 end as weight
    from counted as c
    window s as (partition by c.review_id, c.sentence_index)
) as m
where st.review_id = m.review_id and st.sentence_index = m.sentence_index and st.topic_id = m.topic_id
"""


def refresh_sql(review_table: str | None = None) -> str:
    """The update statement; with ``review_table`` only the sentences of the reviews listed in that table."""
    where = f"where a.review_id in (select review_id from {review_table})" if review_table else ""
    return _REFRESH.format(where=where, margin=SECONDARY_MARGIN)


def refresh_main_topics(con: duckdb.DuckDBPyConnection, review_ids: Sequence[str] | None = None) -> None:
    """Re-apply the main-topic rule to the stored rows of ``review_ids`` (None: every review)."""
    if review_ids is None:
        con.execute(refresh_sql())
        return
    if not review_ids:
        return
    import pandas as pd

    con.register("_molva_main_reviews", pd.DataFrame({"review_id": sorted(set(review_ids))}))
    try:
        con.execute(refresh_sql("_molva_main_reviews"))
    finally:
        con.unregister("_molva_main_reviews")

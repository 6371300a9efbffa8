"""Near-duplicate reviews and noise flags.

Duplicates: the same text syndicated across platforms or re-posted. Each review's normalised text becomes word
3-gram shingles (character 5-grams for very short texts), hashed into a MinHash; datasketch's LSH finds candidate
pairs above ``threshold`` estimated Jaccard similarity, and connected pairs form a cluster. The canonical review of a
cluster is the earliest seen one (ties: smallest id); marts count a cluster once, through its canonical review.

Flags (``review_flags``): ``too_short``, ``links_only``, ``advertising``, ``repeated`` (the same text posted several
times by one author, or a text that is one word or character run repeated) and ``low_information``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from nlp.lemmas import lemmatize_many

NUM_PERM = 128
THRESHOLD = 0.8
MIN_CHARS = 15
LEMMA_MAX_WORDS = 8  # distinct content words above which a text cannot be low-information in practice

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:ru|com|net|org|io|рф|info|biz|me|ly)(?:/\S*)?\b", re.I)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# Phrases only spam uses: one is enough.
_AD_RE = re.compile(
    r"подписывайтесь|подпишись|переходите по ссылке|заработ(ок|ать) (от|до)|пиши(те)? в (лс|директ|телеграм)"
    r"|скидк[аиу] по ссылке|казино|ставки на спорт|кредит без|buy now|click here|use my code|"
    r"follow (me|us)|earn \$?\d+|work from home|free shipping worldwide|dm me|casino|crypto signals",
    re.I,
)
# Words customers also use in real complaints ("промокод не сработал", "уведомление в telegram"): they mark an
# advertisement only together with a link or a phone number.
_PROMO_RE = re.compile(
    r"промокод|скидк[аоуи]й?|звоните|акци[яи]|subscribe|promo code|discount|call now|whatsapp|telegram", re.I
)
_PHONE_RE = re.compile(r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b")
_RUN_RE = re.compile(r"(.)\1{5,}")


def normalise(text: str) -> str:
    """Lower case, links removed, words only: what makes two postings of one review look the same."""
    return " ".join(_WORD_RE.findall(_URL_RE.sub(" ", text or "").lower().replace("ё", "е")))


def shingles(text: str) -> set[str]:
    norm = normalise(text)
    words = norm.split()
    if len(words) >= 5:
        return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    return {norm[i : i + 5] for i in range(max(len(norm) - 4, 1))} if norm else set()


@dataclass
class DuplicateLink:
    review_id: str
    cluster_id: str
    is_canonical: bool
    similarity: float


def find_duplicates(
    reviews: Sequence[tuple[str, str]], *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM
) -> list[DuplicateLink]:
    """Clusters among ``reviews`` given as (review_id, text) in canonical-first order (earliest first)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes: dict[str, MinHash] = {}
    order = {rid: i for i, (rid, _) in enumerate(reviews)}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    shingle_sets = [shingles(text) for _, text in reviews]
    batch = MinHash.bulk([[s.encode("utf-8") for s in sh] for sh in shingle_sets], num_perm=num_perm)
    for (rid, _), sh, mh in zip(reviews, shingle_sets, batch, strict=True):
        if len(sh) < 2:  # nothing to compare; too-short texts are flagged instead
            continue
        for other in lsh.query(mh):
            if mh.jaccard(hashes[other]) >= threshold:
                a, b = find(rid), find(other)
                if a != b:
                    keep, drop = (a, b) if order[a] < order[b] else (b, a)
                    parent[drop] = keep
        lsh.insert(rid, mh)
        hashes[rid] = mh
    members: dict[str, list[str]] = defaultdict(list)
    for rid in hashes:
        members[find(rid)].append(rid)
    links: list[DuplicateLink] = []
    for root, group in members.items():
        if len(group) < 2:
            continue
        canonical = min(group, key=lambda r: order[r])
        for rid in group:
            sim = 1.0 if rid == canonical else float(hashes[rid].jaccard(hashes[canonical]))
            links.append(DuplicateLink(rid, canonical, rid == canonical, sim))
        del root
    return links


def flag_text(text: str, lemmas: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """Noise flags of one text, each with a short reason (``repeated`` across one author's reviews is separate)."""
    flags: list[tuple[str, str]] = []
    raw = text or ""
    without_links = _URL_RE.sub(" ", raw)
    words = _WORD_RE.findall(without_links)
    if _URL_RE.search(raw) and not any(w.isalpha() for w in words):
        flags.append(("links_only", "only links"))
    elif len(raw.strip()) < MIN_CHARS or len(words) < 3:
        flags.append(("too_short", f"{len(words)} words, {len(raw.strip())} characters"))
    ad = _AD_RE.search(raw)
    promo = _PROMO_RE.search(raw)
    links = len(_URL_RE.findall(raw))
    phone = _PHONE_RE.search(raw) is not None
    if ad:
        flags.append(("advertising", f"advertising phrase {ad.group(0)!r}"))
    elif promo and (links or phone):
        flags.append(("advertising", f"{promo.group(0)!r} with a {'link' if links else 'phone number'}"))
    elif links >= 2 or (links and phone):
        flags.append(("advertising", f"{links} links" + (" and a phone number" if phone else "")))
    lowered = [w.lower() for w in words]
    if (len(lowered) >= 4 and len(set(lowered)) == 1) or _RUN_RE.search(raw):
        flags.append(("repeated", "one word or character repeated"))
    content = set(lemmas) if lemmas is not None else set(lowered)
    if words and len(content) <= 2 and not any(f == "too_short" or f == "links_only" for f, _ in flags):
        flags.append(("low_information", f"{len(content)} distinct content words"))
    return flags


def repeated_by_author(rows: Iterable[tuple[str, str | None, str]]) -> dict[str, str]:
    """review_id → reason, for texts one author posted more than once (rows: review_id, author_hash, text)."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rid, author, text in rows:
        norm = normalise(text)
        if author and norm:
            seen[(author, norm)].append(rid)
    out = {}
    for ids in seen.values():
        if len(ids) > 1:
            for rid in ids:
                out[rid] = f"same author posted this text {len(ids)} times"
    return out


def lemmas_where_needed(texts: Sequence[str], languages: Sequence[str | None]) -> list[list[str] | None]:
    """Content lemmas of the texts that could be ``low_information``; ``None`` for the others.

    The flag needs at most two distinct content lemmas. A text with more than ``LEMMA_MAX_WORDS`` distinct content
    words (stop words and numbers aside) would need every lemma to appear in four or more forms to get there; none
    of the 950 flagged texts among 31k real and synthetic reviews had more than 4. Skipping those texts spares the
    English tagger (spaCy), the costliest part of this step: 17 s of 20 s for 10k reviews.
    """
    from nlp.lemmas import EN_STOP_WORDS, RU_STOP_WORDS, tokenize

    stop = RU_STOP_WORDS | EN_STOP_WORDS
    short = [
        i
        for i, t in enumerate(texts)
        if len({w for w in tokenize(t) if w not in stop and not w.isdigit()}) <= LEMMA_MAX_WORDS
    ]
    out: list[list[str] | None] = [None] * len(texts)
    found = lemmatize_many(
        [texts[i] for i in short],
        [lang if lang in ("ru", "en") else None for lang in (languages[i] for i in short)],
        drop_stop_words=True,
    )
    for i, lemmas in zip(short, found, strict=True):
        out[i] = lemmas
    return out


_FINGERPRINT_SQL = """
select count(*), coalesce(bit_xor(hash(review_id, content_hash, author_hash, language, first_seen_at)), 0)
from reviews
"""


def _fingerprint(con: duckdb.DuckDBPyConnection, threshold: float) -> str:
    """What the step's output depends on: every review's id, content, author, language and first-seen time, the
    threshold, and this module's code (a changed rule recomputes everything)."""
    count, xor = con.execute(_FINGERPRINT_SQL).fetchone() or (0, 0)
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"{count}:{xor}:{threshold}:{code}"


def enrich_duplicates(con: duckdb.DuckDBPyConnection, *, threshold: float = THRESHOLD) -> dict[str, int]:
    """Recompute ``duplicate_clusters`` and ``review_flags`` for the whole warehouse in one transaction.

    Clusters depend on every review (and their first-seen order), so the step works on the whole warehouse; but when
    no review was added, edited or removed since the last run (same fingerprint, kept in ``dedup_state``), the
    stored result is already what a recomputation would give and the step only reports it: a rerun with nothing new
    costs one aggregate query instead of minutes at 100k reviews.
    """
    fingerprint = _fingerprint(con, threshold)
    done = con.execute("select fingerprint from dedup_state where step = 'duplicates'").fetchone()
    if done is not None and done[0] == fingerprint:
        return _stored_counts(con)
    rows = con.execute(
        "select review_id, text, author_hash, language from reviews order by first_seen_at, review_id"
    ).fetchall()
    links = find_duplicates([(r[0], r[1]) for r in rows], threshold=threshold)
    lemmas = lemmas_where_needed([r[1] or "" for r in rows], [r[3] for r in rows])
    flags: list[tuple[str, str, str]] = []
    for (rid, text, _, _), lem in zip(rows, lemmas, strict=True):
        flags.extend((rid, flag, reason) for flag, reason in flag_text(text, lem))
    already = {(rid, f) for rid, f, _ in flags}
    for rid, reason in repeated_by_author((r[0], r[2], r[1]) for r in rows).items():
        if (rid, "repeated") not in already:
            flags.append((rid, "repeated", reason))
    import pandas as pd

    clusters = pd.DataFrame(
        [(x.review_id, x.cluster_id, x.is_canonical, x.similarity) for x in links],
        columns=["review_id", "cluster_id", "is_canonical", "similarity"],
    )
    flag_rows = pd.DataFrame(flags, columns=["review_id", "flag", "reason"])
    con.execute("begin transaction")
    try:
        con.register("_molva_clusters", clusters)
        con.register("_molva_flags", flag_rows)
        con.execute("delete from duplicate_clusters")
        con.execute("delete from review_flags")
        con.execute(
            "insert into duplicate_clusters (review_id, cluster_id, is_canonical, similarity) "
            "select review_id, cluster_id, is_canonical, similarity from _molva_clusters"
        )
        con.execute(
            "insert into review_flags (review_id, flag, reason) select review_id, flag, reason from _molva_flags"
        )
        con.execute(
            "insert or replace into dedup_state values ('duplicates', ?, now()::timestamp)",
            [fingerprint],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for view in ("_molva_clusters", "_molva_flags"):
            with contextlib.suppress(Exception):
                con.unregister(view)
    return _stored_counts(con)


def _stored_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The step's summary, read back from the tables it writes."""
    (n_reviews,) = con.execute("select count(*) from reviews").fetchone() or (0,)
    n_clusters, n_duplicates = con.execute(
        "select count(*) filter (where is_canonical), count(*) filter (where not is_canonical) from duplicate_clusters"
    ).fetchone() or (0, 0)
    counts = dict(con.execute("select flag, count(*) from review_flags group by flag").fetchall())
    return {
        "n_reviews": int(n_reviews),
        "n_clusters": int(n_clusters),
        "n_duplicates": int(n_duplicates),
        **{
            f"n_{flag}": int(counts.get(flag, 0))
            for flag in ("too_short", "repeated", "advertising", "links_only", "low_information")
        },
    }

"""Exemplars: labelled sentences as topic evidence (k-nearest-neighbour vote), files, fit and scoring."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from nlp.topics.assign import FEATURES, FEATURES_WITH_EXEMPLARS, TopicAssigner
from nlp.topics.calibrate import calibrate, micro_f1
from nlp.topics.exemplars import ExemplarError, Exemplars, from_labelled, read_exemplar_file
from nlp.topics.polarity import PolarityReading
from nlp.topics.taxonomy import Taxonomy, load_taxonomy
from tests.conftest import shared_path
from tests.nlp.test_topics import SMALL
from tests.nlp.topics_fakes import LemmaHashEmbedder


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_share_is_the_nearest_exemplars_vote_without_the_own_review() -> None:
    exemplars = Exemplars(
        ["a", "b"],
        _unit([[1, 0], [1, 0.05], [0, 1]]),
        np.array([[True, False], [True, False], [False, True]]),
        np.array(["r1", "r2", "r3"], dtype=object),
    )
    share = exemplars.share(_unit([[1, 0.01], [0.01, 1]]))
    assert share.shape == (2, 2) and np.allclose(share.sum(axis=1), 1.0)
    assert share[0, 0] > 0.99 and share[1, 1] > 0.99
    # the same sentence fitted as an exemplar of its own review: its review's exemplars are not its neighbours
    own = exemplars.share(_unit([[1, 0]]), exclude_groups=["r1"])
    assert own[0, 0] > 0.99
    alone = Exemplars(["a"], _unit([[1, 0]]), np.array([[True]]), np.array(["r1"], dtype=object))
    assert alone.share(_unit([[1, 0]]), exclude_groups=["r1"]).tolist() == [[0.0]]  # nothing left: zeros


def test_exemplar_files_name_the_line_and_field(tmp_path: Path) -> None:
    good = tmp_path / "labelled.jsonl"
    good.write_text(
        json.dumps({"text": "курьер опоздал", "topics": ["delivery"], "group": "r1"}, ensure_ascii=False)
        + "\n\n"
        + json.dumps({"text": "всем привет", "topics": []}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    read = read_exemplar_file(good, ["delivery", "staff"])
    assert read.texts == ["курьер опоздал", "всем привет"] and read.topics == [{"delivery"}, set()]
    assert read.groups == ["r1", "line:3"] and not read.polarity.any()
    cases = {
        '{"text": "x", "topics": ["parking"]}\n': r"labelled\.jsonl:1: field 'topics': \['parking'\]",
        '{"text": "", "topics": []}\n': r":1: field 'text'",
        '{"text": "x", "topics": "delivery"}\n': r":1: field 'topics' must be a list",
        '{"text": "x", "topics": []}\n{oops\n': r":2: not valid JSON",
        '["x"]\n': r":1: expected an object",
        '{"text": "x", "topics": [], "polarity": "angry"}\n': r":1: field 'polarity' must be one of",
    }
    for content, message in cases.items():
        good.write_text(content, encoding="utf-8")
        with pytest.raises(ExemplarError, match=message):
            read_exemplar_file(good, ["delivery", "staff"])
    with pytest.raises(ExemplarError, match="not found"):
        read_exemplar_file(tmp_path / "missing.jsonl", ["delivery"])
    good.write_bytes(b'{"text": "\xff", "topics": []}\n')
    with pytest.raises(ExemplarError, match="not UTF-8"):
        read_exemplar_file(good, ["delivery"])


def _labelled() -> tuple[list[str], list[set[str]]]:
    # "заказ" and "счёт" match no seed phrase: only the labelled examples say that they are delivery and app topics
    texts = ["заказ привезли на неделю позже", "заказ опять задержали", "заказ так и не привезли",
             "счёт не открывается", "счёт опять завис", "счёт показывает ошибку",
             "официант грубил", "вежливый персонал", "погода хорошая", "мы пришли вечером"] * 2  # fmt: skip
    gold = [{"delivery"}] * 3 + [{"app"}] * 3 + [{"staff"}] * 2 + [set(), set()]
    return texts, gold * 2


def test_a_calibration_with_exemplars_reads_its_file_and_learns_what_seeds_miss(tmp_path: Path) -> None:
    from nlp.lemmas import lemmatize_many

    texts, gold = _labelled()
    lines = [json.dumps({"text": t, "topics": sorted(g), "group": f"r{i % 10}"}, ensure_ascii=False)
             for i, (t, g) in enumerate(zip(texts, gold, strict=True))]  # fmt: skip
    (tmp_path / "labelled.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    taxonomy = Taxonomy.model_validate(SMALL)
    assigner = TopicAssigner(taxonomy, LemmaHashEmbedder())
    vectors = assigner.embedder.encode(texts)
    lemmas = lemmatize_many(texts, ["ru"] * len(texts), drop_stop_words=True)
    groups = [f"r{i % 10}" for i in range(len(texts))]
    labelled = read_exemplar_file(tmp_path / "labelled.jsonl", assigner.topic_ids)
    exemplars = from_labelled(assigner.embedder.encode, labelled, assigner.topic_ids, "labelled.jsonl")
    fitted = calibrate(assigner, vectors, lemmas, gold, per_topic=False, exemplars=exemplars, groups=groups)
    seeds_only = calibrate(assigner, vectors, lemmas, gold, per_topic=False)
    assert fitted.features == list(FEATURES_WITH_EXEMPLARS) and seeds_only.features == list(FEATURES)
    assert fitted.exemplars == "labelled.jsonl" and len(fitted.weights["*"]) == len(FEATURES_WITH_EXEMPLARS) + 1

    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["calibration"] = fitted.model_dump()
    (tmp_path / "topics.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_taxonomy(tmp_path / "topics.yaml")
    assert loaded.calibration.exemplars == str(tmp_path / "labelled.jsonl")  # relative to the taxonomy file
    new = ["заказ привезли позже", "счёт завис", "всем привет"]
    with_file, _ = TopicAssigner(loaded, LemmaHashEmbedder()).assign(new)
    without, _ = TopicAssigner(Taxonomy.model_validate(SMALL | {"calibration": seeds_only.model_dump()}),
                               LemmaHashEmbedder()).assign(new)  # fmt: skip
    gold_new = [{"delivery"}, {"app"}, set()]
    assert micro_f1(gold_new, with_file).f1 == 1.0 and micro_f1(gold_new, without).f1 < 1.0

    no_file = fitted.model_copy(update={"exemplars": None})
    with pytest.raises(ValueError, match="names no exemplar file"):
        assigner.score(new, calibration=no_file)


@pytest.mark.slow
def test_semeval_exemplars_beat_seeds_on_the_half_they_never_saw() -> None:
    """Fit on the calibration half (its sentences as exemplars), score the test half: the hidden test's protocol."""
    from nlp.topics.calibrate import _gold_matrix
    from nlp.topics.embedder import get_embedder
    from nlp.topics.evaluate import encode_language

    folder = shared_path("data", "absa")
    repo = Path(__file__).resolve().parents[2]
    embedder = get_embedder("auto")
    assigner = TopicAssigner(load_taxonomy(repo / "configs" / "eval" / "absa_restaurants.yaml"), embedder)
    data = encode_language(embedder, folder, "en")
    cal_part, test_part = data.parts["calibration"], data.parts["test"]
    gold = [s.categories for s in cal_part]
    groups = [s.review_id for s in cal_part]
    exemplars = Exemplars(assigner.topic_ids, data.vectors["calibration"], _gold_matrix(assigner.topic_ids, gold),
                          np.array(groups, dtype=object))  # fmt: skip
    f1 = {}
    for name, ex in (("seeds", None), ("exemplars", exemplars)):
        cal = calibrate(assigner, data.vectors["calibration"], data.lemmas["calibration"], gold, exemplars=ex,
                        groups=groups)  # fmt: skip
        scores = assigner.score([s.text for s in test_part], vectors=data.vectors["test"],
                                lemmas=data.lemmas["test"], calibration=cal, exemplars=ex)  # fmt: skip
        f1[name] = micro_f1([s.categories for s in test_part], scores.assigned(cal)).f1
    assert f1["exemplars"] >= f1["seeds"] + 0.03, f1


def _write_labelled(path: Path, copies: int = 4) -> None:
    texts, gold = _labelled()
    rows = [
        {"text": f"{t} ({k})" if k else t, "topics": sorted(g), "group": f"review-{k}-{i % 10}"}
        for k in range(copies)
        for i, (t, g) in enumerate(zip(texts, gold, strict=True))
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def test_topics_calibrate_writes_a_calibration_that_reads_its_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import nlp.topics.embedder
    from molva.cli.main import app

    monkeypatch.setattr(nlp.topics.embedder, "get_embedder", lambda backend="auto": LemmaHashEmbedder())
    taxonomy = tmp_path / "config" / "topics.yaml"
    taxonomy.parent.mkdir()
    taxonomy.write_text(yaml.safe_dump(SMALL | {"calibration": {"polarity_band": 0.1}}, allow_unicode=True))
    labelled = tmp_path / "labels" / "labelled.jsonl"
    labelled.parent.mkdir()
    _write_labelled(labelled)
    before = taxonomy.read_text()
    runner = CliRunner()
    result = runner.invoke(
        app, ["topics", "calibrate", "--labelled", str(labelled), "--taxonomy", str(taxonomy), "--no-polarity"]
    )
    assert result.exit_code == 0, result.output
    assert "80 labelled sentences from 40 groups" in result.output and "with exemplars" in result.output
    assert taxonomy.read_text() == before  # nothing written without --write
    result = runner.invoke(
        app,
        ["topics", "calibrate", "--labelled", str(labelled), "--taxonomy", str(taxonomy), "--write", "--no-polarity"],
    )
    assert result.exit_code == 0, result.output
    loaded = load_taxonomy(taxonomy)
    assert loaded.calibration.polarity_band == 0.1 and loaded.calibration.weights
    assert loaded.calibration.exemplars == str(taxonomy.parent / ".." / "labels" / "labelled.jsonl")
    topics, _ = TopicAssigner(loaded, LemmaHashEmbedder()).assign(["заказ привезли позже", "счёт завис"])
    assert topics[0][:1] == ["delivery"] and topics[1][:1] == ["app"]

    labelled.write_text('{"text": "x", "topics": ["parking"]}\n', encoding="utf-8")
    result = runner.invoke(
        app, ["topics", "calibrate", "--labelled", str(labelled), "--taxonomy", str(taxonomy), "--no-polarity"]
    )
    assert result.exit_code == 1 and "labelled.jsonl:1: field 'topics'" in result.output
    _write_labelled(labelled, copies=1)
    labelled.write_text("\n".join(labelled.read_text().splitlines()[:30]) + "\n")
    result = runner.invoke(
        app, ["topics", "calibrate", "--labelled", str(labelled), "--taxonomy", str(taxonomy), "--no-polarity"]
    )
    assert result.exit_code == 1 and "at least 50 are needed" in result.output


class _KeywordSentiment:
    """Stands in for SentimentPolarity: complaint words give a negative sentence, the rule always says positive."""

    def classify(self, texts: list[str], reviews: list[str] | None = None) -> PolarityReading:
        bad = np.array([any(w in t for w in ("позже", "задержали", "завис", "ошибку", "грубил")) for t in texts])
        sentence = np.where(bad[:, None], [0.8, 0.1, 0.05], [0.05, 0.15, 0.7])
        return PolarityReading(["positive"] * len(texts), np.ones(len(texts)), sentence, sentence.copy())


def test_labelled_polarity_fits_a_polarity_model_when_it_beats_the_rule(tmp_path: Path) -> None:
    from nlp.topics.fit_labelled import fit_labelled

    texts, gold = _labelled()
    bad = ("позже", "задержали", "завис", "ошибку", "грубил")
    rows = [
        {"text": f"{t} ({k})", "topics": sorted(g), "group": f"review-{k}-{i % 10}",
         "polarity": "negative" if any(w in t for w in bad) else ("neutral" if not g else "positive")}
        for k in range(4) for i, (t, g) in enumerate(zip(texts, gold, strict=True))
    ]  # fmt: skip
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assigner = TopicAssigner(Taxonomy.model_validate(SMALL), LemmaHashEmbedder())
    result = fit_labelled(assigner, labelled, tmp_path / "topics.yaml", _KeywordSentiment())  # type: ignore[arg-type]
    assert result.n_polarity == 80 and result.polarity_rule is not None and result.polarity_fitted is not None
    assert result.polarity_fitted > result.polarity_rule and result.calibration.polarity_model is not None
    assert result.calibration.polarity_model.uses_vote == result.uses_exemplars
    without = fit_labelled(assigner, labelled, tmp_path / "topics.yaml")
    assert without.calibration.polarity_model is None and without.polarity_fitted is None

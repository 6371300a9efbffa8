"""Taxonomy loading, assignment, calibration, clustering and labels (fake embedder; no model download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from nlp.topics.absa import map_category, read_absa, split_part
from nlp.topics.assign import TopicAssigner
from nlp.topics.calibrate import _best_threshold, calibrate, micro_f1
from nlp.topics.cluster import build_clusters, c_tf_idf, cluster_vectors
from nlp.topics.taxonomy import Calibration, Taxonomy, TaxonomyError, load_taxonomy
from tests.nlp.topics_fakes import LemmaHashEmbedder

REPO = Path(__file__).resolve().parents[2]

SMALL = {
    "topics": [
        {"id": "delivery", "name_en": "Delivery", "name_ru": "Доставка", "stage": "delivery",
         "seeds": {"en": ["late delivery", "courier"], "ru": ["задержка доставки", "курьер"]}},
        {"id": "staff", "name_en": "Staff", "name_ru": "Персонал", "stage": "use",
         "seeds": {"en": ["rude staff", "polite waiter"], "ru": ["грубый персонал", "вежливый официант"]}},
        {"id": "app", "name_en": "App", "name_ru": "Приложение", "stage": "purchase",
         "seeds": {"en": ["the app crashes", "website"], "ru": ["приложение вылетает", "сайт"]}},
    ],
    "calibration": {"threshold": 0.15, "lemma_weight": 0.3, "centroid_weight": 0.5, "relative_weight": 1.0},
}  # fmt: skip


@pytest.fixture
def small() -> Taxonomy:
    return Taxonomy.model_validate(SMALL)


def test_shipped_taxonomies_are_valid() -> None:
    cx = load_taxonomy(REPO / "configs" / "topics.yaml")
    assert len(cx.ids) == 13 and {"delivery", "returns_refunds", "loyalty_promotions"} <= set(cx.ids)
    assert all(t.stage and t.phrases("ru") and t.phrases("en") for t in cx.topics)
    absa = load_taxonomy(REPO / "configs" / "eval" / "absa_restaurants.yaml")
    assert absa.ids == ["FOOD", "DRINKS", "SERVICE", "AMBIENCE", "LOCATION", "PRICES", "RESTAURANT"]
    assert all(len(t.phrases(lang)) <= 5 for t in absa.topics for lang in ("ru", "en"))


def test_bad_taxonomy_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("topics:\n  - id: x\n    name_en: X\n    name_ru: Х\n    stage: nowhere\n    seeds: {en: [a]}\n")
    with pytest.raises(TaxonomyError, match=r"t\.yaml.*topics\.0\.stage"):
        load_taxonomy(bad)
    bad.write_text("topics:\n  - id: x\n    name_en: X\n    name_ru: Х\n    seeds: {de: [a]}\n")
    with pytest.raises(TaxonomyError, match=r"seeds"):
        load_taxonomy(bad)
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_assignment_uses_lemmas_across_inflections(small: Taxonomy) -> None:
    assigner = TopicAssigner(small, LemmaHashEmbedder())
    topics, scores = assigner.assign(
        ["Доставку задержали, курьера не было", "The staff were rude", "Приложение постоянно вылетает", "Всем привет"]
    )
    assert topics[0][0] == "delivery" and topics[1] == ["staff"] and topics[2] == ["app"] and topics[3] == []
    assert scores.lemma[0, 0] == 1.0  # "курьер" matched the one-word seed through its lemma


def test_a_new_topic_is_a_few_phrases_without_retraining(small: Taxonomy) -> None:
    data = small.model_dump()
    data["topics"].append({"id": "parking", "name_en": "Parking", "name_ru": "Парковка",
                           "seeds": {"ru": ["негде припарковаться", "парковка"]}})  # fmt: skip
    assigner = TopicAssigner(Taxonomy.model_validate(data), LemmaHashEmbedder())
    topics, _ = assigner.assign(["Парковка у магазина всегда забита"])
    assert topics[0][0] == "parking"


def test_threshold_sweep_is_exact() -> None:
    scores = np.array([[0.9, 0.1], [0.8, 0.7], [0.2, 0.6]])
    gold = np.array([[1, 0], [1, 1], [0, 0]], dtype=bool)
    threshold, f1 = _best_threshold(scores, gold)
    predicted = scores >= threshold
    assert f1 == pytest.approx(1.0) and (predicted == gold).all()


def test_calibration_improves_f1_on_the_data_it_is_fitted_on(small: Taxonomy) -> None:
    assigner = TopicAssigner(small, LemmaHashEmbedder())
    texts = ["курьер опоздал", "доставка задержалась", "официант грубил", "вежливый персонал", "сайт не работает",
             "приложение вылетает", "погода хорошая", "мы пришли вечером"]  # fmt: skip
    gold = [{"delivery"}, {"delivery"}, {"staff"}, {"staff"}, {"app"}, {"app"}, set(), set()]
    vectors = assigner.embedder.encode(texts)
    from nlp.lemmas import lemmatize_many

    lemmas = lemmatize_many(texts, ["ru"] * len(texts), drop_stop_words=True)
    fitted = calibrate(assigner, vectors, lemmas, gold, per_topic=False, fitted_on="unit test")
    before = micro_f1(gold, assigner.score(texts, vectors=vectors, calibration=Calibration(threshold=0.5)).assigned(
        Calibration(threshold=0.5)))  # fmt: skip
    after = micro_f1(gold, assigner.score(texts, vectors=vectors, calibration=fitted).assigned(fitted))
    assert after.f1 >= 0.8 and after.f1 > before.f1 and fitted.fitted_on == "unit test"


def test_micro_f1() -> None:
    result = micro_f1([{"a", "b"}, set()], [["a"], ["c"]])
    assert (result.precision, result.recall, result.n_gold, result.n_pred) == (0.5, 0.5, 2, 2)


def test_clusters_on_separated_groups_and_noise() -> None:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((3, 32))
    vectors = np.vstack([c + 0.05 * rng.standard_normal((20, 32)) for c in centres] + [rng.standard_normal((5, 32))])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = cluster_vectors(vectors, distance=0.2, min_size=5)
    assert len(set(labels[:60])) == 3 and set(labels[60:]) == {-1}
    assert all(len(set(labels[i * 20 : (i + 1) * 20])) == 1 for i in range(3))


def test_large_inputs_take_the_sampled_path() -> None:
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((4, 16))
    vectors = np.vstack([c + 0.03 * rng.standard_normal((1200, 16)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = cluster_vectors(vectors, distance=0.1, min_size=5)
    assert len(set(labels.tolist()) - {-1}) == 4 and (labels >= 0).mean() > 0.95


def test_c_tf_idf_prefers_words_specific_to_a_cluster() -> None:
    phrases = c_tf_idf(
        [[["парковка", "забитый"], ["парковка", "место"], ["парковка", "машина"]],
         [["курьер", "опоздать"], ["курьер", "грубый"], ["заказ", "курьер"]]]
    )  # fmt: skip
    assert phrases[0][0] == "парковка" and phrases[1][0] == "курьер"
    assert all(3 <= len(p) <= 5 for p in phrases)


def test_build_clusters_labels_and_examples() -> None:
    emb = LemmaHashEmbedder()
    texts = ["парковка забита", "парковка маленькая", "на парковке нет мест", "парковка у входа занята",
             "кофе холодный", "кофе остыл", "холодный кофе", "кофе был холодным"]  # fmt: skip
    from nlp.lemmas import lemmatize_many

    clusters = build_clusters(emb.encode(texts), lemmatize_many(texts, drop_stop_words=True), distance=0.6, min_size=3)
    assert len(clusters) == 2
    firsts = sorted(c.key_phrases[0] for c in clusters)
    assert firsts == ["кофе", "парковка"]
    assert all(len(c.examples) >= 3 for c in clusters)


SEMEVAL_XML = """<?xml version="1.0"?><Reviews><Review rid="1"><sentences>
<sentence id="1:0"><text>Great pasta, but pricey.</text><Opinions>
<Opinion target="pasta" category="FOOD#QUALITY" polarity="positive" from="6" to="11"/>
<Opinion target="NULL" category="FOOD#PRICES" polarity="negative" from="0" to="0"/></Opinions></sentence>
<sentence id="1:1"><text>We went on Friday.</text></sentence></sentences></Review></Reviews>"""


def test_semeval_reader_and_category_mapping(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(SEMEVAL_XML)
    sentences = read_absa(path, "en")
    assert [s.categories for s in sentences] == [{"FOOD", "PRICES"}, set()]
    assert sentences[0].opinions == {("FOOD", "positive"), ("PRICES", "negative")}
    assert map_category("RESTAURANT#MISCELLANEOUS") == "RESTAURANT" and map_category("DRINKS#PRICES") == "PRICES"
    assert split_part("1", "en") == split_part("1", "en") in ("calibration", "test")
    path.write_text("<Reviews><Review>")
    with pytest.raises(ValueError, match=r"x\.xml"):
        read_absa(path, "en")


def test_save_calibration_keeps_comments_and_topics(tmp_path: Path) -> None:
    from nlp.topics.taxonomy import save_calibration

    path = tmp_path / "t.yaml"
    path.write_text("# my taxonomy\n" + yaml.safe_dump(SMALL, allow_unicode=True, sort_keys=False))
    fitted = Calibration(threshold=0.3, lemma_weight=0.1, fitted_on="my labels")
    save_calibration(path, fitted)
    save_calibration(path, fitted)
    assert path.read_text().startswith("# my taxonomy\n") and path.read_text().count("calibration:") == 1
    loaded = load_taxonomy(path)
    assert loaded.calibration == fitted and loaded.ids == ["delivery", "staff", "app"]


def test_polarity_band_and_its_fit() -> None:
    from nlp.topics.polarity import fit_band, kind_of, label_from_score

    assert label_from_score("neutral", 0.4, None) == "neutral"
    assert [label_from_score("neutral", s, 0.2) for s in (0.4, -0.5, 0.1)] == ["positive", "negative", "neutral"]
    assert [kind_of(p) for p in ("negative", "positive", "neutral", "odd")] == [
        "complaint",
        "praise",
        "neutral",
    ] * 1 + ["neutral"]
    gold = ["positive", "positive", "negative", "neutral"]
    band, acc = fit_band(gold, ["neutral", "positive", "neutral", "neutral"], [0.5, 0.9, -0.6, 0.05])
    assert band is not None and 0.05 <= band < 0.5 and acc == 1.0
    assert fit_band(["positive"], ["positive"], [0.1]) == (None, 1.0)  # labels already right: keep them


def _toy_calibration_data(assigner: TopicAssigner) -> tuple[list[str], np.ndarray, list[list[str]], list[set[str]]]:
    from nlp.lemmas import lemmatize_many

    texts = ["курьер опоздал", "доставка задержалась", "курьер был вежлив", "официант грубил", "вежливый персонал",
             "грубый официант", "сайт не работает", "приложение вылетает", "сайт медленный", "погода хорошая",
             "мы пришли вечером", "день был длинный"] * 3  # fmt: skip
    gold = [{"delivery"}, {"delivery"}, {"delivery"}, {"staff"}, {"staff"}, {"staff"}, {"app"}, {"app"}, {"app"},
            set(), set(), set()] * 3  # fmt: skip
    lemmas = lemmatize_many(texts, ["ru"] * len(texts), drop_stop_words=True)
    return texts, assigner.embedder.encode(texts), lemmas, gold


def test_logistic_calibration_fits_shared_and_per_topic_weights(small: Taxonomy) -> None:
    from nlp.topics.assign import FEATURES

    assigner = TopicAssigner(small, LemmaHashEmbedder())
    texts, vectors, lemmas, gold = _toy_calibration_data(assigner)
    shared = calibrate(assigner, vectors, lemmas, gold, per_topic=False, method="logistic")
    assert set(shared.weights) == {"*"} and shared.features == list(FEATURES) and 0 < shared.threshold < 1
    assert all(len(row) == len(FEATURES) + 1 for row in shared.weights.values())
    scores = assigner.score(texts, vectors=vectors, lemmas=lemmas, calibration=shared)
    assert ((scores.scores >= 0) & (scores.scores <= 1)).all()  # probabilities
    assert micro_f1(gold, scores.assigned(shared)).f1 >= 0.9
    linear = calibrate(assigner, vectors, lemmas, gold, per_topic=False, method="linear")
    assert not linear.weights and linear.features == []
    with pytest.raises(ValueError, match="unknown calibration method"):
        calibrate(assigner, vectors, lemmas, gold, method="forest")


def test_a_topic_without_its_own_weights_uses_the_shared_row(small: Taxonomy) -> None:
    assigner = TopicAssigner(small, LemmaHashEmbedder())
    _, vectors, lemmas, gold = _toy_calibration_data(assigner)
    fitted = calibrate(assigner, vectors, lemmas, gold, per_topic=False)
    data = small.model_dump()
    data["topics"].append({"id": "parking", "name_en": "Parking", "name_ru": "Парковка",
                           "seeds": {"ru": ["негде припарковаться", "парковка"]}})  # fmt: skip
    data["calibration"] = fitted.model_dump()
    topics, _ = TopicAssigner(Taxonomy.model_validate(data), LemmaHashEmbedder()).assign(
        ["Парковка у магазина всегда забита", "курьер опоздал"]
    )
    assert topics[0][:1] == ["parking"] and topics[1][:1] == ["delivery"]


def test_weights_fitted_on_other_features_are_refused(small: Taxonomy) -> None:
    assigner = TopicAssigner(small, LemmaHashEmbedder())
    stale = Calibration(threshold=0.5, features=["best", "lemma"], weights={"*": [1.0, 1.0, 0.0]})
    with pytest.raises(ValueError, match="refit"):
        assigner.score(["курьер опоздал"], calibration=stale)


def test_eval_vector_cache_is_kept_per_backend(tmp_path: Path) -> None:
    from nlp.topics.evaluate import _encode_cached

    class Named(LemmaHashEmbedder):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    first, second = Named("one"), Named("two")
    texts = ["курьер опоздал", "сайт не работает"]
    _encode_cached(first, texts, tmp_path)
    _encode_cached(first, texts, tmp_path)
    _encode_cached(second, texts, tmp_path)
    assert (first.calls, second.calls) == (1, 1)
    assert {p.name for p in tmp_path.iterdir()} == {"one", "two"}
    reexported = Named("one")
    reexported.recipe = "int8-v2"  # same backend, another export recipe: its own vectors
    _encode_cached(reexported, texts, tmp_path)
    assert reexported.calls == 1 and (tmp_path / "one-int8-v2").is_dir()


def _write_semeval(path: Path, n_reviews: int = 40) -> None:
    """A synthetic SemEval-2016 file: food and service opinions plus topic-free sentences, in English."""
    food = ["The pizza was tasty", "Great pasta and fresh salad", "The soup was cold and bland"]
    service = ["The waiter was rude", "Friendly waitress and quick service", "The staff ignored us"]
    reviews = []
    for r in range(n_reviews):
        sentences = [
            (food[r % 3], "FOOD#QUALITY", "negative" if "cold" in food[r % 3] else "positive"),
            (service[r % 3], "SERVICE#GENERAL", "negative" if r % 3 != 1 else "positive"),
            ("We came on a Friday evening", None, None),
        ]
        body = ""
        for k, (text, category, polarity) in enumerate(sentences):
            opinion = (
                f'<Opinions><Opinion target="NULL" category="{category}" polarity="{polarity}"/></Opinions>'
                if category
                else ""
            )
            body += f'<sentence id="{r}:{k}"><text>{text}</text>{opinion}</sentence>'
        reviews.append(f'<Review rid="{r}"><sentences>{body}</sentences></Review>')
    path.write_text(f'<?xml version="1.0"?><Reviews>{"".join(reviews)}</Reviews>')


def test_evaluate_language_cross_validates_over_the_whole_file(tmp_path: Path) -> None:
    from nlp.topics.absa import ABSA_FILES, N_FOLDS, fold_of
    from nlp.topics.evaluate import C_GRID, encode_language, evaluate_language
    from tests.nlp.topics_fakes import keyword_polarity

    _write_semeval(tmp_path / ABSA_FILES["en"])
    taxonomy = Taxonomy.model_validate(
        {"topics": [
            {"id": "FOOD", "name_en": "Food", "name_ru": "Еда", "seeds": {"en": ["pizza, pasta, salad, soup"]}},
            {"id": "SERVICE", "name_en": "Service", "name_ru": "Обслуживание",
             "seeds": {"en": ["waiter, waitress, staff, service"]}},
        ]}
    )  # fmt: skip
    embedder = LemmaHashEmbedder()
    data = encode_language(embedder, tmp_path, "en", tmp_path / "cache")
    result = evaluate_language(TopicAssigner(taxonomy, embedder), data, keyword_polarity)
    assert result.n_sentences == 120 and result.n_folds == N_FOLDS  # every sentence of the file, not one half
    assert "whole file (120 sentences)" in result.calibration.fitted_on
    assert result.regularisation in C_GRID and set(result.grid) == set(C_GRID)
    assert result.calibration.weights and result.cv.f1 >= 0.9 and result.cv_fold_thresholds.f1 >= 0.9
    assert result.cv.n_gold == 80  # every gold category of the file is scored out of fold
    assert result.polarity_accuracy is not None and result.n_polarity == result.cv.n_gold
    # folds are by review and stable
    assert fold_of("7", "en") == fold_of("7", "en") and 0 <= fold_of("7", "en") < N_FOLDS
    assert len({fold_of(str(r), "en") for r in range(40)}) == N_FOLDS


def test_out_of_fold_scores_come_from_fits_that_never_saw_the_sentence(tmp_path: Path) -> None:
    """A sentence's out-of-fold score does not change when its own label is flipped (its fold's fit never saw it)."""
    from nlp.topics.absa import ABSA_FILES, fold_of
    from nlp.topics.evaluate import encode_language, out_of_fold, whole_file

    _write_semeval(tmp_path / ABSA_FILES["en"])
    taxonomy = Taxonomy.model_validate(
        {"topics": [
            {"id": "FOOD", "name_en": "Food", "name_ru": "Еда", "seeds": {"en": ["pizza, pasta, salad, soup"]}},
            {"id": "SERVICE", "name_en": "Service", "name_ru": "Обслуживание",
             "seeds": {"en": ["waiter, waitress, staff, service"]}},
        ]}
    )  # fmt: skip
    embedder = LemmaHashEmbedder()
    assigner = TopicAssigner(taxonomy, embedder)
    sentences, vectors, lemmas = whole_file(encode_language(embedder, tmp_path, "en", tmp_path / "cache"))
    before = out_of_fold(assigner, sentences, vectors, lemmas, regularisation=1.0).scores
    target = next(i for i, s in enumerate(sentences) if s.categories)
    fold = fold_of(sentences[target].review_id, "en")
    sentences[target].categories = {"SERVICE"} if "FOOD" in sentences[target].categories else {"FOOD"}
    after = out_of_fold(assigner, sentences, vectors, lemmas, regularisation=1.0).scores
    same_fold = [i for i, s in enumerate(sentences) if fold_of(s.review_id, "en") == fold]
    assert np.allclose(before[same_fold], after[same_fold])
    assert not np.allclose(before, after)  # the other folds' fits did see the flipped label


def test_a_taxonomy_without_calibration_gets_the_shipped_fit() -> None:
    from nlp.topics.assign import FEATURES
    from nlp.topics.taxonomy import DEFAULT_CALIBRATION

    shipped = load_taxonomy(REPO / "configs" / "topics.yaml").calibration
    assert shipped == DEFAULT_CALIBRATION and DEFAULT_CALIBRATION.features == list(FEATURES)
    bare = Taxonomy.model_validate({"topics": SMALL["topics"]})
    assert bare.calibration == DEFAULT_CALIBRATION and bare.calibration is not DEFAULT_CALIBRATION
    assert Taxonomy.model_validate(SMALL).calibration.weights == {}  # a hand-set block stays linear

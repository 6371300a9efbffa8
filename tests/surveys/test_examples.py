"""The example mappings of configs/survey_examples/ import their sample exports as documented."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from warehouse.surveys.importer import import_survey
from warehouse.surveys.mapping import MappingError, load_mapping

from .conftest import FIXTURES, REPO

EXAMPLES = REPO / "configs" / "survey_examples"


def _load(con: duckdb.DuckDBPyConnection, example: str, fixture: str):  # type: ignore[no-untyped-def]
    mapping = load_mapping(EXAMPLES / f"{example}.yaml")
    result = import_survey(con, FIXTURES / fixture, mapping)
    rows = con.execute(
        "select respondent_id, responded_at, channel, touchpoint, nps_score, csat_score, ces_score "
        "from survey_responses where survey_id = ? order by responded_at",
        [mapping.survey_id],
    ).fetchall()
    return result, rows


def test_google_forms(con: duckdb.DuckDBPyConnection) -> None:
    result, rows = _load(con, "google_forms", "google_forms.csv")
    assert [(i.line_no, i.action) for i in result.issues] == [(4, "rejected")]  # the same submission twice
    assert rows[0] == (
        "2024/03/15 10:22:33 AM GMT+3",
        datetime(2024, 3, 15, 7, 22, 33),
        "Website",
        "order",
        10,
        5,
        None,
    )
    assert rows[2][1] == datetime(2024, 3, 16, 18, 41, 2)  # 9:41:02 PM GMT+3


def test_typeform(con: duckdb.DuckDBPyConnection) -> None:
    result, rows = _load(con, "typeform", "typeform.csv")
    assert [(i.line_no, i.value, i.reason) for i in result.issues] == [
        (5, "8.5", "not a point of the 0-10 scale; answer dropped")
    ]
    assert [r[0] for r in rows] == ["a1b2c3", "d4e5f6", "g7h8i9", "j0k1l2"]
    assert rows[2][6] is None and rows[0][6] == 6  # blank CES stays blank
    n = con.execute("select count(*) from survey_factor_ratings where survey_id = 'typeform-support-2024'").fetchone()
    assert n == (8,)


def test_surveymonkey_two_header_lines_and_labels(con: duckdb.DuckDBPyConnection) -> None:
    result, rows = _load(con, "surveymonkey", "surveymonkey.csv")
    assert [(i.line_no, i.value, i.reason) for i in result.issues] == [
        (5, "Kind of satisfied", "not a number nor a mapped label; answer dropped (stored as null)")
    ]
    assert rows[0] == ("114226395561", datetime(2024, 3, 4, 15, 17, 40), "store", "Downtown", 9, 5, None)
    assert rows[1][5] == 2  # "Somewhat dissatisfied"


def test_yandex_forms_xlsx(con: duckdb.DuckDBPyConnection) -> None:
    result, rows = _load(con, "yandex_forms", "yandex_forms.xlsx")
    assert [(i.line_no, i.action, i.reason) for i in result.issues] == [
        (2, "rejected", "duplicate respondent '101': line 5 kept (keep_last); answers differ"),
        (3, "coerced", "outside the 0-10 scale; answer dropped"),
        (6, "rejected", "no valid answer in the row"),
    ]
    assert result.encoding is None and result.n_rows == 6
    by_id = {r[0]: r for r in rows}
    assert sorted(by_id) == ["101", "102", "103", "105"]  # integer ids, not "101.0"
    assert by_id["101"][1:] == (datetime(2024, 5, 9, 15, 45), "приложение", "доставка", 10, 5, None)
    assert by_id["105"][1] == datetime(2024, 5, 7, 12, 0)  # a text date "07.05.2024 15:00" MSK
    assert by_id["105"][4:6] == (7, 4)  # numbers typed as text


def test_every_example_validates() -> None:
    names = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert names == ["google_forms", "surveymonkey", "typeform", "yandex_forms"]
    for name in names:
        load_mapping(EXAMPLES / f"{name}.yaml")


def test_mapping_errors_name_file_and_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("survey_id: s\nrespondent_id: id\nnps: {column: q, max: 5}\ncsat: {column: c, min: 5, max: 1}\n")
    with pytest.raises(MappingError) as err:
        load_mapping(bad)
    message = str(err.value)
    assert str(bad) in message and "nps" in message and "csat" in message
    none = tmp_path / "none.yaml"
    none.write_text("survey_id: s\nrespondent_id: id\n")
    with pytest.raises(MappingError, match="map at least one of"):
        load_mapping(none)
    partial = tmp_path / "partial.yaml"
    partial.write_text("survey_id: s\nrespondent_id: id\nfactors: {a: {column: a, weight: 1}, b: {column: b}}\n")
    with pytest.raises(MappingError, match="weight to every CSI factor or to none"):
        load_mapping(partial)
    typo = tmp_path / "typo.yaml"
    typo.write_text("survey_id: s\nrespondent_id: id\nnps: {column: q}\nsegmnt: x\n")
    with pytest.raises(MappingError, match="segmnt"):
        load_mapping(typo)

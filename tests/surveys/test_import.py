"""Importing the sample exports: what is stored, what is reported, and that nothing stored is ever lost."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from warehouse.surveys import importer
from warehouse.surveys.importer import ImportResult, import_survey
from warehouse.surveys.mapping import SurveyMapping
from warehouse.surveys.readers import ReadError, decode_bytes, read_export, sniff_delimiter

from .conftest import FIXTURES, RU_CSV

# (line, field, action, reason fragment) of the cp1251 sample, line numbers of the file (header = line 1)
EXPECTED_ISSUES = [
    (3, "ID респондента", "rejected", "duplicate respondent 'r02': line 11 kept (keep_last); identical answers"),
    (9, "Вероятность рекомендации (0-10)", "coerced", "outside the 0-10 scale; answer dropped"),
    (10, None, "rejected", "no valid answer in the row"),
    (12, "ID респондента", "rejected", "blank respondent id"),
]


def test_reader_detects_cp1251_semicolons(ru_mapping: SurveyMapping) -> None:
    table = read_export(RU_CSV, ru_mapping)
    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert table.columns[0] == "ID респондента"
    assert len(table.rows) == 12  # lines 2-13; a row with an id but no answers is still a row
    line, cells = next(r for r in table.rows if r[1]["ID респондента"] == "r06")
    assert line == 7 and cells["Что можно улучшить?"] == "Поддержка не отвечает; дорого"  # quoted ';' kept


def test_import_reports_every_issue_with_line_and_reason(
    con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult
) -> None:
    got = [(i.line_no, i.field, i.action, i.reason) for i in ru_loaded.issues]
    assert got == EXPECTED_ISSUES
    assert ru_loaded.issues[1].value == "11"
    assert (ru_loaded.n_rows, ru_loaded.n_new, ru_loaded.n_rejected, ru_loaded.n_coerced) == (12, 9, 3, 1)
    stored = con.execute("select line_no, field, action, reason from survey_import_issues order by line_no").fetchall()
    assert stored == EXPECTED_ISSUES
    imp = con.execute("select n_rows, n_new, n_rejected, n_coerced, encoding, delimiter from survey_imports").fetchone()
    assert imp == (12, 9, 3, 1, "cp1251", ";")


def test_import_stores_typed_answers(con: duckdb.DuckDBPyConnection, ru_loaded: ImportResult) -> None:
    ids = [r[0] for r in con.execute("select respondent_id from survey_responses order by 1").fetchall()]
    assert ids == ["r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08", "r10"]
    r08 = con.execute("select nps_score, csat_score, ces_score from survey_responses where respondent_id = 'r08'")
    assert r08.fetchone() == (None, 4.0, 5.0)  # the 11 is dropped, the rest of the row kept
    r10 = con.execute(
        "select rating from survey_factor_ratings where respondent_id = 'r10' and factor = 'price'"
    ).fetchone()
    assert r10 == (3.5,)  # "3,5" with a decimal comma
    r01 = con.execute(
        "select brand_id, responded_at, channel, segment, touchpoint, source_line from survey_responses "
        "where respondent_id = 'r01'"
    ).fetchone()
    assert r01 == ("acme", datetime(2024, 1, 14, 21, 0), "онлайн", "B2C", "доставка", 2)  # 00:00 MSK = 21:00 UTC
    assert con.execute("select source_line from survey_responses where respondent_id = 'r02'").fetchone() == (11,)
    texts = dict(con.execute("select respondent_id, answer_text from survey_open_answers").fetchall())
    assert texts["r01"] == "Быстрая доставка, всё отлично" and "r03" not in texts
    scales = con.execute("select brand_id, csat_satisfied_min, ces_easy_min from surveys").fetchone()
    assert scales == ("acme", 4.0, 5.0)
    weights = dict(con.execute("select factor, weight from survey_factor_weights").fetchall())
    assert weights == {"product": 0.5, "service": 0.3, "price": 0.2}


def test_reimport_is_idempotent(
    con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, ru_loaded: ImportResult
) -> None:
    before = con.execute("select * from survey_responses order by respondent_id").fetchall()
    again = import_survey(con, RU_CSV, ru_mapping)
    assert (again.n_new, again.n_updated, again.n_unchanged) == (0, 0, 9)
    assert con.execute("select * from survey_responses order by respondent_id").fetchall() == before


def test_changed_answers_replace_and_are_reported(
    con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, ru_loaded: ImportResult, tmp_path: Path
) -> None:
    first_loaded = con.execute("select first_loaded_at from survey_responses where respondent_id = 'r01'").fetchone()
    text = (
        RU_CSV.read_bytes()
        .decode("cp1251")
        .replace("r01;15.01.2024;онлайн;B2C;доставка;10;", "r01;15.01.2024;онлайн;B2C;доставка;4;")
    )
    edited = tmp_path / "edited.csv"
    edited.write_bytes(text.encode("cp1251"))
    result = import_survey(con, edited, ru_mapping, now=datetime(2030, 1, 1))
    assert (result.n_new, result.n_updated, result.n_unchanged) == (0, 1, 8)
    replaced = [i for i in result.issues if i.action == "replaced"]
    assert [(i.line_no, i.value) for i in replaced] == [(2, "r01")]
    row = con.execute("select nps_score, first_loaded_at, updated_at from survey_responses where respondent_id = 'r01'")
    assert row.fetchone() == (4.0, first_loaded[0], datetime(2030, 1, 1))


def test_failed_import_loses_nothing(
    con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, ru_loaded: ImportResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {
        t: con.execute(f"select * from {t} order by all").fetchall()
        for t in ("survey_responses", "survey_factor_ratings", "survey_open_answers", "survey_imports")
    }
    other = ru_mapping.model_copy(update={"survey_id": "cx-2024-h1"})

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_insert_import", boom)
    edited = RU_CSV  # the same respondents: a replace would delete rows before the failure
    monkeypatch.setattr(importer.ParsedResponse, "content_hash", lambda self: "forces-a-replace")
    with pytest.raises(RuntimeError, match="disk full"):
        import_survey(con, edited, other)
    for table, rows in before.items():
        assert con.execute(f"select * from {table} order by all").fetchall() == rows, table


def test_dry_run_stores_nothing(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping) -> None:
    result = import_survey(con, RU_CSV, ru_mapping, dry_run=True)
    assert result.n_new == 9 and len(result.issues) == 4
    assert con.execute("select count(*) from survey_responses").fetchone() == (0,)
    assert con.execute("select count(*) from survey_imports").fetchone() == (0,)


def test_keep_first_and_bad_dates(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, tmp_path: Path) -> None:
    text = RU_CSV.read_bytes().decode("cp1251").replace("r03;02.02.2024", "r03;31.02.2024")
    path = tmp_path / "bad_date.csv"
    path.write_bytes(text.encode("cp1251"))
    result = import_survey(con, path, ru_mapping.model_copy(update={"duplicates": "keep_first"}))
    dup = next(i for i in result.issues if "duplicate" in i.reason)
    assert dup.line_no == 11 and "line 3 kept (keep_first)" in dup.reason
    bad = next(i for i in result.issues if i.line_no == 4)
    assert (bad.field, bad.value, bad.action) == ("Дата", "31.02.2024", "coerced")
    assert "unreadable date" in bad.reason and "stored without a date" in bad.reason
    assert con.execute("select responded_at from survey_responses where respondent_id = 'r03'").fetchone() == (None,)


def test_decimal_point_mapping_rejects_decimal_commas(
    con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping
) -> None:
    strict = ru_mapping.model_copy(update={"csv": ru_mapping.csv.model_copy(update={"decimal": "."})})
    result = import_survey(con, RU_CSV, strict)
    issue = next(i for i in result.issues if i.line_no == 13)
    assert (issue.field, issue.value, issue.action) == ("Цена", "3,5", "coerced")
    assert "decimal comma" in issue.reason


def test_half_points_are_not_rounded(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, tmp_path: Path) -> None:
    text = (
        RU_CSV.read_bytes()
        .decode("cp1251")
        .replace("r04;10.02.2024;офлайн;B2B;магазин;7;3;", "r04;10.02.2024;офлайн;B2B;магазин;7;3,5;")
    )
    path = tmp_path / "half.csv"
    path.write_bytes(text.encode("utf-8"))  # also: the same file in UTF-8 reads the same
    result = import_survey(con, path, ru_mapping)
    assert result.encoding == "utf-8"
    issue = next(i for i in result.issues if i.line_no == 5)
    assert (issue.value, issue.reason) == ("3,5", "not a point of the 1-5 scale; answer dropped")


def test_missing_column_and_missing_file_name_the_problem(ru_mapping: SurveyMapping, tmp_path: Path) -> None:
    wrong = ru_mapping.model_copy(update={"segment": "Сегмент клиента"})
    with pytest.raises(ReadError, match=r"line 1: mapped column\(s\) not in the header: 'Сегмент клиента'"):
        read_export(RU_CSV, wrong)
    with pytest.raises(ReadError, match="no such file"):
        read_export(tmp_path / "nope.csv", ru_mapping)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ReadError, match="unsupported file type"):
        read_export(tmp_path / "x.json", ru_mapping)


def test_decoding_and_sniffing() -> None:
    assert decode_bytes("Оценка".encode("cp1251")) == ("Оценка", "cp1251")
    assert decode_bytes("\ufeffОценка".encode()) == ("Оценка", "utf-8")
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a,b\n1,2\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"


def test_fixture_files_exist() -> None:
    for name in ("survey_ru_cp1251.csv", "yandex_forms.xlsx", "google_forms.csv", "typeform.csv", "surveymonkey.csv"):
        assert (FIXTURES / name).exists(), name


def test_extra_cells_are_reported(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, tmp_path: Path) -> None:
    text = RU_CSV.read_bytes().decode("cp1251").replace("Отличный продукт", "Отличный продукт;сдвинутая ячейка")
    path = tmp_path / "shifted.csv"
    path.write_bytes(text.encode("cp1251"))
    result = import_survey(con, path, ru_mapping)
    issue = next(i for i in result.issues if i.line_no == 8)
    assert (issue.action, issue.reason) == ("coerced", "1 non-blank cell(s) beyond the 12 header columns ignored")
    assert result.n_new == 9  # the row itself is kept


def test_multiline_answers_keep_their_first_line(
    con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, tmp_path: Path
) -> None:
    text = RU_CSV.read_bytes().decode("cp1251")
    text = text.replace("Хороший сервис\r\nr03", '"Хороший\r\nсервис"\r\nr03', 1)  # r02 (line 3) spans 2 lines
    text = text.replace("r04;10.02.2024;офлайн;B2B;магазин;7;", "r04;10.02.2024;офлайн;B2B;магазин;12;")
    path = tmp_path / "multiline.csv"
    path.write_bytes(text.encode("cp1251"))
    result = import_survey(con, path, ru_mapping)
    # r03 moved from line 4 to 5, r04 from 5 to 6: its 12 is reported on the line where the record starts
    bad = next(i for i in result.issues if i.value == "12")
    assert bad.line_no == 6
    assert con.execute("select source_line from survey_responses where respondent_id = 'r03'").fetchone() == (5,)


def test_three_copies_of_a_respondent_all_point_at_the_kept_line(
    con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping, tmp_path: Path
) -> None:
    text = RU_CSV.read_bytes().decode("cp1251") + "r02;22.01.2024;онлайн;B2C;доставка;10;5;7;5;5;5;Третий раз\r\n"
    path = tmp_path / "three.csv"
    path.write_bytes(text.encode("cp1251"))
    result = import_survey(con, path, ru_mapping)
    dups = [(i.line_no, i.reason) for i in result.issues if "duplicate" in i.reason]
    assert dups == [
        (3, "duplicate respondent 'r02': line 14 kept (keep_last); answers differ"),
        (11, "duplicate respondent 'r02': line 14 kept (keep_last); answers differ"),
    ]
    assert con.execute("select nps_score from survey_responses where respondent_id = 'r02'").fetchone() == (10.0,)


def test_respondent_ids_can_be_pseudonymised(con: duckdb.DuckDBPyConnection, ru_mapping: SurveyMapping) -> None:
    from molva.privacy import pseudonymise

    mapping = ru_mapping.model_copy(update={"pseudonymise_respondent_id": True})
    result = import_survey(con, RU_CSV, mapping, salt="s3cret")
    ids = {r[0] for r in con.execute("select respondent_id from survey_responses").fetchall()}
    assert pseudonymise("r01", "s3cret") in ids and "r01" not in ids
    assert all(i.startswith("anon:") for i in ids)
    dup = next(i for i in result.issues if "duplicate" in i.reason)
    assert dup.value == pseudonymise("r02", "s3cret") and "r02" not in dup.reason  # issues hold no raw id either
    again = import_survey(con, RU_CSV, mapping, salt="s3cret")
    assert again.n_unchanged == 9  # stable: the same person maps to the same pseudonym

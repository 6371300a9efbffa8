"""Time the survey path on synthetic exports: import, re-import, indices, drivers, marts. Prints a table; not a test.

    python benchmarks/surveys_speed.py --n 20000 --n 100000

Per size: write a cp1251 semicolon CSV in the layout of configs/survey.yaml (N respondents, three CSI factors, one
open answer, about one row in five with an out-of-scale price so the issue path is exercised), import it into a
fresh warehouse in a temporary folder, import it again (nothing changes), build every mart (where the indices are
computed), read the indices per quarter x touchpoint from mart_survey_indices (what `molva surveys indices` does
after its build) and run the Shapley driver analysis.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HEADER = (
    "ID респондента;Дата;Канал;Сегмент;Точка контакта;Вероятность рекомендации (0-10);Удовлетворённость (1-5);"
    "Было легко (1-7);Продукт;Сервис;Цена;Что можно улучшить?"
)
SENTIMENT_DDL = (
    "create table if not exists review_sentiment (review_id varchar, content_hash varchar, model_name varchar, "
    "model_version varchar, language varchar, label varchar, score double, p_negative double, p_mixed double, "
    "p_positive double, p_none double default 0, classified_at timestamp, primary key (review_id, model_name))"
)


def write_export(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(n):
        product, service = rng.randint(1, 5), rng.randint(1, 5)
        nps = min(10, max(0, round(2 * (product + service) / 2 + rng.gauss(0, 1.5))))
        price = f"{rng.randint(1, 5)},5"  # "5,5" is outside 1-5: reported and dropped
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        lines.append(
            f"g{i};{day:02d}.{month:02d}.2024;{rng.choice(['онлайн', 'офлайн'])};{rng.choice(['B2C', 'B2B'])};"
            f"{rng.choice(['доставка', 'магазин', 'поддержка'])};{nps};{rng.randint(1, 5)};{rng.randint(1, 7)};"
            f"{product};{service};{price};текст {i}"
        )
    path.write_bytes("\r\n".join(lines).encode("cp1251"))


def timed(label: str, fn, results: list[tuple[str, float]]):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    results.append((label, time.perf_counter() - start))
    return out


def run(n: int) -> list[tuple[str, float]]:
    from warehouse.db import connect
    from warehouse.marts import build_marts
    from warehouse.surveys.drivers import run_driver_analysis
    from warehouse.surveys.importer import import_survey
    from warehouse.surveys.mapping import load_mapping
    from warehouse.surveys.report import read_indices

    mapping = load_mapping(Path(__file__).resolve().parents[1] / "configs" / "survey.yaml")
    results: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.csv"
        write_export(export, n)
        con = connect(Path(tmp) / "molva.duckdb")
        con.execute(SENTIMENT_DDL)  # the sentiment migration may not be in this checkout
        first = timed("import", lambda: import_survey(con, export, mapping), results)
        again = timed("re-import (nothing new)", lambda: import_survey(con, export, mapping), results)
        assert first.n_new == n and again.n_unchanged == n
        timed("build all marts (indices computed)", lambda: build_marts(con), results)
        timed("read indices by quarter x touchpoint",
              lambda: read_indices(con, dimension="touchpoint", period="quarter"), results)  # fmt: skip
        timed("drivers (Shapley, 3 factors)", lambda: run_driver_analysis(con, mapping.survey_id), results)
        con.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="respondents (repeatable); default 20000")
    args = parser.parse_args()
    for n in args.n or [20000]:
        print(f"\n{n} respondents")
        print(f"{'stage':<34}{'seconds':>10}")
        for label, seconds in run(n):
            print(f"{label:<34}{seconds:>10.2f}")


if __name__ == "__main__":
    main()

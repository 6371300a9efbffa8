"""Days, ISO weeks and months are cut in the project's time zone; a month grain; the site host beside the platform."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.warehouse.test_marts import Fixture
from warehouse.db import connect
from warehouse.marts import MartBuildError, build_marts


@pytest.fixture
def fx() -> Fixture:
    fixture = Fixture(connect(":memory:"))
    fixture.brand("acme", own=True)
    fixture.con.execute(
        "insert into sources values ('acme-tp', 'acme', 'trustpilot', 'https://www.Trustpilot.com:443/review/acme',"
        " null, null, true, now()), ('acme-forum', 'acme', 'selectors', null, null, null, true, now())"
    )
    # Sunday 2026-11-01 22:30 UTC is Monday 01:30 in Moscow: UTC week W44 and October 31 → Moscow W45 and November 1
    fixture.review("r1", "acme", "trustpilot", datetime(2026, 11, 1, 22, 30), rating=5, source_id="acme-tp")
    fixture.review("r2", "acme", "trustpilot", datetime(2026, 10, 31, 22, 0), rating=1, source_id="acme-tp")
    fixture.review("r3", "acme", "selectors", datetime(2026, 10, 20, 12, 0), rating=3, source_id="acme-forum")
    fixture.con.execute("update reviews set url = 'http://forum.example/t/1#p3' where review_id = 'r3'")
    return fixture


def _periods(fx: Fixture, grain: str) -> dict[str, int]:
    rows = fx.con.execute(
        "select period_label, n_items from mart_brand_period where period_grain = ? and platform = 'all'", [grain]
    ).fetchall()
    return dict(rows)


def test_the_cut_follows_the_project_time_zone(fx: Fixture) -> None:
    build_marts(fx.con, timezone="UTC")
    assert _periods(fx, "week") == {"2026-W44": 2, "2026-W43": 1}
    assert _periods(fx, "month") == {"2026-10": 2, "2026-11": 1}
    build_marts(fx.con, timezone="Europe/Moscow")
    assert _periods(fx, "week") == {"2026-W45": 1, "2026-W44": 1, "2026-W43": 1}
    assert _periods(fx, "month") == {"2026-11": 2, "2026-10": 1}
    assert _periods(fx, "day") == {"2026-11-02": 1, "2026-11-01": 1, "2026-10-20": 1}
    start, end = fx.con.execute(
        "select period_start, period_end from mart_brand_period where period_grain = 'month'"
        " and period_label = '2026-11'"
        " and platform = 'all'"
    ).fetchone()  # type: ignore[misc]
    assert (str(start), str(end)) == ("2026-11-01", "2026-11-30")


def test_site_host_beside_the_platform(fx: Fixture) -> None:
    build_marts(fx.con)
    hosts = dict(fx.con.execute("select review_id, site_host from stg_reviews_all").fetchall())
    assert hosts == {"r1": "trustpilot.com", "r2": "trustpilot.com", "r3": "forum.example"}
    health = dict(fx.con.execute("select source_id, site_host from mart_source_health").fetchall())
    assert health == {"acme-tp": "trustpilot.com", "acme-forum": None}


def test_an_unknown_time_zone_is_an_error(fx: Fixture) -> None:
    with pytest.raises(MartBuildError, match="Mars/Olympus"):
        build_marts(fx.con, timezone="Mars/Olympus")

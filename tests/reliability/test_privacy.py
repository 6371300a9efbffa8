"""Fault suite: raw reviewer names never reach disk; the one salt resolver warns or refuses on the development salt."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.items import Review
from crawlers.pipelines import ContractPipeline, PrivateLogFormatter
from crawlers.settings import ITEM_PIPELINES, LOG_FORMATTER
from molva import privacy
from molva.config import DEV_SALT, PrivacyConfig
from molva.privacy import SaltError, resolve_salt
from warehouse.db import connect
from warehouse.loader import load_reviews

NAME = "Ivan Petrovich Sidorov"


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(privacy, "_warned", set())
    monkeypatch.delenv("MOLVA_ENV", raising=False)
    monkeypatch.delenv("MOLVA_AUTHOR_SALT", raising=False)


def test_real_salt_is_used_silently(capsys: pytest.CaptureFixture[str]) -> None:
    assert resolve_salt("s3cret-long-random") == "s3cret-long-random"
    assert capsys.readouterr().err == ""


def test_dev_salt_outside_production_warns_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    assert resolve_salt(None, where="load") == DEV_SALT
    assert resolve_salt(DEV_SALT, where="load") == DEV_SALT
    err = capsys.readouterr().err
    assert err.count("WARNING") == 1 and "PUBLIC development salt" in err


def test_production_refuses_the_dev_salt_unless_the_config_allows_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOLVA_ENV", "production")
    with pytest.raises(SaltError, match="Refusing to run in production"):
        PrivacyConfig().salt()
    with pytest.raises(SaltError):
        resolve_salt(DEV_SALT)
    assert PrivacyConfig(allow_dev_salt=True).salt() == DEV_SALT
    assert "PUBLIC development salt" in capsys.readouterr().err
    monkeypatch.setenv("MOLVA_AUTHOR_SALT", "prod-secret")
    assert PrivacyConfig().salt() == "prod-secret"


def test_loader_refuses_in_production_before_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOLVA_ENV", "production")
    con = connect(":memory:")
    row = {"platform": "p", "external_id": "1", "text": "hello", "author": NAME, "url": "http://127.0.0.1/r"}
    with pytest.raises(SaltError):
        load_reviews(con, [row])
    assert con.execute("select count(*) from reviews").fetchone() == (0,)


def _review(**fields: object) -> Review:
    base: dict[str, object] = {"platform": "p", "external_id": "42", "url": "http://127.0.0.1/r/42", "text": ""}
    base.update(fields)
    return Review(**base)  # type: ignore[arg-type]


def test_a_dropped_item_is_pseudonymised_before_validation_and_logged_without_fields(
    caplog: pytest.LogCaptureFixture,
) -> None:
    order = sorted(ITEM_PIPELINES, key=ITEM_PIPELINES.__getitem__)
    assert order[0] == "crawlers.pipelines.ContractPipeline"  # the contract pseudonymises, then validates
    assert LOG_FORMATTER == "crawlers.pipelines.PrivateLogFormatter"
    spider = SimpleNamespace(
        privacy={"pseudonymise_authors": True, "salt": "t-salt"}, crawl_errors=[], crawler=get_crawler()
    )
    crawler = SimpleNamespace(spider=spider)
    item = _review(author=NAME)  # empty text: validation drops it
    with pytest.raises(DropItem) as dropped:
        ContractPipeline(crawler).process_item(item)
    assert item.author is not None and item.author.startswith("anon:")
    formatter = PrivateLogFormatter.from_crawler(spider.crawler)
    entry = formatter.dropped(item, dropped.value, None, spider)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("scrapy.core.scraper").log(entry["level"], entry["msg"], entry["args"])
    logged = caplog.text + str(spider.crawl_errors)
    assert "42" in logged and "text: missing or empty review text" in logged
    assert NAME not in logged and "Sidorov" not in logged


def test_loaded_authors_are_pseudonyms(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = connect(db)
    row = {"platform": "p", "external_id": "1", "text": "hello", "author": NAME, "url": "http://127.0.0.1/r"}
    load_reviews(con, [row], salt="t-salt")
    con.close()
    assert NAME.encode() not in db.read_bytes()

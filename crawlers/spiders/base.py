"""The behaviour every Molva spider shares: where its source comes from, incremental stopping, loop-safe pagination
and error bookkeeping. Extraction and the next-page rule come from the platform's entry in
:mod:`molva.connectors`; a platform spider overrides :meth:`ReviewSpider.start_urls_for`, :meth:`extract` or
:meth:`next_requests` only where its requests are special, and a platform with no spider module gets one from
:mod:`crawlers.spiders.registered`.

A spider is started either by :mod:`crawlers.runner` with ``-a spec=<run.json>`` (source, known ids, output files)
or by hand: ``scrapy crawl <platform> -a source=<id> [-a config=configs/x.yaml] [-a full=1]``, in which case it reads
the config and the warehouse itself and loads its items into the warehouse when it closes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Request, Response

from crawlers.items import Review
from molva.connectors import Connector, connector
from molva.privacy import DEFAULT_SALT_ENV

DEFAULT_CONFIGS = ("configs/demo.yaml",)  # after $MOLVA_CONFIG, as the molva CLI does


def rebase(url: str, real_root: str | None, base_url: str | None) -> str:
    """Point a platform URL at ``base_url`` (a loopback mirror in tests and the offline demo).

    ``https://www.trustpilot.com/review/x`` with base ``http://127.0.0.1:8765/tp`` → ``http://127.0.0.1:8765/tp/review/x``.
    """
    if not base_url or not real_root:
        return url
    if url.startswith(real_root):
        return base_url.rstrip("/") + url[len(real_root) :]
    return url


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class ReviewSpider(scrapy.Spider):
    """Base class: reads the source, yields parsed items, follows next pages until known reviews are reached."""

    platform: str = ""
    real_root: str | None = None  # the platform's own origin, rewritten to options.base_url when one is set

    def __init__(
        self,
        source: str | None = None,
        config: str | None = None,
        spec: str | None = None,
        url: str | None = None,
        full: str | bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.crawl_errors: list[dict[str, Any]] = []
        self.n_pages = 0
        self.n_items = 0
        self.n_dropped = 0
        self.n_duplicates = 0
        self.n_known_seen = 0
        self.stopped_at_known = False
        self.n_pages_lost = 0
        self.finish_reason: str | None = None
        self.standalone = spec is None
        if spec:
            data = json.loads(Path(spec).read_text(encoding="utf-8"))
        else:
            data = self._spec_from_config(source, config, url, str(full).lower() in ("1", "true", "yes"))
        self.spec = data
        self.source: dict[str, Any] = data["source"]
        if self.source.get("platform") not in (None, self.platform):
            raise ValueError(
                f"source {self.source.get('id')!r} belongs to the {self.source['platform']} connector: "
                f"run `scrapy crawl {self.source['platform']} -a source={self.source.get('id')}`"
            )
        self.options: dict[str, Any] = dict(self.source.get("options") or {})
        self.full: bool = bool(data.get("full"))
        self.crawl: dict[str, Any] = data.get("crawl") or {}
        known = data.get("known") or {}
        self.known_ids: set[str] = set(known.get("external_ids") or [])
        self.watermark: str | None = known.get("watermark")
        self.overlap = int(self.options.get("overlap", self.crawl.get("overlap", 5)))
        limit_key = "max_pages_full" if self.full else "max_pages"
        self.max_pages = int(self.options.get(limit_key, self.crawl.get(limit_key, 1000 if self.full else 50)))
        self.items_path = data.get("items_path") or str(Path(tempfile.mkdtemp(prefix="molva-crawl-")) / "items.jsonl")
        self.stats_path = data.get("stats_path")
        self.privacy = {
            "pseudonymise_authors": data.get("pseudonymise_authors", True),
            "allow_dev_salt": bool(data.get("allow_dev_salt", False)),
            "salt": os.environ.get("MOLVA_CRAWL_SALT") or os.environ.get(data.get("salt_env") or DEFAULT_SALT_ENV),
        }
        self.base_url: str | None = self.options.get("base_url")
        self.followed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReviewSpider:
        """Apply the config's ``crawl:`` politeness settings when started by hand (``scrapy crawl``); the runner passes
        them on the command line, which takes precedence."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawl = spider.crawl
        for key, name in (
            ("USER_AGENT", "user_agent"),
            ("CONCURRENT_REQUESTS_PER_DOMAIN", "concurrency_per_domain"),
            ("DOWNLOAD_DELAY", "download_delay"),
        ):
            if crawl.get(name) is not None and not crawler.settings.frozen:
                crawler.settings.set(key, crawl[name], priority="spider")
        return spider

    # --- where the source comes from -------------------------------------------------------------------------
    def _spec_from_config(self, source: str | None, config: str | None, url: str | None, full: bool) -> dict[str, Any]:
        if url and not source:
            return {
                "source": {"id": f"adhoc-{self.name}", "brand": None, "platform": self.name, "url": url, "options": {}},
                "full": True,
            }
        if not source:
            raise ValueError(
                f"give -a source=<id> (a source in the config) or -a url=<page> to `scrapy crawl {self.name}`"
            )
        from molva.config import load_config

        path = config or os.environ.get("MOLVA_CONFIG") or next((p for p in DEFAULT_CONFIGS if Path(p).exists()), None)
        if path is None:
            raise ValueError("no config: pass -a config=FILE or set MOLVA_CONFIG")
        cfg = load_config(path)
        src = cfg.source(source)
        spec: dict[str, Any] = {
            "source": src.model_dump(),
            "crawl": cfg.crawl.model_dump(),
            "full": full,
            "db_path": cfg.warehouse.path,
            "pseudonymise_authors": cfg.privacy.pseudonymise_authors,
            "salt_env": cfg.privacy.salt_env,
        }
        if not full and Path(cfg.warehouse.path).exists():
            spec["known"] = self._known_from_warehouse(cfg.warehouse.path, src.id, src.platform)
        return spec

    def _known_from_warehouse(self, db_path: str, source_id: str, platform: str) -> dict[str, Any]:
        from crawlers.bookkeeping import known_state
        from warehouse.db import connect

        try:
            con = connect(db_path)
        except Exception as exc:  # locked by another writer: crawl everything rather than not at all
            self.logger.warning("cannot read known reviews from %s (%s): crawling as --full", db_path, exc)
            return {}
        try:
            return known_state(con, source_id, platform).to_dict()
        finally:
            con.close()

    # --- what platform spiders implement -------------------------------------------------------------------
    def start_urls_for(self) -> list[str]:
        """The first page(s) of the source; by default ``url`` with ``options.base_url`` applied."""
        url = self.source.get("url")
        if url:
            return [url]
        if self.base_url:
            return [self.base_url]
        raise ValueError(f"source {self.source.get('id')!r} has no url")

    def extract(self, response: Response) -> list[Review]:
        """The registered parser on this page (platforms whose parser needs more override this)."""
        parse = self.connector.load_parser()
        return list(parse(response.body, self.page_url(response)))

    def next_requests(self, response: Response) -> list[Request]:
        """The registered next-page rule's URL, if the platform has one."""
        rule = self.connector.load_next_page()
        return self.follow_url(response, rule(response.body, self.page_url(response))) if rule else []

    @property
    def connector(self) -> Connector:
        return connector(self.platform)

    # --- shared machinery ----------------------------------------------------------------------------------
    async def start(self) -> Any:  # Scrapy ≥ 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        try:
            urls = self.start_urls_for()
        except Exception as exc:
            self.record_error(None, exc)
            return
        for url in urls:
            request = self.make_request(url)
            self.followed.add(request.url)
            yield request

    def make_request(self, url: str, **kwargs: Any) -> Request:
        return Request(self.rebase(url), callback=self.parse, errback=self.on_error, **kwargs)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.n_pages += 1
        try:
            reviews = self.extract(response)
        except Exception as exc:  # a parser bug on one odd page must not end the crawl
            self.record_error(response.url, exc)
            return
        if not reviews and response.status == 200:
            if not response.body.strip():
                self.record_error(response.url, "EmptyPage", "the page was empty")
            elif not self.end_of_listing(response):
                self.record_error(
                    response.url, "NoReviews", "no review could be read from this page (cut short, or a changed "
                    "layout?): pagination stops here",
                )  # fmt: skip
        known_here = 0
        for review in reviews:
            review.source_id = self.source.get("id")
            review.brand_id = self.source.get("brand")
            if self.is_known(review):
                known_here += 1
            yield review
        if not reviews:
            return
        if not self.full and known_here:
            self.n_known_seen += known_here
            if self.n_known_seen > self.overlap:
                self.stopped_at_known = True
                self.logger.info("reached known reviews (%d past the watermark): stop paginating", self.n_known_seen)
                return
        try:
            following = self.next_requests(response)
        except Exception as exc:
            self.record_error(response.url, exc)
            return
        for request in following:
            if request.url in self.followed:
                continue
            if len(self.followed) >= self.max_pages:
                self.record_error(
                    request.url, "MaxPages", f"max_pages={self.max_pages} reached: this page and the ones after it "
                    "were not fetched (raise options.max_pages, or crawl --full)", lost=False,
                )  # fmt: skip
                break
            if request.url in self.followed or request.url == response.url:
                continue  # a page linking to itself (or back) as "next"
            if urlsplit(request.url).netloc != urlsplit(response.url).netloc:
                continue  # never wander to another site
            self.followed.add(request.url)
            yield request

    def is_known(self, review: Review) -> bool:
        """Known = its id is already stored. Dates are only a fallback (ids unknown): a late-moderated review can
        carry an old date, and relevance-sorted pages mix dates, so the id is the trustworthy signal."""
        if self.known_ids:
            return review.external_id in self.known_ids
        return bool(self.watermark and review.published_at and review.published_at < self.watermark)

    def follow_url(self, response: Response, url: str | None, **kwargs: Any) -> list[Request]:
        """A request for a next-page URL found on the page (resolved against the platform URL, then rebased)."""
        return [self.make_request(url, **kwargs)] if url else []

    @property
    def _real(self) -> str | None:
        root = self.real_root or connector(self.platform).real_root
        return root or (origin(self.source["url"]) if self.source.get("url") else None)

    def rebase(self, url: str) -> str:
        """Platform URL → the ``base_url`` mirror (identity without an override)."""
        return rebase(url, self._real, self.base_url)

    def page_url(self, response: Response) -> str:
        """The platform URL of a response served by the ``base_url`` mirror, so relative links and stored review
        URLs point at the platform, not at the mirror; requests are rebased again when they are made."""
        if self.base_url and self._real and response.url.startswith(self.base_url.rstrip("/")):
            return self._real + response.url[len(self.base_url.rstrip("/")) :]
        return response.url

    def end_of_listing(self, response: Response) -> bool:
        """Whether a page with no review is the normal end of the listing rather than a lost page. By default, a
        complete page that links to no next page and is not the first one (an empty page past the last review)."""
        if self.n_pages <= 1:
            return False
        if isinstance(response, HtmlResponse) and b"</html" not in response.body[-4096:].lower():
            return False  # cut short: whatever it held is lost
        try:
            return not self.next_requests(response)
        except Exception:
            return False

    def on_error(self, failure: Any) -> None:
        request = getattr(failure, "request", None)
        url = getattr(request, "url", None)
        origins = request.meta.get("redirect_urls") if request is not None else None
        if origins and "max redirections" in str(failure.value):
            self.record_error(
                origins[0], "TooManyRedirects", f"{len(origins)} redirects ({origins[0]} → … → {url}) without "
                "reaching a page: this page was not read",
            )  # fmt: skip
            return
        self.record_error(origins[0] if origins else url, failure.value)

    def record_error(self, url: str | None, error: Any, message: str | None = None, *, lost: bool = True) -> None:
        """One error of the run, with its URL. ``lost``: a page (and the pages after it) was not read, so the run is
        incomplete and the next crawl resumes."""
        name = error if isinstance(error, str) else type(error).__name__
        text = message or (str(error) if not isinstance(error, str) else name)
        response = getattr(error, "response", None)
        if response is not None:
            text = f"HTTP {response.status}"
        self.logger.warning("error on %s: %s: %s", url, name, text)
        self.crawl_errors.append({"url": url, "error": name, "message": text[:500]})
        self.n_pages_lost += lost

    def stats(self) -> dict[str, Any]:
        return {
            "n_pages": self.n_pages,
            "n_items": self.n_items,
            "n_dropped": self.n_dropped,
            "n_duplicates": self.n_duplicates,
            "stopped_at_known": self.stopped_at_known,
            "n_pages_lost": self.n_pages_lost,
            "finish_reason": self.finish_reason,
            "errors": self.crawl_errors,
        }

    def closed(self, reason: str) -> None:
        self.finish_reason = reason  # anything but "finished" (a signal: "shutdown") marks the run interrupted
        if self.stats_path:
            Path(self.stats_path).write_text(json.dumps(self.stats(), default=str), encoding="utf-8")
        if self.standalone and self.spec.get("db_path"):
            self._load_standalone()

    def _load_standalone(self) -> None:
        from crawlers.bookkeeping import finish_run, read_items, start_run
        from warehouse.db import connect

        con = connect(self.spec["db_path"])
        try:
            summary = start_run(con, self.source["id"], self.platform, full=self.full)
            finish_run(
                con,
                summary,
                items=read_items(Path(self.items_path)),
                stats=self.stats(),
                brand_id=self.source.get("brand"),
                salt=self.privacy.get("salt"),
                pseudonymise_authors=bool(self.privacy.get("pseudonymise_authors", True)),
            )
            self.logger.info("loaded into %s: %s", self.spec["db_path"], summary.to_dict())
        finally:
            con.close()

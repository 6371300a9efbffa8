"""Scrapy settings for Molva's crawlers: polite by default (robots.txt, AutoThrottle, ≤2 requests per domain at a
time, an identifying User-Agent) and patient with overloaded servers (429/5xx retried with backoff that honours
``Retry-After``). Per-source overrides come from the config (``crawl:`` section) through :mod:`crawlers.runner`.
"""

BOT_NAME = "molva"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "MolvaBot/0.1 (+https://github.com/molva/molva; cx-team@example.org)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
MOLVA_BACKOFF_BASE = 2.0  # seconds; doubled on each retry of the same request
MOLVA_BACKOFF_MAX = 120.0  # the longest wait, whatever Retry-After asks for

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
}
# Pseudonymise first: an item dropped by validation is logged, and its log line must not carry a raw name.
ITEM_PIPELINES = {
    "crawlers.pipelines.ContractPipeline": 100,
    "crawlers.pipelines.DedupPipeline": 400,
    "crawlers.pipelines.SinkPipeline": 900,
}

DUPEFILTER_CLASS = "crawlers.dupefilter.ReportingDupeFilter"  # a redirect back to a read page is an error

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.pipelines.PrivateLogFormatter"  # dropped items logged without their fields

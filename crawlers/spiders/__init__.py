"""One spider per platform; each only builds requests and follows pages, extraction lives in ``crawlers.parsers``."""

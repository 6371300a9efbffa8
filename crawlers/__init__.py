"""Scrapy project and pure parsers that turn review pages into :class:`crawlers.items.Review` items."""

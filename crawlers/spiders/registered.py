"""Spiders for the registered platforms that need no requests of their own.

Each is :class:`~crawlers.spiders.base.ReviewSpider` with the platform's name: it starts at the source's ``url`` and
uses the parser and next-page rule of the platform's entry in :mod:`molva.connectors`. Scrapy finds them here like any
spider (``scrapy list``, ``scrapy crawl <platform>``).
"""

from __future__ import annotations

from crawlers.spiders.base import ReviewSpider
from molva.connectors import CONNECTORS


def _spider_class(name: str) -> type[ReviewSpider]:
    class_name = "".join(part.title() for part in name.split("_")) + "Spider"
    attrs = {
        "name": name,
        "platform": name,
        "__module__": __name__,
        "__doc__": f"The {name} connector: registry parser and next-page rule, requests from the source's url.",
    }
    return type(class_name, (ReviewSpider,), attrs)


for _connector in CONNECTORS.values():
    if _connector.spider is None:
        _cls = _spider_class(_connector.name)
        globals()[_cls.__name__] = _cls
del _connector, _cls  # Scrapy lists every spider class bound in this module: bind each under its own name only

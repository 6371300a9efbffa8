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


# Scrapy lists every spider class bound in this module, so each is bound under its own name only (no loop variable).
globals().update(
    {cls.__name__: cls for cls in (_spider_class(c.name) for c in CONNECTORS.values() if c.spider is None)}
)

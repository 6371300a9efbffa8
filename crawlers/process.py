"""Entry point of the crawl subprocess: ``python -m crawlers.process RUN_SPEC.json``.

Runs one spider in a fresh Scrapy ``CrawlerProcess`` (Twisted's reactor cannot restart, so every crawl gets its own
process), with the project settings plus the overrides in the spec. Items and stats go to the files the spec names.

The process never outlives the runner that started it (``$MOLVA_CRAWL_PARENT``): on Linux it stops as on a SIGTERM
when the runner dies, which Scrapy treats as a graceful shutdown (items flushed, JOBDIR saved, ``finish_reason``
``shutdown``), so a later crawl can pick up its items and resume instead of an orphan crawling on unrecorded.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Stop gracefully (one SIGTERM to itself) when the runner process dies (Linux); if it is gone already, exit.

    The kernel sends the death signal each time the child is reparented: first, possibly, to another thread of the
    runner (when the thread that started it ends), then to init. So it comes as SIGHUP, and only the one that finds
    a new parent *process* becomes a SIGTERM: a second SIGTERM would make Scrapy stop uncleanly, saving nothing.
    """
    parent = os.environ.get("MOLVA_CRAWL_PARENT")
    if not parent or not sys.platform.startswith("linux"):
        return
    stopping = False

    def on_parent_death(signum: int, frame: object) -> None:
        nonlocal stopping
        if os.getppid() != int(parent) and not stopping:
            stopping = True
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGHUP, on_parent_death)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGHUP)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):  # the runner died before prctl took effect
        sys.exit(3)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m crawlers.process RUN_SPEC.json", file=sys.stderr)
        return 2
    die_with_parent()
    spec_path = Path(args[0])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))

    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    for key, value in (spec.get("settings") or {}).items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=True)
    process.crawl(spec["source"]["platform"], spec=str(spec_path))
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())

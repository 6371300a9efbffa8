"""Enrich new or changed reviews: sentiment, then topics (which read sentence polarity), then near-duplicates.

Each enricher skips content it has already processed (same ``content_hash`` and model), so a rerun does no work.
"""

from __future__ import annotations

import importlib
import inspect
import time
from dataclasses import asdict, is_dataclass
from typing import Any

from prefect import task

# (step, module, function): the enrichment entry points of the sentiment and topic parts.
STEPS = (
    ("sentiment", "nlp.sentiment.enrich", "enrich_sentiment"),
    ("topics", "nlp.topics.enrich", "enrich_topics"),
    ("duplicates", "nlp.dedup", "enrich_duplicates"),
)


def _as_dict(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if is_dataclass(result) and not isinstance(result, type):
        return asdict(result)
    if isinstance(result, dict):
        return dict(result)
    if isinstance(result, int):
        return {"n": result}
    return {"result": str(result)}


def _call(fn: Any, con: Any, available: dict[str, Any]) -> Any:
    """Call an enricher with the connection and those of the available keyword arguments it accepts."""
    params = inspect.signature(fn).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    kwargs = {k: v for k, v in available.items() if takes_any or k in params}
    return fn(con, **kwargs)


def load_model(config: Any) -> Any:
    """The configured sentiment model (built-in molva-sentiment unless the config names another)."""
    from nlp.sentiment.registry import load_sentiment_model

    nlp = config.nlp
    return load_sentiment_model(nlp.sentiment_model, device=nlp.device, batch_size=nlp.batch_size)


@task(name="enrich")
def enrich_task(db_path: str, config: Any, steps: tuple[str, ...] = ("sentiment", "topics", "duplicates")) -> dict:
    """Run the enrichment steps in order; a step whose module is not installed is reported as ``unavailable``."""
    from warehouse.db import connect

    report: dict[str, Any] = {}
    con = connect(db_path)
    try:
        for step, module_name, function in STEPS:
            if step not in steps:
                continue
            started = time.perf_counter()
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and module_name.startswith(exc.name):
                    report[step] = {"status": "unavailable", "reason": f"{module_name} is not installed"}
                    continue
                raise
            available: dict[str, Any] = {"config": config, "taxonomy": config.topics.taxonomy}
            if step == "sentiment":
                available["model"] = load_model(config)
            result = _call(getattr(module, function), con, available)
            report[step] = {"status": "done", **_as_dict(result), "seconds": round(time.perf_counter() - started, 2)}
    finally:
        con.close()
    return report

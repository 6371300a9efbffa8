"""The weekly flow: render (and optionally send) the digest from the marts, after a marts rebuild.

The renderer is :func:`molva.digest.render.render_digest`, written by the digest part; this flow is its one call site
(:func:`render_with_digest_renderer`) and passes it the warehouse path, week, brand, language, formats and output
folder from the config.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any

from prefect import flow, task

from flows.tasks.marts import build_marts_task
from flows.tasks.record import begin_flow_run, end_flow_run


class DigestUnavailable(RuntimeError):
    """``molva.digest.render`` is not installed in this checkout."""


def render_with_digest_renderer(**options: Any) -> Any:
    """THE call site of the digest renderer: ``molva.digest.render.render_digest(**options)``.

    Options it may accept: ``db_path``, ``config``, ``week``, ``brand_id``, ``lang``, ``formats``, ``out_dir``; those
    its signature does not name are left out, so the two parts can evolve without breaking each other.
    """
    try:
        from molva.digest.render import render_digest
    except ModuleNotFoundError as exc:
        raise DigestUnavailable(
            "the digest renderer (molva/digest/render.py) is not available in this checkout"
        ) from exc
    params = inspect.signature(render_digest).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return render_digest(**{k: v for k, v in options.items() if takes_any or k in params})


def _paths(result: Any) -> list[str]:
    """The files a renderer result names (``DigestResult.paths`` is a format → path mapping)."""
    if result is None:
        return []
    paths = result if isinstance(result, (dict, list, tuple)) else getattr(result, "paths", None)
    if isinstance(paths, dict):
        paths = list(paths.values())
    return [str(p) for p in paths] if paths else [str(result)]


@task(name="render-digest")
def render_digest_task(options: dict[str, Any]) -> Any:
    """Render the digest; returns the renderer's result (its ``paths`` are the written files)."""
    return render_with_digest_renderer(**options)


@task(name="record-recommendations")
def record_recommendations_task(db_path: str, result: Any, config: Any) -> int:
    """Store the digest's recommendations (``digest_recommendations``) so next week's digest follows them up."""
    if result is None or not hasattr(result, "week"):
        return 0
    from molva.digest.followup import record_digest

    return record_digest(Path(db_path), result, config)


@task(name="send-digest", retries=2, retry_delay_seconds=30)
def send_digest_task(result: Any, recipients: list[str]) -> int:
    """E-mail the rendered digest (SMTP settings from the environment); retried: mail servers hiccup."""
    from molva.digest.send import send_digest

    send_digest(result, recipients)
    return len(recipients)


@flow(name="weekly_digest", log_prints=True)
def weekly_digest(
    config_path: str = "configs/demo.yaml",
    week: str | None = None,
    brand: str | None = None,
    lang: str | None = None,
    formats: list[str] | None = None,
    out_dir: str | None = None,
    send: bool = False,
) -> dict[str, Any]:
    """Rebuild the marts, then render the weekly digest (HTML/PDF/Markdown) and send it when ``send`` is true."""
    t0 = time.perf_counter()
    parameters = {"config_path": config_path, "week": week, "brand": brand, "lang": lang, "send": send}
    config, db_path, flow_run_id, _ = begin_flow_run(config_path, "weekly_digest", parameters)
    summary: dict[str, Any] = {"flow": "weekly_digest", "flow_run_id": flow_run_id, "db_path": db_path, "steps": {}}
    status, error = "success", None
    try:
        built = build_marts_task(db_path, config.nlp.sentiment_model, config.project.timezone)
        summary["steps"]["marts"] = {"status": "success", "seconds": built["seconds"]}
        options = {
            "db_path": Path(db_path),
            "config": config,
            "week": week,
            "brand_id": brand or config.digest.brand or config.own_brand.id,
            "lang": lang or config.digest.language,
            "formats": formats or ["html", "pdf", "md"],
            "out_dir": Path(out_dir or config.digest.out_dir),
        }
        step = time.perf_counter()
        result = render_digest_task(options)
        summary["digest"] = _paths(result)
        summary["steps"]["recommendations"] = {"n": record_recommendations_task(db_path, result, config)}
        summary["steps"]["digest"] = {"status": "success", "seconds": round(time.perf_counter() - step, 2)}
        if send:
            if not config.digest.recipients:
                raise ValueError(f"{config_path}: digest.recipients is empty, nobody to send the digest to")
            summary["steps"]["send"] = {"status": "success", "n": send_digest_task(result, config.digest.recipients)}
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        summary["steps"]["digest"] = {"status": "failed", "error": error[:300]}
        raise
    finally:
        summary["status"] = status
        summary["seconds"] = round(time.perf_counter() - t0, 2)
        end_flow_run(db_path, flow_run_id, status, summary, error)
    return summary

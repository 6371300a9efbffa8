"""Print a flow run's summary as rich tables: one row per source, then the steps, then the checks that did not pass."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

_STYLE = {"success": "green", "partial": "yellow", "failed": "red", "pass": "green", "warn": "yellow", "fail": "red"}


def _styled(value: str) -> str:
    style = _STYLE.get(value)
    return f"[{style}]{value}[/{style}]" if style else value


def print_summary(summary: dict[str, Any], console: Console | None = None) -> None:
    """Render ``summary`` (as returned by the nightly/backfill flows) on ``console``."""
    console = console or Console()
    sources = Table(title=f"{summary.get('flow', 'flow')} {summary.get('flow_run_id', '')[:8]}: sources")
    for column in ("source", "status", "items", "new", "updated", "errors", "seconds"):
        sources.add_column(column, justify="left" if column in ("source", "status") else "right")
    for source_id, info in sorted(summary.get("sources", {}).items()):
        sources.add_row(
            source_id,
            _styled(str(info.get("status", "?"))),
            str(info.get("n_items", 0)),
            str(info.get("n_new", 0)),
            str(info.get("n_updated", 0)),
            str(info.get("n_errors", 0)),
            f"{info.get('seconds', 0):.1f}",
        )
    if summary.get("sources"):
        console.print(sources)
    steps = Table(title="steps")
    for column in ("step", "status", "detail", "seconds"):
        steps.add_column(column)
    for name, info in summary.get("steps", {}).items():
        detail = info.get("error") or ", ".join(
            f"{k}={v}" for k, v in info.items() if k not in ("status", "seconds") and _short(v)
        )
        steps.add_row(name, _styled(str(info.get("status", ""))), detail[:100], f"{info.get('seconds', 0):.1f}")
    console.print(steps)
    problems = [c for c in summary.get("checks", []) if c.get("status") != "pass"]
    if problems:
        checks = Table(title="data-quality checks that did not pass")
        for column in ("check", "subject", "status", "message"):
            checks.add_column(column)
        for c in problems:
            checks.add_row(c["check_name"], c["subject"], _styled(c["status"]), c.get("message", "")[:100])
        console.print(checks)
    n_checks = len(summary.get("checks", []))
    console.print(
        f"[bold]{summary.get('flow')}[/bold]: {_styled(str(summary.get('status')))} in "
        f"{summary.get('seconds', 0):.1f} s; {n_checks - len(problems)}/{n_checks} checks passed; "
        f"warehouse {summary.get('db_path')}",
        highlight=False,
    )


def _short(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and len(str(value)) < 40

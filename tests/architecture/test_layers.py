"""The floors of the code base, checked by walking every import statement (lazy ones inside functions too).

Ground floor (``molva.config``, ``molva.connectors``, ``molva.privacy``, ``molva.records``): imports no stage.
Stages (``crawlers``, ``nlp``, ``warehouse``): import the ground floor and lower stages, never ``flows`` or the
top floor (``molva.cli``, ``molva.digest``, ``molva.demo``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GROUND = ("molva.config", "molva.connectors", "molva.privacy", "molva.records")
TOP = ("flows", "molva.cli", "molva.digest", "molva.demo")
STAGES = ("crawlers", "nlp", "warehouse")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file; relative imports resolved against the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _files(*packages: str) -> list[Path]:
    out: list[Path] = []
    for package in packages:
        root = REPO / package.replace(".", "/")
        out.extend(sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")])
    return out


def _violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if _under(module, forbidden)
    ]


def test_stages_never_import_flows_or_the_top_floor() -> None:
    assert _violations(_files(*STAGES), TOP) == []


def test_the_ground_floor_imports_no_stage() -> None:
    assert _violations(_files(*GROUND), (*STAGES, *TOP)) == []


@pytest.mark.parametrize("bad", ["from flows.nightly import nightly", "from ..cli import main"])
def test_the_walker_sees_lazy_and_relative_imports(tmp_path: Path, bad: str) -> None:
    """The check itself: an import inside a function, or a relative one, is found."""
    target = REPO / "molva" / "digest" / "_probe_for_test.py"
    target.write_text(f"def f():\n    {bad}\n", encoding="utf-8")
    try:
        modules = [m for _, m in _imports(target)]
    finally:
        target.unlink()
    assert any(_under(m, TOP) for m in modules)

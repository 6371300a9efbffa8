"""A model directory is published whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.cache_dirs import staged_dir


def test_a_finished_block_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.bin").write_text("old")
    with staged_dir(target) as tmp:
        (tmp / "new.bin").write_text("new")
        assert not (target / "new.bin").exists()  # readers still see the old directory
    assert [p.name for p in target.iterdir()] == ["new.bin"]
    assert oct(target.stat().st_mode & 0o777) == "0o755" and oct((target / "new.bin").stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_failing_block_leaves_the_target_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "old.bin").write_text("old")
    with pytest.raises(RuntimeError, match="export failed"), staged_dir(target) as tmp:
        (tmp / "half.bin").write_text("half")
        raise RuntimeError("export failed")
    assert [p.name for p in target.iterdir()] == ["old.bin"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]

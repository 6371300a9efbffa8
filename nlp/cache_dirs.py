"""Publishing a model directory into the shared cache all at once, so no reader ever sees a half-written one."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_dir(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``target``; when the block ends without an error, it replaces ``target``.

    The folder is made readable by everyone (``mkdtemp`` makes it private; the cache is shared by the repository's
    users). On an error it is removed and ``target`` is left as it was. Callers hold a lock against other writers.
    """
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".tmp-", dir=target.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        for child in tmp.iterdir():
            child.chmod(0o644)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)

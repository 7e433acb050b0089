"""Writing the files qdplan hands to the user or keeps for itself: whole or not at all, and
owner-only when they may hold confidential names (experts, bidders)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_MODE = 0o600  # files that may hold confidential names: owner only
PUBLIC_MODE = 0o644  # public notices, cards, caches


def write_atomically(path: Path, data: bytes, *, private: bool) -> None:
    """Write the whole file or nothing: a temporary file beside it, then a rename."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.chmod(PRIVATE_MODE if private else PUBLIC_MODE)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise

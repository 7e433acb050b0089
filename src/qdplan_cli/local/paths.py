"""qdplan's cache directory: compiled templates and the DOCX layout skeleton, nothing a user
needs to keep. ``QDPLAN_CACHE`` moves it (tests, portable use); deleting it is always safe."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    override = os.environ.get("QDPLAN_CACHE")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("qdplan", appauthor=False))

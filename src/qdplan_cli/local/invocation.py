"""How the user started qdplan on this laptop, so that a hint naming the next command (``… incident
--resume ID``) can be typed as shown: ``qdplan`` when installed (``uv tool install .``, pipx),
``uv run qdplan`` from a clone, ``python -m qdplan_cli`` as a module."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def invoked_as(argv0: str | None = None, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    arg = (sys.argv[0] if sys.argv else "") if argv0 is None else argv0
    path = Path(arg)
    if path.name == "__main__.py" or arg in ("-m", "-c") or path.name.startswith("python"):
        return "python -m qdplan_cli"
    if env.get("UV_RUN_RECURSION_DEPTH"):  # set by `uv run` for the process it starts
        return "uv run qdplan"
    return "qdplan"

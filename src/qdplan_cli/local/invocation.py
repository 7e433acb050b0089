"""How the user started qdplan on this laptop, so that a hint naming the next command (``… incident
--resume ID``) can be typed as shown: ``qdplan`` when installed (``uv tool install .``, pipx) or
when the offline bundle's folder is on PATH, ``.\\qdplan`` (Windows) / ``./qdplan`` in the bundle's
folder, the launcher's full path elsewhere, ``uv run qdplan`` from a clone, ``python -m
qdplan_cli`` as a module.

The offline bundle's launchers (``qdplan.bat``, ``qdplan``) run ``python -I -X
qdplan_launcher=<the launcher> -m qdplan_cli``: an ``-X`` option, unlike an environment variable,
does not stay behind in the user's console."""

from __future__ import annotations

import ntpath
import os
import posixpath
import sys
from collections.abc import Mapping
from pathlib import Path

LAUNCHER_OPTION = "qdplan_launcher"  # python -X qdplan_launcher=PATH


def _launcher() -> str | None:
    value = sys._xoptions.get(LAUNCHER_OPTION)
    return value if isinstance(value, str) and value else None


def launcher_command(
    launcher: str, path_env: str, cwd: str, *, windows: bool = sys.platform == "win32"
) -> str:
    """What to type to run the bundle's ``launcher`` again, from ``cwd`` with ``PATH``."""
    paths = ntpath if windows else posixpath

    def norm(folder: str) -> str:
        full = str(paths.normpath(paths.join(cwd, folder)))
        return str(paths.normcase(full)).rstrip("\\/") or full

    folder = paths.dirname(launcher) or "."
    stem = paths.splitext(paths.basename(launcher))[0] or "qdplan"
    here = norm(folder)
    entries = [e.strip().strip('"') for e in path_env.split(";" if windows else ":")]
    if any(e and norm(e) == here for e in entries):
        return stem
    if here == norm("."):
        return f".\\{stem}" if windows else f"./{stem}"
    full = str(paths.join(paths.normpath(paths.join(cwd, folder)), stem))
    if " " in full:
        return f'"{full}"'
    return full


def invoked_as(
    argv0: str | None = None,
    environ: Mapping[str, str] | None = None,
    launcher: str | None = None,
) -> str:
    env = os.environ if environ is None else environ
    launcher = launcher if launcher is not None else _launcher()
    if launcher:
        try:
            cwd = str(Path.cwd())
        except OSError:  # the folder was removed under us: the full path always runs
            cwd = "/"
        return launcher_command(launcher, env.get("PATH", ""), cwd)
    arg = (sys.argv[0] if sys.argv else "") if argv0 is None else argv0
    path = Path(arg)
    if path.name == "__main__.py" or arg in ("-m", "-c") or path.name.startswith("python"):
        return "python -m qdplan_cli"
    if env.get("UV_RUN_RECURSION_DEPTH"):  # set by `uv run` for the process it starts
        return "uv run qdplan"
    return "qdplan"

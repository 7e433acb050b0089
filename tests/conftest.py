from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from qdplan_cli.__main__ import main

DATA = Path(__file__).parent / "data"

# Hypothesis profiles. CI (.ci/run sets QDPLAN_TEST_PROFILE=ci) keeps the full example counts;
# the everyday run (`uv run pytest`) a fifth of them, at least 10 — the same assertions, fewer
# random inputs. A test's own QDPLAN_*_EXAMPLES variable still wins over both.
PROFILE = os.environ.get("QDPLAN_TEST_PROFILE", "dev")
settings.register_profile("ci", max_examples=100)
settings.register_profile("dev", max_examples=20)
settings.load_profile("ci" if PROFILE == "ci" else "dev")


def examples(ci: int, dev: int | None = None) -> int:
    """A property test's example count: ``ci`` in the CI profile; ``dev``, or a fifth of ``ci``
    (at least 10), in the everyday one."""
    if PROFILE == "ci":
        return ci
    return dev if dev is not None else max(10, ci // 5)


@dataclass
class Result:
    code: int
    out: str
    err: str


def invoke(*argv: str) -> Result:
    """Run ``qdplan ARGV`` in-process through the real entry point (its error handling and exit
    codes included). A plain function, for property tests that cannot take fixtures."""
    out, err = io.StringIO(), io.StringIO()
    # sys.argv as the installed ``qdplan`` script sees it (the program names itself from
    # argv[0]); under pytest-xdist a worker's own argv[0] is "-c".
    saved_argv = sys.argv
    sys.argv = ["qdplan", *argv]
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:  # pragma: no cover - main always exits
            code = 0
        finally:
            sys.argv = saved_argv
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run() -> Callable[..., Result]:
    """``run("decide", …)``: see ``invoke``."""
    return invoke


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _session_cache: Path) -> None:
    """Keep every test away from the user's real data, config and cache directories (the cache
    is shared by the session: it only saves time), and away from the checkout: every test runs in
    its own temporary working directory, so a relative ``--out`` lands there, never in the tree."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("QDPLAN_CACHE", str(_session_cache))
    monkeypatch.setenv("QDPLAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QDPLAN_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("COLUMNS", "100")


@pytest.fixture(scope="session")
def rendered_documents(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every document rendered and converted to PDF once a session (tests/documentkit.py)."""
    from .documentkit import CONFIG, VISUAL, render_everything

    root = tmp_path_factory.mktemp("documents")
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QDPLAN_CONFIG", str(root / "config.toml"))
        patch.setenv("QDPLAN_CACHE", str(root / "cache"))
        patch.setenv("QDPLAN_HOME", str(root / "home"))
        patch.setenv("FONTCONFIG_FILE", str(VISUAL / "fonts.conf"))
        return render_everything(root)


# pytest-xdist runs the suite on every core (pyproject's addopts: ``-n auto --dist loadgroup``).
# Session and module fixtures are built once per worker, so the tests that share an expensive one
# run on one worker and it is still built once a run: every document converted by LibreOffice,
# the PostgreSQL server (whose own tests stop and start it), the offline bundle, the GBK locale.
_SHARED_FIXTURES = {
    "rendered_documents": "documents",
    "pg": "postgresql",
    "bundle_zip": "bundle",
    "gbk_folder": "gbk-locale",
}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its worker's hook)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    grouped: set[str] = set()
    for item in items:
        used = getattr(item, "fixturenames", ())
        group = next((g for name, g in _SHARED_FIXTURES.items() if name in used), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
            grouped.add(item.nodeid)
    # The groups (each a long run on one worker) first, the many short tests after them: the
    # workers then finish together instead of one waiting while the other runs a late group.
    items.sort(key=lambda item: item.nodeid not in grouped)

"""The checkout stays clean and portable (issue 24): tests run in a temporary working directory,
and every tracked path is one Windows can check out."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Windows: characters a file name cannot hold, and device names reserved with any extension.
FORBIDDEN = set('<>:"|?*\\')
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"}


def windows_problem(path: str) -> str | None:
    """Why Windows cannot hold ``path`` (a repository path with ``/`` separators), or None."""
    for part in path.split("/"):
        if not part:
            return "empty component"
        bad = sorted({c for c in part if c in FORBIDDEN or unicodedata.category(c) == "Cc"})
        if bad:
            return f"{part!r} holds {bad!r}"
        if part[-1] in ". ":
            return f"{part!r} ends with a dot or space"
        if part.split(".")[0].rstrip(" ").upper() in RESERVED:
            return f"{part!r} is a reserved device name"
    return None


@pytest.mark.parametrize(
    "path",
    ["\x01/emergency_pack.docx", "a>b/x", "dir./x", "x/file ", "con.txt", "LPT1", "a:b", "q?"],
)
def test_windows_problem_names_the_bad_paths(path: str) -> None:
    assert windows_problem(path) is not None


@pytest.mark.parametrize(
    "path", ["src/qdplan_cli/app.py", "scripts/offline/安装说明.txt", "--case/x", ".ci/run"]
)
def test_windows_problem_accepts_ordinary_paths(path: str) -> None:
    assert windows_problem(path) is None


def test_every_tracked_path_can_be_checked_out_on_windows() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "-c", "core.quotePath=false", "ls-files", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", errors="surrogateescape")
    problems = [f"{p!r}: {why}" for p in listed.split("\0") if p and (why := windows_problem(p))]
    assert not problems, "\n".join(problems)


def test_no_junk_output_is_tracked_at_the_root() -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files", "-z", "--", "*.docx", "*.pdf"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", errors="surrogateescape")
    stray = [p for p in listed.split("\0") if p and not p.startswith(("tests/", "docs/"))]
    assert not stray, stray


def test_tests_run_in_a_temporary_working_directory() -> None:
    cwd = Path.cwd().resolve()
    assert not cwd.is_relative_to(ROOT), cwd
    Path("probe.txt").write_text("x", encoding="utf-8")  # lands in the temporary folder
    assert (cwd / "probe.txt").exists()

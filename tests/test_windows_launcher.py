"""The offline bundle's launchers (scripts/offline/install.py writes them): hints that run as
printed, a folder carried to another laptop, and, for Windows, what can be checked without it.

The Linux launcher is run for real against this checkout's environment (a venv whose python
execs the one running the tests). The Windows launcher (qdplan.bat) cannot run here: its text
is checked, and the hint logic is tested with Windows paths."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from qdplan_cli.local.invocation import launcher_command
from qdplan_cli.ui import conhost

INSTALL_PY = Path(__file__).resolve().parents[1] / "scripts" / "offline" / "install.py"
posix_only = pytest.mark.skipif(os.name != "posix", reason="runs the sh launcher")


def _installer(folder: Path, windows: bool = False) -> ModuleType:
    """scripts/offline/install.py as if unpacked in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "install.py"
    copy.write_bytes(INSTALL_PY.read_bytes())
    spec = importlib.util.spec_from_file_location(f"qdplan_install_{id(folder)}", copy)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.WINDOWS = windows
    return module


@pytest.fixture
def bundle_folder(tmp_path: Path) -> Path:
    """A bundle folder with a launcher and a stand-in venv (its python is this one)."""
    folder = tmp_path / "U盘 见证工具"
    _installer(folder).write_launcher()
    python = folder / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    return folder


def _env(path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("UV_RUN_RECURSION_DEPTH",)}
    env.update(PATH=path, COLUMNS="200")
    return env


def _hinted(overview: str, word: str) -> str:
    """The command line the overview tells the user to type, e.g. ``./qdplan list``."""
    match = re.search(rf"(\S+(?: \S+)*?) {word}\b", overview.split("事件记录：")[1])
    assert match, overview
    return f"{match.group(1).split('：')[-1]} {word}"


@posix_only
def test_hints_from_the_bundle_folder_run_as_printed(bundle_folder: Path) -> None:
    system_path = "/usr/local/bin:/usr/bin:/bin"
    shown = subprocess.run(
        ["./qdplan"],
        cwd=bundle_folder,
        env=_env(system_path),
        capture_output=True,
        encoding="utf-8",
    )
    assert shown.returncode == 0, shown.stderr
    assert "python -m qdplan_cli" not in shown.stdout
    hint = _hinted(shown.stdout, "list")
    assert hint == "./qdplan list"
    ran = subprocess.run(
        ["sh", "-c", hint],
        cwd=bundle_folder,
        env=_env(system_path),
        capture_output=True,
        encoding="utf-8",
    )
    assert ran.returncode == 0, ran.stderr


@posix_only
def test_hints_from_a_link_on_path_say_qdplan_and_run(bundle_folder: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "qdplan").symlink_to(bundle_folder / "qdplan")
    path = f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"
    elsewhere = tmp_path / "某个目录"
    elsewhere.mkdir()
    shown = subprocess.run(
        ["qdplan"], cwd=elsewhere, env=_env(path), capture_output=True, encoding="utf-8"
    )
    assert shown.returncode == 0, shown.stderr
    hint = _hinted(shown.stdout, "list")
    assert hint == "qdplan list"
    ran = subprocess.run(["sh", "-c", hint], cwd=elsewhere, env=_env(path), capture_output=True)
    assert ran.returncode == 0


@posix_only
def test_a_folder_whose_python_is_gone_says_to_run_the_installer_again(
    bundle_folder: Path,
) -> None:
    (bundle_folder / "venv" / "bin" / "python").write_text("#!/bin/sh\nexit 127\n", "utf-8")
    result = subprocess.run(
        ["./qdplan", "list"], cwd=bundle_folder, env=_env("/usr/bin:/bin"), capture_output=True
    )
    err = result.stderr.decode("utf-8", "replace")  # the folder name is in the locale's bytes
    assert result.returncode == 1 and "bash install.sh" in err and "另一台电脑" in err


@pytest.mark.parametrize(
    ("launcher", "path", "cwd", "expected"),
    [
        (r"D:\qdplan\qdplan.bat", r"C:\Windows;D:\qdplan", r"C:\Users\w", "qdplan"),
        (r"D:\qdplan\qdplan.bat", r"C:\Windows;d:\QDPLAN\\", r"C:\Users\w", "qdplan"),
        (r"D:\qdplan\qdplan.bat", r"C:\Windows", r"D:\qdplan", r".\qdplan"),
        (r"E:\U盘 工具\qdplan.bat", r"C:\Windows", r"C:\Users\w", r'"E:\U盘 工具\qdplan"'),
        (r"E:\工具\qdplan.bat", r"C:\Windows", r"C:\Users\w", r"E:\工具\qdplan"),
    ],
)
def test_windows_hints_name_the_launcher_as_the_user_can_type_it(
    launcher: str, path: str, cwd: str, expected: str
) -> None:
    assert launcher_command(launcher, path, cwd, windows=True) == expected


def test_the_windows_launcher_avoids_the_batch_prompt_and_checks_its_python(
    tmp_path: Path,
) -> None:
    module = _installer(tmp_path / "bundle", windows=True)
    bat = module.write_launcher().read_bytes()
    assert b"\n" not in bat.replace(b"\r\n", b"")  # cmd.exe: CRLF
    before_chcp = bat.split(b"chcp 65001")[0]
    assert before_chcp.isascii()  # read in the console's code page until it switches
    text = bat.decode("utf-8")
    assert '(goto) 2>nul & "%~dp0venv\\Scripts\\python.exe" -I -X "qdplan_launcher=%~f0"' in text
    assert '-S -c "" >nul 2>&1 || goto moved' in text  # a carried folder: reinstall message
    assert "install.bat" in text and "goto window" in text and "qdplan_window" in text


def test_the_installer_puts_its_folder_first_on_the_user_path_once(tmp_path: Path) -> None:
    module = _installer(tmp_path / "bundle")
    assert module.path_with("", r"D:\qdplan") == r"D:\qdplan"
    assert module.path_with(r"C:\a;d:\QDPLAN\;C:\b", r"D:\qdplan") == r"D:\qdplan;C:\a;C:\b"
    assert module.path_with(r"C:\a;;", r"D:\qdplan") == r"D:\qdplan;C:\a"


@pytest.mark.parametrize(("processes", "waits"), [(2, True), (1, True), (3, False), (None, False)])
def test_a_double_clicked_window_stays_open_only_without_a_shell(
    monkeypatch: pytest.MonkeyPatch, processes: int | None, waits: bool
) -> None:
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(prompt) or "")
    assert conhost.keep_window_open(processes) is waits
    assert bool(asked) is waits

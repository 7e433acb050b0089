"""Issue 24, point 8's smaller defects: each one fixed, each one a test that failed before."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import DATA, Result
from .renderkit import load_toml, write_case

Run = Callable[..., Result]
CASE = str(DATA / "prep-power-delay.toml")
NOW = "2026-12-16T10:00"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and scripts")


@posix_only
def test_pdf_on_a_full_disk_is_exit_4_not_exit_3(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    soffice = tmp_path / "soffice"
    soffice.write_text(
        "#!/bin/sh\necho 'Error: writing to file failed: No space left on device' >&2\nexit 1\n",
        encoding="utf-8",
    )
    soffice.chmod(0o755)
    monkeypatch.setenv("QDPLAN_SOFFICE", str(soffice))
    result = run("render", "--case", CASE, "--out", str(tmp_path / "out"), "--now", NOW, "--pdf")
    assert result.code == 4, result.err
    assert "磁盘已满" in result.err and "DOCX 文书已生成" in result.err


@posix_only
def test_an_existing_open_data_folder_is_tightened(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "shared-home"
    home.mkdir()
    home.chmod(0o777)
    monkeypatch.setenv("QDPLAN_HOME", str(home))
    assert run("list").code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_resolve_twice_at_the_same_time_records_nothing_new(run: Run, tmp_path: Path) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    first = run("resolve", "--at", "2026-12-03 10:40")
    assert first.code == 0, first.err
    before = run("export").out
    again = run("resolve", "--at", "2026-12-03 10:40")
    assert again.code == 0, again.err
    assert "无需再记" in again.out
    assert run("export").out == before


def test_fees_refuses_an_absurd_head_count(run: Run, tmp_path: Path) -> None:
    data = load_toml("evaluation-system-leaver.toml")
    data["attendance"][0]["count"] = 1_000_000_000
    case = write_case(tmp_path / "case.toml", data)
    result = run("fees", "--case", str(case))
    assert result.code == 2, result.out
    assert "attendance[1].count" in result.err


@pytest.mark.parametrize("command", ["pack", "render"])
def test_out_followed_by_an_option_is_refused_not_made_a_folder(run: Run, command: str) -> None:
    argv = ["pack", "--out", "--pdf"] if command == "pack" else [
        "render", "--case", CASE, "--now", NOW, "--out", "--pdf"]  # fmt: skip
    result = run(*argv)
    assert result.code == 2, result.out
    assert "--out" in result.err and "缺少路径" in result.err
    assert not Path("--pdf").exists()


@pytest.mark.parametrize("flag", ["--case", "--calendar"])
def test_a_lone_surrogate_in_a_path_is_exit_2(run: Run, flag: str) -> None:
    argv = ["decide", flag, "case\ud800.toml"] if flag == "--case" else [
        "decide", "--case", CASE, flag, "cal\udfff.toml"]  # fmt: skip
    result = run(*argv)
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err and result.err.startswith("错误：")


def test_the_test_runs_in_its_own_folder() -> None:
    assert not (Path(__file__).parents[1] / "--pdf").exists()
    assert Path.cwd() != Path(__file__).parents[1]

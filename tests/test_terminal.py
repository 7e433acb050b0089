"""Terminal conventions: the help frame and usage errors in Chinese, bare ``qdplan``, shell
completion, the way qdplan was invoked, tables at 60 columns, and a console without Chinese."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from qdplan_cli.app import load_commands, wrap
from qdplan_cli.local.invocation import invoked_as

from .conftest import DATA, Result

Run = Callable[..., Result]
ROOT = Path(__file__).parents[1]

# Every English word click/typer put into a help page or a usage error.
FRAME_WORDS = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|required|default:|\[OPTIONS\]|"
    r"COMMAND|\[ARGS\]|<file>|<str>|<path>|<directory>|<int>|<float>|env var|Try '|"
    r"Error|Missing|No such|Did you mean|Invalid value|Got unexpected|\bID\b"
)


def command_paths() -> list[list[str]]:
    """Every command and group of the app, as the words that reach it."""
    import typer

    root = typer.main.get_command(load_commands(None))
    paths: list[list[str]] = [[]]

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            paths.append([*prefix, name])
            walk(command, [*prefix, name])

    walk(root, [])
    return paths


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p in command_paths()}
    assert {"", "decide", "incident", "log", "render", "fees", "config init"} <= names
    assert {"templates show", "config show", "list", "show"} <= names


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "qdplan")
def test_help_frame_has_no_english_word(run: Run, path: list[str]) -> None:
    result = run(*path, "--help")
    assert result.code == 0, result.err
    assert result.out.startswith(f"用法：qdplan {' '.join(path)}".replace("  ", " "))
    assert "选项：" in result.out and "显示本帮助并退出。" in result.out
    found = FRAME_WORDS.findall(result.out)
    assert not found, found


@pytest.mark.parametrize("path", [[], ["render"], ["log"], ["config"]], ids=str)
def test_help_fits_60_columns(run: Run, monkeypatch: pytest.MonkeyPatch, path: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    result = run(*path, "--help")
    widest = max(columns(line) for line in result.out.splitlines())
    assert widest <= 60, widest


def test_wrap_breaks_cjk_by_display_width_and_keeps_punctuation_off_line_starts() -> None:
    lines = wrap("按案例文件或已记录的事件生成本案需要的全部文书（DOCX，公文格式）。", 20)
    assert all(columns(line) <= 21 for line in lines)
    assert not any(line.startswith(("，", "。", "）")) for line in lines)
    assert "".join(lines) == "按案例文件或已记录的事件生成本案需要的全部文书（DOCX，公文格式）。"


def test_bare_qdplan_prints_a_short_overview_and_exits_0(run: Run) -> None:
    result = run()
    assert result.code == 0, result.err
    assert result.err == ""
    assert "incident" in result.out and "--resume" in result.out and "--help" in result.out
    assert "数据在" in result.out
    assert len(result.out.splitlines()) <= 15


def test_a_bare_group_prints_its_help_and_exits_0(run: Run) -> None:
    result = run("config")
    assert result.code == 0
    assert result.out.startswith("用法：qdplan config") and "命令：" in result.out


def test_a_typo_suggests_the_command_in_chinese(run: Run) -> None:
    result = run("incdent")
    assert result.code == 2
    assert (
        result.err.strip()
        == "错误：没有这个命令：incdent。是否想用 incident？用 qdplan --help 查看全部命令。"
    )


def test_an_unknown_option_is_named_with_suggestions(run: Run) -> None:
    result = run("render", "--ot", "x")
    assert result.code == 2
    assert "没有这个选项 --ot" in result.err and "--out" in result.err
    assert not FRAME_WORDS.findall(result.err)


def test_render_alone_says_case_or_incident_is_needed(run: Run) -> None:
    result = run("render")
    assert result.code == 2
    assert "--out（输出目录）" in result.err
    assert "--case" in result.err and "--incident" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["decide", "--plan", "two"], "--plan：取值不正确，应为整数"),
        (["log", "a", "--at"], "--at 后面缺少取值"),
        (["templates", "show"], "缺少编号"),
        (["list", "extra", "words"], "多余的参数"),
    ],
)
def test_usage_errors_are_chinese(run: Run, argv: list[str], words: str) -> None:
    result = run(*argv)
    assert result.code == 2
    assert result.err.startswith("错误：") and words in result.err
    assert not FRAME_WORDS.findall(result.err), result.err


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o"), ("zsh", "compdef"), ("powershell", "Register-ArgumentCompleter")],
)
def test_show_completion_prints_typers_script(run: Run, shell: str, marker: str) -> None:
    result = run("--show-completion", shell)
    assert result.code == 0, result.err
    assert "_QDPLAN_COMPLETE" in result.out and marker in result.out


def test_install_completion_writes_the_bash_script(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    result = run("--install-completion", "bash")
    assert result.code == 0, result.err
    assert "已为 bash 安装" in result.out
    script = tmp_path / ".bash_completions" / "qdplan.sh"
    assert "_QDPLAN_COMPLETE" in script.read_text(encoding="utf-8")
    assert str(script) in (tmp_path / ".bashrc").read_text(encoding="utf-8")


def test_an_unsupported_shell_is_refused_in_chinese(run: Run) -> None:
    result = run("--show-completion", "tcsh")
    assert result.code == 2 and "不支持 'tcsh'" in result.err


def test_the_shell_gets_completions_from_every_command_module(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_QDPLAN_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "qdplan inc")
    monkeypatch.setenv("COMP_CWORD", "1")
    result = run()
    assert result.code == 0
    assert result.out.split() == ["incident"]


@pytest.mark.parametrize(
    ("argv0", "env", "expected"),
    [
        ("/home/u/.local/bin/qdplan", {}, "qdplan"),
        ("/home/u/qdplan/.venv/bin/qdplan", {"UV_RUN_RECURSION_DEPTH": "1"}, "uv run qdplan"),
        ("/home/u/qdplan/src/qdplan_cli/__main__.py", {}, "python -m qdplan_cli"),
        ("C:\\Users\\u\\.local\\bin\\qdplan.exe", {}, "qdplan"),
    ],
)
def test_hints_use_the_way_qdplan_was_invoked(
    argv0: str, env: dict[str, str], expected: str
) -> None:
    assert invoked_as(argv0, env) == expected


def test_fees_fit_60_columns_without_a_one_character_column(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        (DATA / "evaluation-system-wait.toml").read_text(encoding="utf-8")
        + "\n[[attendance]]\ncount = 5\narrived_at = 2026-12-10T09:20:00\n"
        "left_at = 2026-12-10T16:40:00\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COLUMNS", "60")
    result = run("fees", "--case", str(case))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert max(columns(line) for line in lines) <= 60
    assert any("2026年12月10日（周四）09:20" in line for line in lines)
    assert any("每人 850元 × 5 人 = 4250元" in line for line in lines)
    assert len(lines) < 20  # the 80-column table took ~35 lines a row
    assert "\x1b[" not in result.out  # plain text when not a terminal


def _c_locale(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIOENCODING"))}
    env.update(LANG="C", LC_ALL="C", PYTHONUTF8="0")
    return subprocess.run(
        [sys.executable, "-m", "qdplan_cli", *argv],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
        cwd=ROOT,
    )  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("argv", "code"), [(["--help"], 0), (["list"], 0), ([], 0), (["render"], 2), (["incdent"], 2)]
)
def test_redirected_output_is_utf8_even_in_a_c_locale_never_a_traceback(
    argv: list[str], code: int
) -> None:
    """Output to a pipe or a file is UTF-8 whatever the locale: nothing is lost, so no hint."""
    result = _c_locale(*argv)
    err = result.stderr.decode("utf-8", errors="strict")
    assert result.returncode == code, err
    assert "Traceback" not in err and "cannot display Chinese" not in err
    out = result.stdout.decode("utf-8", errors="strict")
    assert out or code == 2
    assert re.search(r"[\u4e00-\u9fff]", out + err)  # Chinese, not "?"


def test_a_terminal_without_chinese_gets_an_ascii_hint_never_a_traceback() -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIOENCODING"))}
    env.update(LANG="C", LC_ALL="C", PYTHONUTF8="0", COLUMNS="80")
    child = pexpect.spawn(
        sys.executable, ["-m", "qdplan_cli", "list"], env=env, cwd=str(ROOT), timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    text = child.before.decode("ascii", errors="replace")
    assert child.exitstatus == 0, text
    assert "Traceback" not in text
    first = text.splitlines()[0]
    assert "cannot display Chinese" in first and "UTF-8" in first and "chcp" not in first


@pytest.mark.parametrize(
    ("written", "ok"),
    [('"2026年12月8日 09:12"', True), ('"２０２６-１２-０８ ０９：１２"', True), ('"9:12"', False)],
)
def test_case_file_string_times_go_through_the_one_parser(
    run: Run, tmp_path: Path, written: str, ok: bool
) -> None:
    text = (DATA / "opening-network-plan3.toml").read_text(encoding="utf-8")
    case = tmp_path / "case.toml"
    case.write_text(
        text.replace("started_at = 2026-12-08T09:12:00", f"started_at = {written}"),
        encoding="utf-8",
    )
    result = run("decide", "--case", str(case), "--json", "--now", "2026-12-08T10:00")
    if ok:
        assert result.code == 0, result.err
        assert '"two_hour_line": "2026-12-08T11:12:00+08:00"' in result.out  # onset + 2 h
    else:
        assert result.code == 2 and "started_at" in result.err and "缺少日期" in result.err


def test_the_wizard_refuses_a_future_onset_beside_the_prompt() -> None:
    from datetime import datetime

    from qdplan_cli.plan.times import SHANGHAI
    from qdplan_cli.ui.wizard import _onset_problem

    now = datetime(2026, 12, 8, 9, 15, tzinfo=SHANGHAI)
    assert _onset_problem("9:18", now, None) is None  # within the slack
    problem = _onset_problem("明天 9:00", now, None)
    assert (
        problem
        == "故障发生时间 2026年12月9日（周三）09:00 晚于现在（2026年12月8日（周二）09:15），请核对"
    )

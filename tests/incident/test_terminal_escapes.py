"""Stored text never drives the terminal (issue 24): escape sequences and control characters in
a logged line or a case file's field are stripped before ``show``, ``list``, ``log``, ``watch``
(every Rich console of qdplan) or an error message print them."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.panel import Panel
from rich.table import Table

from qdplan_cli.ui.console import make_console
from qdplan_cli.ui.terminal_text import terminal_text

from ..renderkit import load_toml, write_case
from .conftest import Clock, Result

Run = Callable[..., Result]
HOSTILE = (
    "\x1b[2J\x1b[H"  # clear the screen, cursor home
    "\x1b]0;pwned\x07"  # window title
    "\x1b]52;c;ZWNobyBoaQ==\x07"  # OSC 52: write the clipboard
    "\x9b31m"  # C1 CSI
    "\r覆盖"  # carriage return over the line
    "\u202e反向\u202c"
)
BAD = ("\x1b", "\x07", "\x9b", "\r", "\u202e", "pwned", "ZWNob")


def clean(text: str) -> None:
    for bad in BAD:
        assert bad not in text, (bad, text)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (HOSTILE, "覆盖反向"),
        ("第一行\n第二行\t完", "第一行\n第二行 完"),
        ("\x1bP1;2|payload\x1b\\正文", "正文"),
        ("普通文字，无控制字符", "普通文字，无控制字符"),
    ],
)
def test_terminal_text_strips_whole_sequences(raw: str, shown: str) -> None:
    assert terminal_text(raw) == shown


def test_show_list_and_log_strip_escapes(
    run: Run, clock: Clock, tmp_path: Path, qdplan_home: Path
) -> None:
    data = load_toml("prep-power-delay.toml")
    data["project"]["name"] = "设备采购" + HOSTILE
    case = write_case(tmp_path / "case.toml", data)
    assert run("incident", "--case", str(case), "--no-input").code == 0
    logged = run("log", "已通知" + HOSTILE)
    assert logged.code == 0, logged.err
    clean(logged.out + logged.err)
    assert "已通知" in logged.out
    for command in (("show",), ("list",), ("verify",)):
        result = run(*command)
        assert result.code == 0, (command, result.err)
        clean(result.out + result.err)


def test_the_watch_console_strips_escapes() -> None:
    console = make_console()
    buffer = io.StringIO()
    console.file = buffer
    table = Table()
    table.add_column("at")
    table.add_column("text")
    table.add_row("12-08 09:15:00", "已通知" + HOSTILE)
    console.print(Panel(table, title="qdplan 看板"))
    clean(buffer.getvalue())
    assert "已通知" in buffer.getvalue()

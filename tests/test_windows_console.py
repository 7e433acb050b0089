"""Chinese Windows' default console (conhost, code page 936) draws East-Asian-ambiguous
characters (─│┌┐□■√→·—“”…※×) two cells wide; rich and prompt_toolkit lay them out as one.

There is no Windows here: conhost is emulated by measuring with ``wcwidth(ambiguous_width=2)``
and by a terminal emulator (pyte) whose character width counts ambiguous characters as two.
ASCII mode is forced with ``QDPLAN_CONSOLE=ascii`` (on Windows it is detected: ui.conhost)."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import wcwidth
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from qdplan_cli.__main__ import main
from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.model import Fault, Role, Situation, Stage
from qdplan_cli.plan.times import shanghai
from qdplan_cli.ui import conhost, prompts
from qdplan_cli.ui.status import StatusInput, status_lines

from .conftest import DATA
from .incident.test_console_clock import Screen

pyte = pytest.importorskip("pyte")

WIDTH = 80
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]")
CONTACTS = """\
[[contacts.property_staff]]
name = "赵物业"
phone = "0532-81110004"
[[contacts.support_staff]]
name = "张保障"
phone = "0532-81110005"
[[contacts.agency]]
name = "钱代理"
phone = "0532-81110002"
"""
ATTENDANCE = (
    "\n[[attendance]]\ncount = 5\narrived_at = 2026-12-10T09:20:00\nleft_at = 2026-12-10T16:40:00\n"
)


def conhost_cells(line: str) -> int:
    """Columns conhost with 新宋体 takes for ``line``: ambiguous characters count two."""
    width = wcwidth.wcswidth(line, ambiguous_width=2)
    assert width >= 0, repr(line)
    return int(width)


class Tty(io.StringIO):
    """Captured output that says it is a terminal (what conhost is)."""

    def isatty(self) -> bool:
        return True


def on_console(*argv: str) -> tuple[int, str]:
    out, err = Tty(), Tty()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return code, ANSI.sub("", out.getvalue() + err.getvalue())


@pytest.fixture
def conhost_console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("QDPLAN_CONSOLE", "ascii")
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    monkeypatch.setenv("LINES", "24")
    (tmp_path / "config.toml").write_text(CONTACTS, encoding="utf-8")
    case = tmp_path / "case.toml"
    case.write_text(
        (DATA / "evaluation-system-wait.toml").read_text(encoding="utf-8") + ATTENDANCE,
        encoding="utf-8",
    )
    return case


def _too_wide(text: str) -> list[tuple[int, str]]:
    return [
        (conhost_cells(line), line) for line in text.splitlines() if conhost_cells(line) > WIDTH
    ]


def test_every_command_screen_fits_80_conhost_columns(conhost_console: Path) -> None:
    case = conhost_console
    screens: dict[str, str] = {}
    code, screens["incident"] = on_console("incident", "--case", str(case), "--no-input")
    assert code == 0, screens["incident"]
    incident_id = re.search(r"\d{8}-\d{4}-\d+", screens["incident"])
    assert incident_id is not None
    for name, argv in {
        "tick-list": ["tick"],
        "tick": ["tick", "1"],
        "log": ["log", "已通知保障人员“张保障”——网络恢复中…"],
        "show": ["show", incident_id.group(0)],
        "list": ["list"],
        "fees": ["fees", "--case", str(case)],
        "decide": ["decide", "--case", str(case)],
        "config": ["config", "show"],
        "hub-overview": [],
        "help": ["incident", "--help"],
    }.items():
        code, screens[name] = on_console(*argv)
        assert code == 0, (name, screens[name])
    for name, text in screens.items():
        assert _too_wide(text) == [], name
        assert "[ ]" in screens["show"] and "[x]" in screens["show"]  # the ASCII marks


def test_the_watch_board_fits_80_conhost_columns(conhost_console: Path) -> None:
    from rich.console import Console

    from qdplan_cli.record.incident import load
    from qdplan_cli.record.store import Store
    from qdplan_cli.runtime import Runtime
    from qdplan_cli.ui.watch import Board, render_board

    code, text = on_console("incident", "--case", str(conhost_console), "--no-input")
    assert code == 0, text
    on_console("tick", "2")
    on_console("log", "机房“UPS”已切换——等待恢复…")
    rt = Runtime()
    with Store.open() as store:
        target = load(store, store.resolve_id(None))
        board = Board(target, rt.decide_incident(target), rt.contacts or {})
    now = datetime(2026, 12, 10, 10, 0, tzinfo=shanghai())
    out = Tty()
    console = Console(file=conhost.NarrowStream(out), width=WIDTH, height=24, color_system=None)
    console.print(render_board(board, now, WIDTH, 24))
    drawn = ANSI.sub("", out.getvalue())
    assert "[x]" in drawn and "[ ]" in drawn
    assert _too_wide(drawn) == []


def test_narrow_keeps_every_line_the_width_it_was_laid_out_with() -> None:
    sample = "结论：方案三 — 另行择期 · “张工” ※ 3×5 ① ┌─┐│└┘ → √ □ ■ ● … α"
    narrowed = conhost.narrow(sample)
    assert conhost_cells(narrowed) == wcwidth.wcswidth(sample)  # one cell each, everywhere
    assert not any(conhost.is_ambiguous(c) for c in narrowed)
    assert narrowed.startswith('结论：方案三 - 另行择期 - "张工" * 3x5 1 +-+|++ > v o # *')


@pytest.mark.parametrize(
    ("env", "platform", "page", "expected"),
    [
        ({}, "win32", 936, True),
        ({}, "win32", 950, True),
        ({}, "win32", 437, False),
        ({"WT_SESSION": "x"}, "win32", 936, False),  # Windows Terminal: ambiguous = 1
        ({"TERM_PROGRAM": "vscode"}, "win32", 936, False),
        ({}, "linux", 936, False),
        ({"QDPLAN_CONSOLE": "ascii"}, "linux", None, True),
        ({"QDPLAN_CONSOLE": "unicode"}, "win32", 936, False),
    ],
)
def test_conhost_is_detected_and_can_be_forced(
    env: dict[str, str], platform: str, page: int | None, expected: bool
) -> None:
    assert conhost.ascii_mode(env, platform, page) is expected


def test_redirected_output_is_never_narrowed(conhost_console: Path) -> None:
    from .conftest import invoke

    result = invoke("templates", "show", "delay_notice")
    assert result.code == 0
    assert "“" in result.out or "—" in result.out or "·" in result.out  # the template as is


# ----------------------------------------------------------------- prompt_toolkit screens


class ConhostScreen(Screen):
    """What prompt_toolkit writes, fed to a terminal emulator that draws ambiguous characters two
    cells wide. The emulator is 160 columns while prompt_toolkit is told 80: a line drawn wider
    than it was laid out shows past column 80 instead of wrapping out of sight."""

    def __init__(self) -> None:
        super().__init__()
        self.screen = pyte.Screen(160, 24)
        self.stream = pyte.Stream(self.screen)

    def rows(self) -> list[str]:
        return self.text().splitlines()

    def widest(self) -> int:
        """The rightmost column anything is drawn in (1-based)."""
        with self.lock:
            used = [
                x + 1
                for row in self.screen.buffer.values()
                for x, char in row.items()
                if char.data.strip()
            ]
        return max(used, default=0)

    def wait_rows(self, needle: str) -> list[str]:
        self.wait_for(needle)
        return self.rows()


@pytest.fixture
def ambiguous_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyte measures characters like conhost with a CJK code page."""
    import pyte.screens

    monkeypatch.setattr(
        pyte.screens, "wcwidth", lambda char: wcwidth.wcwidth(char, ambiguous_width=2)
    )


@pytest.fixture
def asking(monkeypatch: pytest.MonkeyPatch, ambiguous_two: None) -> Iterator[ConhostScreen]:
    monkeypatch.setattr(prompts, "REFRESH_S", 0.05)
    yield ConhostScreen()
    prompts.set_status(None)


def _ask_on(screen: ConhostScreen, ask: object, keys: str, needle: str) -> tuple[list[str], int]:
    """The screen (rows, rightmost column used) once ``needle`` shows, before ``keys``."""
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=WIDTH), term="xterm")  # type: ignore[arg-type]
    seen: list[tuple[list[str], int]] = []
    with create_pipe_input() as pipe:
        screen.answer_through(pipe)

        def run() -> None:
            with create_app_session(input=pipe, output=output):
                ask()  # type: ignore[operator]

        worker = threading.Thread(target=run)
        worker.start()
        rows = screen.wait_rows(needle)
        seen.append((rows, screen.widest()))
        pipe.send_text(keys)
        worker.join(timeout=10)
    assert not worker.is_alive()
    return seen[0]


def _state(start: datetime) -> StatusInput:
    situation = Situation(
        stage=Stage.EVALUATION, fault=Fault.POWER, within_2h=True, started_at=start
    )
    contacts = {Role.PROPERTY_STAFF: [("赵物业", "0532-81110004")]}
    return StatusInput(decide(situation, start), {}, contacts)


def _hub_choices() -> list[tuple[str, str]]:
    """The hub's menu: what the wizard offers after the questions (issue 20 may reword it)."""
    return [
        ("记录一条进展（如“已通知保障人员”——随时可记）", "log"),
        ("勾选已完成的步骤 □ → √", "tick"),
        ("生成文书（书面记录、公告 · 备案表）", "render"),
        ("退出（稍后可用 qdplan incident --resume 20261208-0915-1 继续）", "done"),
    ]


def test_the_hub_and_its_live_countdown_draw_right_on_conhost(
    monkeypatch: pytest.MonkeyPatch, asking: ConhostScreen
) -> None:
    monkeypatch.setenv("QDPLAN_CONSOLE", "ascii")
    start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
    now = [start + timedelta(minutes=54, seconds=55)]
    prompts.set_status(lambda width: status_lines(_state(start), now[0], width))
    answer: list[str] = []

    def ask() -> None:
        answer.append(prompts.select("下一步做什么？", _hub_choices()))

    def tick_clock() -> None:  # the clock moves past 1:05:05 → 1:04:59 while the hub waits
        rows = asking.wait_rows("剩余 1:05:05")
        now[0] += timedelta(seconds=6)
        assert rows

    threading.Thread(target=tick_clock).start()
    rows, widest = _ask_on(asking, ask, "\r", "剩余 1:04:59")
    assert answer == ["log"]
    drawn = [row for row in rows if row]
    assert widest <= WIDTH, "\n".join(drawn)  # nothing past column 80
    clock = [row for row in drawn if "剩余" in row]
    assert len(clock) == 1 and re.search(r"剩余 1:04:59$", clock[0]), clock  # not "1:04:595"
    for title, _ in _hub_choices():
        assert any(conhost.narrow(title, before_layout=True) in row for row in drawn), title


def test_without_ascii_mode_conhost_garbles_the_same_screen(
    monkeypatch: pytest.MonkeyPatch, asking: ConhostScreen
) -> None:
    """The emulation sees the fault the issue reports (a check on the check above)."""
    monkeypatch.setenv("QDPLAN_CONSOLE", "unicode")
    start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
    prompts.set_status(lambda width: status_lines(_state(start), start, width))
    rows, widest = _ask_on(
        asking, lambda: prompts.select("下一步做什么？", _hub_choices()), "\r", "剩余 2:00:00"
    )
    assert widest > WIDTH, "\n".join(rows)


def test_a_typed_answer_stops_the_per_second_redraw_where_an_input_method_suffers(
    monkeypatch: pytest.MonkeyPatch, asking: ConhostScreen
) -> None:
    monkeypatch.setenv("QDPLAN_CONSOLE", "ascii")
    monkeypatch.setenv("QDPLAN_LIVE_CLOCK", "off")
    start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
    now = [start]
    prompts.set_status(lambda width: status_lines(_state(start), now[0], width))
    answer: list[str] = []
    output = Vt100_Output(asking, lambda: Size(rows=24, columns=WIDTH), term="xterm")  # type: ignore[arg-type]
    with create_pipe_input() as pipe:
        # No answer to the cursor-position query: Windows' console is never asked it, and an
        # answer is input that arrives when it will, redrawing the block with the clock moved.

        def run() -> None:
            with create_app_session(input=pipe, output=output):
                answer.append(prompts.text("故障原因"))

        worker = threading.Thread(target=run)
        worker.start()
        rows = asking.wait_rows("剩余 2:00:00")
        assert any(prompts.CLOCK_ON_KEY in row for row in rows)
        now[0] += timedelta(minutes=1)
        redraws = threading.Event()
        threading.Timer(0.5, redraws.set).start()  # ten refresh intervals go by
        redraws.wait()
        assert "剩余 2:00:00" in "\n".join(asking.rows())  # not redrawn on its own
        pipe.send_text("停")  # a key: the block is redrawn with the clock as it is now
        asking.wait_for("剩余 1:59:00")
        pipe.send_text("电\r")
        worker.join(timeout=10)
    assert answer == ["停电"]


@pytest.mark.parametrize(
    ("env", "platform", "typing", "live"),
    [
        ({}, "win32", True, False),  # IME text on Windows: redrawn at each key
        ({}, "win32", False, True),  # a menu: the clock runs
        ({}, "linux", True, True),
        ({"QDPLAN_LIVE_CLOCK": "on"}, "win32", True, True),
        ({"QDPLAN_LIVE_CLOCK": "off"}, "linux", False, False),
    ],
)
def test_the_live_clock_default_and_switch(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], platform: str, typing: bool, live: bool
) -> None:
    monkeypatch.setattr(conhost.sys, "platform", platform)
    assert conhost.live_clock(typing=typing, environ=env) is live


def test_the_paged_checklist_is_narrowed_too(
    conhost_console: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wizard's 查看完整清单 goes through the system pager (more, less): narrowed as well."""
    import rich.pager

    from qdplan_cli.ui.console import print_checklist

    paged: list[str] = []
    monkeypatch.setattr(rich.pager.SystemPager, "_pager", lambda self, text: paged.append(text))
    start = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
    with redirect_stdout(Tty()):
        print_checklist(_state(start).decision, page=True)
    assert len(paged) == 1
    assert _too_wide(ANSI.sub("", paged[0])) == []
    assert "[ ]" in paged[0]

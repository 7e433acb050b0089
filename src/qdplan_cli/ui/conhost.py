"""Drawing for a console that counts East-Asian-ambiguous characters as two cells.

Chinese Windows' default console (conhost, code page 936, 新宋体) draws the characters Unicode
calls East-Asian-ambiguous (─│┌┐ □■√→·—“”…※×) two cells wide, while rich, prompt_toolkit and
wcwidth lay them out as one: every framed line wraps and a countdown redrawn in place garbles
("剩余 1:05186"). Windows Terminal, VS Code and the other modern hosts draw them one cell wide.

In *ASCII mode* qdplan draws with glyphs of the same width everywhere: explicit ASCII marks
(``[ ]``, ``[x]``, ``->``) where a screen is laid out, and, as a last step before the terminal,
every other ambiguous character replaced one for one by an ASCII character (``─`` → ``-``,
``“`` → ``"``), so the layout computed for one cell stays true.

ASCII mode is on for a console on Windows with a CJK code page (936, 950, 932, 949) and no
modern host, or when ``QDPLAN_CONSOLE=ascii``; ``QDPLAN_CONSOLE=unicode`` turns it off. Only what
is drawn on a terminal changes: redirected output (``export``, ``list --json``) is never touched.

No third-party import here: the start-up (``__main__``) uses it before anything else loads.
"""

from __future__ import annotations

import contextlib
import os
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

ENV = "QDPLAN_CONSOLE"
LIVE_ENV = "QDPLAN_LIVE_CLOCK"
CJK_CODE_PAGES = frozenset({936, 950, 932, 949})  # 简体, 繁體, 日本語, 한국어
# Hosts that draw ambiguous characters one cell wide (set in the environment they start).
MODERN_HOSTS = ("WT_SESSION", "TERM_PROGRAM", "WEZTERM_PANE", "ALACRITTY_WINDOW_ID")

# One ASCII character for each ambiguous character qdplan's own text uses (one for one, so a
# line keeps the width it was laid out with); others fall back to NFKC or "?".
_ASCII = {
    "·": "-",
    "•": "*",
    "—": "-",
    "–": "-",
    "―": "-",
    "‐": "-",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "…": ".",
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "√": "v",
    "□": "o",
    "○": "o",
    "◇": "o",
    "■": "#",
    "●": "*",
    "◆": "*",
    "★": "*",
    "☆": "*",
    "※": "*",
    "×": "x",
    "÷": "/",
    "°": "o",
    "±": "+",
    "§": "S",
    "«": "<",
    "»": ">",
    "¤": "?",
    "℃": "C",
    "№": "N",
}


@dataclass(frozen=True)
class Glyphs:
    """The marks a screen is laid out with."""

    todo: str  # a step not done yet
    done: str  # a ticked step
    chosen: str  # the plan taken / a contact with a number
    arrow: str
    note: str  # a warning line's lead
    rule: str  # a horizontal rule's character
    ascii: bool


UNICODE = Glyphs(todo="□", done="√", chosen="■", arrow="→", note="※", rule="─", ascii=False)
ASCII = Glyphs(todo="[ ]", done="[x]", chosen="[*]", arrow="->", note="!", rule="-", ascii=True)


def is_ambiguous(char: str) -> bool:
    return unicodedata.east_asian_width(char) == "A"


@lru_cache(maxsize=4096)
def _narrow_char(char: str) -> str:
    known = _ASCII.get(char)
    if known is not None:
        return known
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name:
            return "|"
        return "+"
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and folded.isascii() and folded.isprintable():
        return folded  # ① → 1, Ⅱ → ? (two letters), ａ is not ambiguous
    return "?"


# Before layout (a prompt's question and choices, which prompt_toolkit lays out afterwards) a mark
# may take more than one cell: these read better than their one-character stand-ins.
_BEFORE_LAYOUT = {"…": "...", "→": "->", "←": "<-", "↑": "上", "↓": "下", "√": "[x]", "□": "[ ]"}


def narrow(text: str, *, before_layout: bool = False) -> str:
    """``text`` with every ambiguous character replaced by one ASCII character (with
    ``before_layout``, some by a few: ``…`` → ``...``, ``↑↓`` → ``上下``)."""
    if text.isascii():
        return text
    if before_layout:
        text = "".join(_BEFORE_LAYOUT.get(c, c) for c in text)
    return "".join(_narrow_char(c) if is_ambiguous(c) else c for c in text)


def _code_page() -> int | None:
    """The console's output code page on Windows; None elsewhere or without a console."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        windll = getattr(ctypes, "windll", None)
        if windll is None:
            return None
        page = int(windll.kernel32.GetConsoleOutputCP())
    except (AttributeError, OSError, ValueError):
        return None
    return page or None


def _switch(
    env: Mapping[str, str], name: str, on: tuple[str, ...] = (), off: tuple[str, ...] = ()
) -> bool | None:
    """An on/off environment switch; None when unset or unrecognised (the default applies)."""
    value = env.get(name, "").strip().lower()
    if value in ("on", "1", "yes", "true", *on):
        return True
    if value in ("off", "0", "no", "false", *off):
        return False
    return None


def ascii_mode(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    code_page: int | None = None,
) -> bool:
    """Whether screens are drawn with ASCII glyphs (see the module's docstring)."""
    env = os.environ if environ is None else environ
    forced = _switch(env, ENV, on=("ascii", "conhost"), off=("unicode", "modern"))
    if forced is not None:
        return forced
    if (platform or sys.platform) != "win32":
        return False
    if any(env.get(name) for name in MODERN_HOSTS):
        return False
    page = code_page if code_page is not None else _code_page()
    return page in CJK_CODE_PAGES


def glyphs() -> Glyphs:
    return ASCII if ascii_mode() else UNICODE


def live_clock(*, typing: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the status block's countdown is redrawn every second while a question waits.

    ``QDPLAN_LIVE_CLOCK=on`` / ``off`` decide. By default it runs, except in a question the
    witness types an answer into on Windows: there prompt_toolkit's Windows output switches the
    console mode on every redraw, which is reported to delay text committed by an input method
    (输入法) and move its candidate window; the block is then redrawn at each key instead."""
    env = os.environ if environ is None else environ
    forced = _switch(env, LIVE_ENV)
    if forced is not None:
        return forced
    return not (typing and sys.platform == "win32")


class NarrowStream:
    """A text stream that writes ``narrow(text)`` to the terminal stream it wraps.

    It deliberately has no ``buffer``: writers that look for one (click on Windows) would go
    around the translation to the console itself."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(narrow(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:
        return getattr(self._stream, "errors", None)

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return bool(getattr(self._stream, "closed", False))

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def wrap_terminal_streams() -> None:
    """In ASCII mode, make ``sys.stdout`` / ``sys.stderr`` narrow what they draw, when (and
    only when) they are a terminal."""
    if not ascii_mode():
        return
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if is_terminal(stream) and not isinstance(stream, NarrowStream):
            setattr(sys, name, NarrowStream(stream))


def _console_processes() -> int | None:
    """Windows: how many processes share this console; None elsewhere or when unknown."""
    if sys.platform != "win32":
        return None
    try:
        import ctypes

        ids = (ctypes.c_uint32 * 8)()
        count = int(ctypes.windll.kernel32.GetConsoleProcessList(ids, 8))
    except (AttributeError, OSError, ValueError):
        return None
    return count or None


def keep_window_open(processes: int | None = None) -> bool:
    """After the overview of a double-clicked ``qdplan.bat``: wait for Enter when nothing else
    holds the console (cmd.exe running the .bat, and us), which would close with us. From an
    open PowerShell or cmd window a shell is there too and nothing waits. True when it waited."""
    count = _console_processes() if processes is None else processes
    if count is None or count > 2:
        return False
    with contextlib.suppress(EOFError, KeyboardInterrupt, OSError):
        input("按回车键关闭此窗口……")
    return True

"""Reading the user's TOML files (case files, the config, calendars, project files): one place
that turns every way a file can be unreadable into a clear Chinese message naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qdplan_cli.local.inputs import UnreadableFileError as UnreadableFileError  # re-exported
from qdplan_cli.local.inputs import read_input
from qdplan_cli.plan.errors import UserError

# One limit per input (every TOML file the user hands us is read through here): deeper nesting
# or a bigger file is not a case file, a config or a calendar, and would cost the parser seconds
# (or a RecursionError) instead of a clear message.
MAX_DEPTH = 32
MAX_BYTES = 4 * 1024 * 1024


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` / ``{`` outside strings and comments (a fast pre-scan)."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "\"'":
            triple = text.startswith(c * 3, i)
            quote = c * 3 if triple else c
            j = i + len(quote)
            while j < n:
                if c == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    break
                if not triple and text[j] == "\n":
                    break
                j += 1
            i = j + len(quote)
            continue
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


class NotUtf8Error(UnreadableFileError):
    """A text file in another encoding than UTF-8 (GBK "ANSI", UTF-16 "Unicode"). Exit 2."""


def encoding_advice(raw: bytes) -> str:
    """What the bytes look like, and how to save them as UTF-8 (in words for Notepad and WPS)."""
    how = "请用记事本打开，选“另存为”，在“编码”中选“UTF-8”后保存，再运行一次"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > 10:
        return f"是 UTF-16 编码（记事本中的“Unicode”），不是 UTF-8：{how}"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return f"不是 UTF-8 编码：{how}"
    return f"看起来是 GBK 编码（记事本中的“ANSI”），不是 UTF-8：{how}"


def decode_utf8(raw: bytes, path: Path, what: str) -> str:
    """``raw`` as UTF-8 text (a BOM is dropped); otherwise a ``UserError`` (a ``NotUtf8Error``
    too) naming the file and saying what to do."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotUtf8Error(f"{what}{encoding_advice(raw)}", field=str(path)) from None


def read_toml(path: Path, what: str, *, missing_ok: bool = False) -> dict[str, Any] | None:
    """The parsed document of ``path`` (UTF-8, with or without a BOM). ``what`` names the file
    in messages (案例文件, 配置文件 …). With ``missing_ok`` a missing file gives ``None``."""
    import tomllib

    try:
        raw = read_input(path, what, limit=MAX_BYTES)  # a regular file only, at most MAX_BYTES
    except FileNotFoundError:
        if missing_ok:
            return None
        raise UserError(f"找不到{what}", field=str(path)) from None
    text = decode_utf8(raw, path, what)
    # Table headers ([a] and [[a]]) are one level each: the count stays far below the limit.
    if nesting_depth(text) > MAX_DEPTH:
        raise UserError(
            f"{what}中的表或列表嵌套超过 {MAX_DEPTH} 层，不是 qdplan 能读的文件", field=str(path)
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{what}不是有效的 TOML：{exc}", field=str(path)) from None
    except RecursionError:
        raise UserError(f"{what}中的表或列表嵌套太深", field=str(path)) from None

"""Reading a file the user names (a case file, the config, a calendar, a template, a hand-over
file): only a regular file, and only up to a limit. A FIFO would block forever, ``/dev/zero``
never ends, a directory or a device is no file at all: each is refused (exit 2) naming the path
before a byte is read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from qdplan_cli.plan.errors import UserError


class UnreadableFileError(UserError):
    """A file that is there but cannot be read as text (refused by the system, or not UTF-8)."""


_KINDS = (
    (stat.S_ISDIR, "一个文件夹"),
    (stat.S_ISFIFO, "一个管道（FIFO）"),
    (stat.S_ISCHR, "一个设备"),
    (stat.S_ISBLK, "一个设备"),
    (stat.S_ISSOCK, "一个套接字"),
)


def _not_regular(mode: int, what: str, path: Path) -> UserError:
    kind = next((words for test, words in _KINDS if test(mode)), "一个特殊文件")
    return UserError(f"这是{kind}，不是普通文件，不能作为{what}", field=str(path))


def read_input(path: Path, what: str, *, limit: int) -> bytes:
    """The bytes of ``path``; ``what`` names the file in messages (案例文件, 模板 …). Raises
    ``FileNotFoundError`` for a missing file (callers word it); everything else that makes
    the path unusable is a ``UserError``."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblock | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        if not nonblock:  # Windows: no FIFOs to block on; look before opening all the same
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                raise _not_regular(mode, what, path)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise _not_regular(stat.S_IFDIR, what, path) from None
    except (ValueError, UnicodeEncodeError):  # a NUL byte or a lone surrogate in the path
        raise UserError(f"{what}的路径含有无法使用的字符", field=repr(str(path))) from None
    except OSError as exc:
        raise UnreadableFileError(f"无法读取{what}：{exc.strerror}", field=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(info.st_mode, what, path)
        if info.st_size > limit:
            raise _too_big(what, path, info.st_size, limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:  # pragma: no cover - a regular file never blocks
                continue
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # it grew while we read
                raise _too_big(what, path, size, limit)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFileError(f"无法读取{what}：{exc.strerror}", field=str(path)) from None
    finally:
        os.close(fd)


def _too_big(what: str, path: Path, size: int, limit: int) -> UserError:
    shown = f"{limit // 1024 // 1024} MB" if limit >= 1 << 20 else f"{limit // 1024} KB"
    return UserError(f"{what}太大（{size // 1024} KB，上限 {shown}）", field=str(path))

"""Writing the files qdplan hands to the user or keeps for itself: whole or not at all, and
owner-only when they may hold confidential names (experts, bidders).

Every output is produced in a private temporary folder beside its target (mode 0700, so no one
else can read a half-written file or plant a symlink in it), given its final mode there, and
only then moved into place by a rename: a file is never visible at the umask's mode, and a
reader never sees half of it. A set of files (the documents of one render) is staged whole and
moved in together: a full disk leaves nothing new in the folder.

A target that exists and is not a regular file is never replaced by a rename: a character
device (``/dev/null``, a terminal) is written in place; a FIFO, socket, block device or folder
is refused with a message naming it. A symlink at the target is replaced by the new file (the
file it pointed to is left alone), unless it leads to one of those special files, which are
then treated as above.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

PRIVATE_MODE = 0o600  # files that may hold confidential names: owner only
PUBLIC_MODE = 0o644  # public notices, cards, caches
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class OutputRefusedError(OSError):
    """The target is a special file a rename would destroy (FIFO, socket, block device)."""


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in _DISK_FULL


def _special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file (following symlinks)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # absent (or a dangling symlink: replaced like a regular file)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISCHR(mode):
        return "char"
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字（socket）"
    if stat.S_ISBLK(mode):
        return "块设备（磁盘）"
    return "特殊文件"


def _write_in_place(path: Path, data: bytes) -> None:
    """A character device (``/dev/null``, a terminal): written like ``> path`` in a shell."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _refuse_special(path: Path) -> bool:
    """True when ``path`` is a character device (write in place); raises for other special
    files; False for an absent or regular file (stage and rename)."""
    kind = _special_kind(path)
    if kind is None:
        return False
    if kind == "char":
        return True
    raise OutputRefusedError(
        errno.EEXIST, f"{path} 已存在，是{kind}，不是普通文件：不能写入或替换它，请换一个文件名"
    )


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A private (0700) temporary folder beside the targets in ``folder``, removed afterwards."""
    stage = Path(tempfile.mkdtemp(prefix=".qdplan-", dir=folder))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def stage_file(stage: Path, name: str, data: bytes, *, private: bool) -> Path:
    """Write ``data`` to ``stage/name`` with its final mode from the start, and sync it."""
    path = stage / name
    mode = PRIVATE_MODE if private else PUBLIC_MODE
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    try:
        with contextlib.suppress(OSError, AttributeError, NotImplementedError):
            os.fchmod(fd, mode)  # the umask may have taken bits a public file needs
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
    return path


def set_mode(path: Path, *, private: bool) -> None:
    with contextlib.suppress(OSError, NotImplementedError):
        path.chmod(PRIVATE_MODE if private else PUBLIC_MODE)


@dataclass(frozen=True)
class Staged:
    """A file ready in the staging folder, and where it goes."""

    source: Path
    target: Path


def commit(staged: Sequence[Staged]) -> None:
    """Move every staged file into place; all of them or (as far as the system allows) none:
    when a rename fails, the files already moved are put back as they were."""
    done: list[tuple[Staged, Path | None]] = []
    try:
        for item in staged:
            if _refuse_special(item.target):
                _write_in_place(item.target, item.source.read_bytes())
                done.append((item, None))
                continue
            backup: Path | None = None
            if item.target.is_file() and not item.target.is_symlink():
                backup = item.source.with_name(item.source.name + ".previous")
                with contextlib.suppress(OSError):
                    os.link(item.target, backup)
            item.source.replace(item.target)
            done.append((item, backup))
    except BaseException:
        for item, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None and backup.exists():
                    backup.replace(item.target)
                elif backup is None and not _special_kind(item.target):
                    item.target.unlink()
        raise


def write_atomically(path: Path, data: bytes, *, private: bool) -> None:
    """Write the whole file or nothing (see the module's docstring)."""
    if _refuse_special(path):
        _write_in_place(path, data)
        return
    with staging(path.parent) as stage:
        commit([Staged(stage_file(stage, path.name, data, private=private), path)])

"""Writing the files qdplan hands to the user or keeps for itself: whole or not at all, and
owner-only when they may hold confidential names (experts, bidders).

Every output is produced in a private temporary folder beside its target (mode 0700, so no one
else can read a half-written file or plant a symlink in it), given its final mode there, and
only then moved into place by a rename: a file is never visible at the umask's mode, and a
reader never sees half of it. A set of files (the documents of one render) is staged whole and
moved in together: a full disk leaves nothing new in the folder.

Replacing a set keeps a copy of each file it replaces (a hard link, or a copy where the file
system has none: FAT32/exFAT sticks) and puts them all back when one rename fails — a file held
open by Word or WPS on Windows (a sharing violation) is named, with 请先在 Word/WPS 中关闭. On
Windows every file to be replaced is checked for that before anything moves.

A process killed while rendering cannot remove its staging folder: the next write into the same
folder removes staging folders whose process is gone (or that are older than a day), so no
hidden copy of an internal document stays behind.

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
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

PRIVATE_MODE = 0o600  # files that may hold confidential names: owner only
PUBLIC_MODE = 0o644  # public notices, cards, caches
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class OutputRefusedError(OSError):
    """The target is a special file a rename would destroy (FIFO, socket, block device)."""


class FileInUseError(OutputRefusedError):
    """A file to be replaced is held open by another program (Word, WPS) or is read-only."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            errno.EACCES,
            f"{path} 正被其他程序打开（或为只读），无法替换；本次没有改动任何文件。"
            "请先在 Word/WPS 中关闭，再运行一次",
            str(path),
        )


_WINDOWS = sys.platform == "win32"
STAGE_PREFIX = ".qdplan-"
# A staging folder: ".qdplan-<pid>-<random>" (or ".qdplan-<random>" from versions before 0.2).
_STAGE_NAME = re.compile(r"\.qdplan-(?:(\d+)-)?[a-z0-9_]{8}")
STALE_S = 24 * 3600  # older than this, a staging folder is left over whatever its process


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


def _alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs; None where that cannot be asked safely (Windows: os.kill
    would end it)."""
    if _WINDOWS:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process: leave its folder alone
    return True


def _looks_staged(entry: os.DirEntry[str]) -> bool:
    """A folder ``tempfile.mkdtemp`` made (0700) holding files only, as a staging folder does."""
    if _WINDOWS:
        return False
    try:
        if entry.stat(follow_symlinks=False).st_mode & 0o077:
            return False
        return all(not e.is_dir(follow_symlinks=False) for e in os.scandir(entry.path))
    except OSError:
        return False


def remove_stale_stages(folder: Path, now: float | None = None) -> list[Path]:
    """Remove staging folders left in ``folder`` by a process that was killed: its process is
    gone, or it is older than a day (Windows: older than an hour); a name without a process id
    (versions before this one) only when it is older than an hour and looks like one."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _STAGE_NAME.fullmatch(entry.name)
        if match is None or entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = int(match[1]) if match[1] else None
        if pid == os.getpid():
            continue
        if pid is None and not _looks_staged(entry):
            continue  # an old-style name could be the user's own folder: only a 0700 one of files
        alive = _alive(pid) if pid is not None else None
        if alive is False or age > STALE_S or (alive is None and age > 3600):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A private (0700) temporary folder beside the targets in ``folder``, removed afterwards
    (and, after a kill, by the next run: ``remove_stale_stages``)."""
    remove_stale_stages(folder)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=folder))
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


def _replaceable(target: Path) -> None:
    """On Windows, a file open in Word or WPS cannot be replaced (a sharing violation): find
    out before anything moves, by opening it for writing (nothing is written)."""
    if not _WINDOWS or not target.is_file() or target.is_symlink():
        return
    try:
        fd = os.open(target, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except PermissionError:
        raise FileInUseError(target) from None
    except OSError:
        return  # anything else shows at the rename, and is rolled back there
    os.close(fd)


def _keep_previous(target: Path, backup: Path) -> None:
    """A copy of ``target`` to put back: a hard link, or a real copy where the file system has
    no hard links (FAT32, exFAT, some network drives)."""
    try:
        os.link(target, backup)
        return
    except (OSError, AttributeError, NotImplementedError):
        pass
    try:
        shutil.copy2(target, backup)
    except PermissionError:
        raise FileInUseError(target) from None


def commit(staged: Sequence[Staged]) -> None:
    """Move every staged file into place; all of them or (as far as the system allows) none:
    when a rename fails, the files already moved are put back as they were."""
    for item in staged:
        _replaceable(item.target)
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
                _keep_previous(item.target, backup)
            try:
                item.source.replace(item.target)
            except PermissionError:
                raise FileInUseError(item.target) from None
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


# ----------------------------------------------------------------- what protects a private file

# File systems without Unix permissions: a 0600 file there is readable by whoever holds the disk
# (or, for network shares, as the server decides).
_NO_MODES = {"vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "cifs", "smb3", "smbfs"}
_DRIVE_REMOVABLE, _DRIVE_REMOTE, _DRIVE_CDROM = 2, 4, 5


@dataclass(frozen=True)
class Protection:
    """What keeps others from reading the internal documents written into a folder."""

    owner_only: bool  # the file's mode (0600) keeps other accounts out
    warning: str | None = None  # said once after writing internal files there

    @property
    def words(self) -> str:
        """For "（内部，…）" beside a file's name."""
        return "仅本人可读" if self.owner_only else "访问权限见下方说明"


def _mount_type(folder: Path, mounts: str) -> str | None:
    """The file system type of ``folder`` from /proc/mounts' text (the longest mount point)."""
    best, kind = -1, None
    target = str(folder)
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, kind = len(point), parts[2]
    return kind


def _windows_drive(folder: Path) -> tuple[int | None, str | None]:
    """(GetDriveType, file system name) of ``folder``'s volume; (None, None) when unknown."""
    try:
        import ctypes

        windll = getattr(ctypes, "windll", None)
        if windll is None:
            return None, None
        root = os.path.splitdrive(str(folder))[0] + "\\"
        kind = int(windll.kernel32.GetDriveTypeW(root))
        name = ctypes.create_unicode_buffer(64)
        ok = windll.kernel32.GetVolumeInformationW(root, None, 0, None, None, None, name, 64)
        return kind, (name.value if ok else None)
    except (OSError, AttributeError, ValueError):
        return None, None


def protection(
    folder: Path,
    *,
    windows: bool | None = None,
    mounts: str | None = None,
    drive: tuple[int | None, str | None] | None = None,
) -> Protection:
    """What protects internal documents written into ``folder``: on Linux the 0600 mode, unless
    the folder is on a disk without Unix permissions (a FAT32/exFAT/NTFS stick, a Windows
    share); on Windows never the mode (chmod only sets the read-only flag there) but the
    folder's access rights, and nothing at all on a removable, network or FAT drive."""
    windows = _WINDOWS if windows is None else windows
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        folder = folder.resolve()
    where = str(folder)
    carried = "任何拿到这个盘的人都能打开；用完请移到本机的用户文件夹中或删除。"
    if windows:
        kind, fs = drive if drive is not None else _windows_drive(folder)
        unc = where.startswith(("\\\\", "//"))
        if unc or kind == _DRIVE_REMOTE:
            return Protection(
                False,
                f"注意：{where} 是网络共享文件夹：内部文书能否被他人读取由共享的权限决定，"
                "请勿放在他人可访问的共享中。",
            )
        if kind in (_DRIVE_REMOVABLE, _DRIVE_CDROM) or (fs or "").upper() in (
            "FAT",
            "FAT32",
            "EXFAT",
        ):
            return Protection(
                False,
                f"注意：{where} 在 U 盘或不带访问控制的盘（{fs or '可移动磁盘'}）上："
                f"内部文书在这里{carried}",
            )
        return Protection(
            False,
            "说明：在 Windows 上，内部文书能否被其他账户读取取决于所在文件夹的访问权限："
            "本人的用户文件夹（如“文档”）中只有本人和管理员可读；请勿放在公共或共享文件夹中。",
        )
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            mounts = ""
    fstype = _mount_type(folder, mounts)
    if fstype in _NO_MODES:
        return Protection(
            False,
            f"注意：{where} 所在的盘（{fstype}）不支持“仅本人可读”的权限：内部文书在这里{carried}",
        )
    return Protection(True)

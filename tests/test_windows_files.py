"""Whole-set writes where Windows differs: a stick without hard links (FAT32/exFAT), a document
held open in Word or WPS (a sharing violation), and a render killed half-way.

No Windows here: a file system without hard links is ``os.link`` raising as vfat does, and a
sharing violation is ``PermissionError`` from the rename or the open that Windows refuses."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qdplan_cli.local import files
from qdplan_cli.local.files import FileInUseError, Staged, commit, stage_file, staging

from .conftest import DATA, invoke

NAMES = ("record.docx", "delay_notice.docx", "filing_form.docx")


def _old_set(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    old = {name: f"old {name}".encode() for name in NAMES}
    for name, data in old.items():
        (folder / name).write_bytes(data)
    return old


def _write_new_set(folder: Path) -> None:
    with staging(folder) as stage:
        commit(
            [
                Staged(stage_file(stage, name, f"new {name}".encode(), private=True), folder / name)
                for name in NAMES
            ]
        )


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    def link(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")  # what vfat answers

    monkeypatch.setattr(os, "link", link)


def _fail_replacing(monkeypatch: pytest.MonkeyPatch, name: str, exc: OSError) -> None:
    real = Path.replace

    def replace(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == name and self.parent.name.startswith(".qdplan-"):
            raise exc
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)


def test_without_hard_links_a_failed_rename_leaves_the_old_set_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_hard_links: None
) -> None:
    folder = tmp_path / "文书"
    old = _old_set(folder)
    _fail_replacing(monkeypatch, NAMES[2], OSError(errno.EIO, "Input/output error"))
    with pytest.raises(OSError):
        _write_new_set(folder)
    assert _contents(folder) == old  # not the new record beside the old notice
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_without_hard_links_a_whole_set_is_still_written(
    tmp_path: Path, no_hard_links: None
) -> None:
    folder = tmp_path / "文书"
    _old_set(folder)
    _write_new_set(folder)
    assert _contents(folder) == {name: f"new {name}".encode() for name in NAMES}


@pytest.mark.parametrize("links", [True, False], ids=["ntfs", "fat32"])
def test_a_document_held_open_in_word_is_named_and_the_old_set_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, links: bool
) -> None:
    if not links:
        monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(1, "x")))
    folder = tmp_path / "文书"
    old = _old_set(folder)
    sharing = PermissionError(13, "The process cannot access the file")
    sharing.winerror = 32  # type: ignore[attr-defined]
    _fail_replacing(monkeypatch, NAMES[1], sharing)
    with pytest.raises(FileInUseError) as raised:
        _write_new_set(folder)
    assert _contents(folder) == old
    assert raised.value.filename == str(folder / NAMES[1])
    assert "请先在 Word/WPS 中关闭" in str(raised.value.strerror)


def test_on_windows_a_file_open_in_word_is_found_before_anything_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "文书"
    old = _old_set(folder)
    locked = folder / NAMES[2]
    real_open = os.open

    def open_(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if Path(path) == locked and flags & os.O_RDWR:
            raise PermissionError(13, "sharing violation", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(files, "_WINDOWS", True)
    monkeypatch.setattr(os, "open", open_)
    moved: list[Path] = []
    real_replace = Path.replace
    monkeypatch.setattr(
        Path,
        "replace",
        lambda self, target: moved.append(Path(target)) or real_replace(self, target),
    )
    with pytest.raises(FileInUseError) as raised:
        _write_new_set(folder)
    assert raised.value.filename == str(locked)
    assert moved == []  # checked first: nothing was replaced and put back
    assert _contents(folder) == old


def test_render_names_the_open_document_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_hard_links: None
) -> None:
    out = tmp_path / "文书"
    case = DATA / "opening-network-plan3.toml"
    first = invoke("render", "--case", str(case), "--out", str(out))
    assert first.code == 0, first.err
    before = _contents(out)
    victim = sorted(before)[len(before) // 2]
    _fail_replacing(monkeypatch, victim, PermissionError(13, "Permission denied"))
    again = invoke("render", "--case", str(case), "--out", str(out))
    assert again.code == 2, again.err
    assert victim in again.err and "请先在 Word/WPS 中关闭" in again.err
    assert _contents(out) == before


KILLED_RENDER = """
import os, signal, sys
from pathlib import Path
from qdplan_cli.local.files import stage_file, staging
with staging(Path(sys.argv[1])) as stage:
    stage_file(stage, "record.docx", "专家：张某".encode(), private=True)
    sys.stdout.buffer.write(os.fsencode(stage) + b"\\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_render_killed_half_way_leaves_no_hidden_internal_document_after_the_next_run(
    tmp_path: Path,
) -> None:
    out = tmp_path / "文书"
    out.mkdir()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RENDER, str(out)],
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    left = Path(os.fsdecode(killed.stdout.strip()))
    assert (left / "record.docx").exists()  # what a kill leaves: a hidden folder, a document
    result = invoke("render", "--case", str(DATA / "opening-network-plan3.toml"), "--out", str(out))
    assert result.code == 0, result.err
    assert not left.exists()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_staging_folder_of_a_running_process_is_left_alone(tmp_path: Path) -> None:
    live = tmp_path / f".qdplan-{os.getppid()}-abcd1234"  # the process running pytest's parent
    old_style = tmp_path / ".qdplan-zz9_y8x7"
    other = tmp_path / ".qdplan-notes"  # not ours: never touched
    users_own = tmp_path / ".qdplan-settings"  # an old-style name, but 0755: not ours
    for folder in (live, old_style, other, users_own):
        folder.mkdir()
    old_style.chmod(0o700)  # what mkdtemp made
    hour_ago = time.time() - 2 * 3600
    for folder in (old_style, users_own):
        os.utime(folder, (hour_ago, hour_ago))
    removed = files.remove_stale_stages(tmp_path)
    assert removed == [old_style]
    assert live.exists() and other.exists() and users_own.exists()


# ----------------------------------------------------------------- what protects them

MOUNTS = """\
overlay / overlay rw,relatime 0 0
/dev/sdb1 /media/w/U\\040盘 vfat rw,uid=1000,fmask=0022 0 0
/dev/sda2 /home ext4 rw,relatime 0 0
"""


@pytest.mark.parametrize(
    ("folder", "owner_only", "said"),
    [
        ("/home/w/文书", True, None),
        ("/media/w/U 盘/文书", False, "vfat"),
        ("/srv/x", True, None),
    ],
)
def test_on_linux_0600_is_promised_only_where_the_disk_keeps_modes(
    folder: str, owner_only: bool, said: str | None
) -> None:
    guard = files.protection(Path(folder), windows=False, mounts=MOUNTS)
    assert guard.owner_only is owner_only
    assert (guard.words == "仅本人可读") is owner_only
    if said:
        assert guard.warning is not None and said in guard.warning and "U 盘" not in said


@pytest.mark.parametrize(
    ("drive", "said"),
    [
        ((3, "NTFS"), "用户文件夹"),  # a fixed NTFS disk: the folder's access rights
        ((2, "FAT32"), "U 盘"),  # a stick
        ((3, "exFAT"), "U 盘"),  # an exFAT partition: no access control at all
        ((4, "NTFS"), "网络共享"),  # a mapped network drive
    ],
)
def test_on_windows_0600_is_never_promised_and_what_protects_is_said(
    tmp_path: Path, drive: tuple[int, str], said: str
) -> None:
    guard = files.protection(tmp_path, windows=True, drive=drive)
    assert not guard.owner_only and "仅本人可读" not in guard.words
    assert guard.warning is not None and said in guard.warning


def test_render_onto_a_windows_stick_does_not_say_owner_only_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "_WINDOWS", True)
    monkeypatch.setattr(files, "_windows_drive", lambda folder: (2, "FAT32"))
    out = tmp_path / "文书"
    result = invoke("render", "--case", str(DATA / "opening-network-plan3.toml"), "--out", str(out))
    assert result.code == 0, result.err
    assert "仅本人可读" not in result.out
    assert "内部" in result.out and "U 盘" in result.out

"""Issue 15 (hardening), the documents side: no confidential name slips into a public notice,
templates cannot run code, outputs are written whole, at their final mode, never through a
planted symlink or over a device, and hostile input files end with exit 2, never a traceback.
Each test here failed before the fix it guards."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .renderkit import NOW, isolated_config, load_toml, render, run, text_of, write_case

assert isolated_config  # the autouse fixture: never the real user's config or templates

BIDDER = "某某路桥工程有限公司"
posix = pytest.mark.skipif(os.name == "nt", reason="POSIX modes and special files")


def docx_everything(path: Path) -> str:
    """Every part of a DOCX, raw, plus the body as a reader sees it."""
    with zipfile.ZipFile(path) as archive:
        raw = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return raw + "\n" + text_of(path)


def case_with_contact(tmp_path: Path, contact: str, bidders: list[str]) -> Path:
    data = load_toml("prep-power-delay.toml")
    data["project"]["contact"] = contact
    data["project"]["phone"] = "0532-80000000"
    data["confidential"] = {"bidders": bidders}
    return write_case(tmp_path / "case.toml", data)


# ----------------------------------------------------------------- 1. confidential names


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("某某路桥\u0001工程有限公司", BIDDER),  # a control character the writer strips
        ("某某路桥\x1f工程有限公司", BIDDER),
        ("某某路桥\u200b工程有限公司", BIDDER),  # zero-width space
        ("某某路桥 工程有限公司", BIDDER),  # one inserted space
        ("某某路桥\u3000工程有限公司", BIDDER),  # ideographic space
        (BIDDER, "某某路桥\u0001工程有限公司"),  # the odd character on the list's side
        ("Ｃａｆé Ｌｔｄ", "Café Ltd"),  # full-width letters
        (unicodedata.normalize("NFD", "Café Ltd"), "Café Ltd"),  # decomposed Unicode
        ("Café Ltd", unicodedata.normalize("NFD", "Café Ltd")),
        ("CAFÉ  LTD", "café ltd"),
    ],
    ids=[
        "ctrl-01",
        "ctrl-1f",
        "zwsp",
        "space",
        "ideographic",
        "listed-ctrl",
        "fullwidth",
        "nfd",
        "nfd-listed",
        "case",
    ],
)
def test_a_disguised_confidential_name_is_refused_and_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str, listed: str
) -> None:
    case = case_with_contact(tmp_path, typed, [listed])
    out = tmp_path / "out"
    code, stdout, err = render(case, out, capsys)
    assert code == 2, stdout + err
    assert "project.contact" in err and "confidential.bidders 第 1 项" in err
    # Masked: the screen may be projected in the room.
    visible = unicodedata.normalize("NFKC", listed)
    assert visible[1:5] not in err and "＊＊" in err
    assert not out.exists() or not list(out.iterdir())


def test_the_document_title_property_says_no_more_than_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A custom template that leaves the project name out: docProps/core.xml leaves it out too
    (the title property is the document's own title)."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "delay_notice.txt.j2").write_text(
        "# 延迟开标公告\n> {{ terms.addressee }}：\n因故延迟开标，另行通知。\n", encoding="utf-8"
    )
    data = load_toml("prep-power-delay.toml")
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "out" / "delay_notice.docx") as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "<dc:title>延迟开标公告</dc:title>" in core
    assert data["project"]["name"] not in core


def test_a_name_reaching_only_the_document_properties_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The agency is the author property; a bidder's name there is caught even though the
    template prints no agency."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "delay_notice.txt.j2").write_text(
        "# 延迟开标公告\n> {{ terms.addressee }}：\n因故延迟开标，另行通知。\n", encoding="utf-8"
    )
    data = load_toml("prep-power-delay.toml")
    data["project"]["agency"] = "某某医疗器械有限公司"
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2
    assert "project.agency" in err and "医疗器械" not in err


# ----------------------------------------------------------------- 2. templates


def custom(tmp_path: Path, body: str | bytes) -> Path:
    mine = tmp_path / "mine"
    mine.mkdir(exist_ok=True)
    target = mine / "delay_notice.txt.j2"
    head = "# 延迟开标公告\n> {{ terms.addressee }}：\n"
    if isinstance(body, bytes):
        target.write_bytes(head.encode("utf-8") + body)
    else:
        target.write_text(head + body, encoding="utf-8")
    return mine


@pytest.mark.parametrize(
    "body",
    [
        "{{ lipsum.__globals__['os'].popen('id').read() }}\n",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n",
        "{{ self._TemplateReference__context }}\n",
        "{{ ''.__class__.__mro__[1].__subclasses__()|length }}\n",
        "{{ namespace.__init__.__globals__['__builtins__']['open']('/etc/passwd').read() }}\n",
    ],
    ids=["lipsum-popen", "cycler-popen", "context", "subclasses", "open-file"],
)
def test_a_template_cannot_run_code_or_read_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    mine = custom(tmp_path, body)
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    code, out, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2, out + err
    assert "delay_notice.txt.j2 第 3 行" in err
    assert "uid=" not in out + err and "root:" not in out + err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ 1/0 }}\n", "除以零"),
        ("{{ [].pop() }}\n", "不允许"),
        ("{{ 10.0**400 }}\n", "太大"),
        ("{{ 10**10**10 }}\n", "太大"),
        ("{{ 'x' * 10**9 }}\n", "太长"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}\n", "调用自身"),
        ("{{ [1][5] }}\n", "第 3 行"),
        ("{{ {}['x'] }}\n", "第 3 行"),
        ("{% for x in range(10**9) %}{% endfor %}\n", "第 3 行"),
    ],
    ids=["div0", "pop", "float-pow", "int-pow", "repeat", "macro", "index", "key", "range"],
)
def test_every_template_error_is_exit_2_naming_template_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, words: str
) -> None:
    mine = custom(tmp_path, body)
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    started = time.monotonic()
    code, out, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert time.monotonic() - started < 10
    assert code == 2, out + err
    assert "delay_notice.txt.j2" in err and words in err and "Traceback" not in err


def test_a_template_that_is_not_utf8_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = custom(tmp_path, "原因：".encode("gbk") + b"\xff\xfe\n")
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2 and "delay_notice.txt.j2" in err and "UTF-8" in err
    code, _, err = run(["templates", "show", "delay_notice", "--templates", str(mine)], capsys)
    assert code == 2 and "UTF-8" in err
    code, _, err = run(["templates", "vars", "delay_notice", "--templates", str(mine)], capsys)
    assert code == 2 and "UTF-8" in err


@posix
def test_a_symlinked_template_leaving_its_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("# 延迟开标公告\n机密内容\n", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "delay_notice.txt.j2").symlink_to(secret)
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2 and "链接" in err and "delay_notice.txt.j2" in err
    # An {% include %} through a symlink is refused the same way.
    (mine / "delay_notice.txt.j2").unlink()
    (mine / "part.txt.j2").symlink_to(secret)
    (mine / "delay_notice.txt.j2").write_text(
        '# 延迟开标公告\n{% include "part.txt.j2" %}\n', encoding="utf-8"
    )
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", str(mine))
    assert code == 2 and "链接" in err and "机密内容" not in err


def test_an_over_long_templates_path_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    code, _, err = render(case, tmp_path / "out", capsys, "--templates", "x" * 5000)
    assert code == 2 and "--templates" in err


# ----------------------------------------------------------------- 3. PDFs


@posix
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_pdfs_never_write_through_a_planted_symlink_and_appear_at_their_final_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch", encoding="utf-8")
    victim.chmod(0o640)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("delay_notice.pdf", "incident_record.pdf", "delay_notice.docx"):
        (out / name).symlink_to(victim)
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    previous = os.umask(0)
    try:
        code, _, err = render(case, out, capsys, "--pdf")
    finally:
        os.umask(previous)
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "do not touch"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o640
    modes = {p.name: stat.S_IMODE(p.lstat().st_mode) for p in out.iterdir()}
    assert modes["delay_notice.pdf"] == 0o644 and modes["delay_notice.docx"] == 0o644
    assert modes["incident_record.pdf"] == 0o600 and modes["incident_record.docx"] == 0o600
    assert not any(p.is_symlink() for p in out.iterdir())
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left


@posix
def test_a_converter_that_writes_nothing_does_not_count_stale_pdfs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("QDPLAN_SOFFICE", str(fake))
    out = tmp_path / "out"
    out.mkdir()
    for name in ("delay_notice.pdf", "incident_record.pdf"):
        (out / name).write_bytes(b"%PDF-1.4 stale from an earlier run")
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    code, stdout, err = render(case, out, capsys, "--pdf")
    assert code == 3, stdout + err
    assert "已转换 PDF" not in stdout and "未能生成" in err
    assert (out / "delay_notice.docx").exists()  # the DOCX set is delivered


# ----------------------------------------------------------------- 8. full disk


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real, small file system (tmpfs), so the disk really fills up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_nothing_new_and_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_disk: Path
) -> None:
    out = tiny_disk / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    # The first notice fits, the set does not: before the fix one file appeared, exit 2.
    (tiny_disk / "filler").write_bytes(b"\0" * (96 * 1024 - 40 * 1024))
    case = write_case(tmp_path / "case.toml", load_toml("opening-network-plan3.toml"))
    code, stdout, err = render(case, out, capsys)
    assert code == 4, stdout + err
    assert "磁盘已满" in err and "未写入任何文件" in err
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]


# ----------------------------------------------------------------- 10. special output files


@posix
@pytest.mark.skipif(not hasattr(os, "mknod"), reason="no mknod")
def test_export_onto_a_character_device_writes_into_it_and_keeps_the_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Our own null device (major 1, minor 3) in a tmp dir — never the real /dev/null."""
    if os.geteuid() != 0:
        pytest.skip("mknod of a device needs root")
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    code, _, err = run(["incident", "--case", str(case), "--no-input"], capsys)
    assert code == 0, err
    code, _, err = run(["export", "--out", str(device)], capsys)
    assert code == 0, err
    info = device.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@posix
def test_export_onto_a_fifo_is_refused_and_the_fifo_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    assert run(["incident", "--case", str(case), "--no-input"], capsys)[0] == 0
    code, _, err = run(["export", "--out", str(fifo)], capsys)
    assert code == 2 and "命名管道" in err and str(fifo) in err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    code, _, err = render(case, fifo, capsys)
    assert code == 2 and stat.S_ISFIFO(fifo.lstat().st_mode)


# ----------------------------------------------------------------- 7, 9. hostile and odd input


@pytest.mark.parametrize("opener", ["[", "{"])
def test_deep_nesting_in_a_case_file_is_exit_2_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], opener: str
) -> None:
    case = tmp_path / "case.toml"
    value = "[" * 1000 if opener == "[" else "{a = " * 1000
    case.write_text(f"x = {value}\n", encoding="utf-8")
    started = time.monotonic()
    code, _, err = run(["decide", "--case", str(case)], capsys)
    assert time.monotonic() - started < 2
    assert code == 2 and "嵌套" in err
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(f"x = {value}\n", encoding="utf-8")
    code, _, err = run(["config", "show"], capsys)
    assert code == 2 and "嵌套" in err


def test_brackets_inside_strings_and_comments_are_not_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = load_toml("prep-power-delay.toml")
    data["incident"]["cause"] = "[" * 100 + "{" * 100
    case = write_case(tmp_path / "case.toml", data)
    case.write_text(case.read_text(encoding="utf-8") + "# " + "[" * 100 + "\n", encoding="utf-8")
    code, _, err = run(["decide", "--case", str(case), "--now", NOW], capsys)
    assert code == 0, err


@pytest.mark.parametrize(
    ("end", "ok"), [("17:00+08:00", True), ("17:00:00+08:00", True), ("17:00+09:00", False)]
)
def test_a_config_time_with_an_offset(
    isolated_config: Path, capsys: pytest.CaptureFixture[str], end: str, ok: bool
) -> None:
    isolated_config.mkdir(parents=True, exist_ok=True)
    (isolated_config / "config.toml").write_text(
        f'[hours]\nstart = "09:00"\nend = "{end}"\n', encoding="utf-8"
    )
    from .renderkit import DATA

    code, out, err = run(["decide", "--case", str(DATA / "prep-power-delay.toml")], capsys)
    if ok:
        assert code == 0, err
    else:
        assert code == 2 and "hours.end" in err and "北京时间" in err
    code, _, err = run(["config", "show"], capsys)
    assert code == (0 if ok else 2), err


@pytest.mark.parametrize(
    ("table", "key", "value", "words"),
    [
        ("incident", "plan", 3.0, "方案只能是 1、2 或 3"),
        ("incident", "cause", "长" * 20_000, "太长"),
        ("incident", "supplement_issued_at", "2026-12-03T08:00:00", "早于故障发生时间"),
        ("incident", "notice_published_at", "2026-12-03T08:00:00", "早于故障发生时间"),
    ],
    ids=["plan-float", "long-text", "supplement-before-onset", "notice-before-onset"],
)
def test_one_limit_per_input(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    key: str,
    value: object,
    words: str,
) -> None:
    from datetime import datetime

    data = load_toml("prep-power-delay.toml")
    data[table][key] = datetime.fromisoformat(value) if "T" in str(value)[:11] else value
    case = write_case(tmp_path / "case.toml", data)
    code, _, err = run(["decide", "--case", str(case), "--now", NOW], capsys)
    assert code == 2 and f"{table}.{key}" in err and words in err, err


def test_an_attendance_spanning_years_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    data = load_toml("evaluation-power-plan2.toml")
    data["attendance"] = [
        {"arrived_at": datetime(2000, 1, 1, 9), "left_at": datetime(2099, 12, 31, 17)}
    ]
    case = write_case(tmp_path / "case.toml", data)
    started = time.monotonic()
    code, _, err = run(["render", "--case", str(case), "--out", str(tmp_path / "o")], capsys)
    assert time.monotonic() - started < 5
    assert code == 2 and "attendance[1].left_at" in err and "天" in err


def test_an_exported_file_says_where_it_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write_case(tmp_path / "case.toml", load_toml("prep-power-delay.toml"))
    assert run(["incident", "--case", str(case), "--no-input"], capsys)[0] == 0
    exported = tmp_path / "export.toml"
    code, _, err = run(["export", "--out", str(exported)], capsys)
    assert code == 0, err
    header = exported.read_text(encoding="utf-8").splitlines()[1]
    record = re.search(r"记录校验码 ([0-9a-f]{12})", header)
    assert record, header
    code, out, err = render(exported, tmp_path / "out", capsys)
    assert code == 0, err
    assert f"导出时记录校验码 {record[1]}" in out and "导出后未被修改" in out
    assert "qdplan verify" in out and "--hash" in out
    edited = exported.read_text(encoding="utf-8").replace("配电故障停电", "配电柜故障停电")
    exported.write_text(edited, encoding="utf-8")
    code, out, err = render(exported, tmp_path / "out2", capsys)
    assert code == 0, err
    assert "导出后文件内容已被修改" in out


def test_a_config_naming_a_calendar_file_with_a_nul_byte_is_exit_2(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the soak: ValueError (embedded null byte) was a traceback."""
    isolated_config.mkdir(parents=True, exist_ok=True)
    (isolated_config / "config.toml").write_text('[calendar]\nfile = "\\u0000"\n', encoding="utf-8")
    from .renderkit import DATA

    code, _, err = run(["decide", "--case", str(DATA / "prep-power-delay.toml")], capsys)
    assert code == 2 and "节假日日历文件" in err and "Traceback" not in err


def test_a_path_argument_with_a_nul_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the soak: typer's path conversion raised ValueError (a traceback)."""
    code, _, err = run(["decide", "--case", "\x00"], capsys)
    assert code == 2 and "NUL" in err

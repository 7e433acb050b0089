"""``qdplan verify --scan PHOTO``: the QR code printed on the incident record (incident id, record
hash, event count) read back from the rendered page (LibreOffice → PDF → PNG), turned and
shrunk as a phone photo would be, and refused once the record has changed."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from qdplan_cli.documents import qr
from qdplan_cli.record.store import Store

from .conftest import DATA, Result

needs_tools = pytest.mark.skipif(
    shutil.which("soffice") is None
    or shutil.which("pdftoppm") is None
    or importlib.util.find_spec("zxingcpp") is None
    or importlib.util.find_spec("PIL") is None,
    reason="LibreOffice, pdftoppm and qdplan[centre] (zxing-cpp, Pillow) are needed",
)


def test_the_record_code_round_trips_and_refuses_other_texts() -> None:
    code = qr.RecordCode("20261208-0912-1", "3f2a9c1b0d4e", 17)
    assert code.text() == "QDPLAN1|20261208-0912-1|3f2a9c1b0d4e|17"
    assert qr.parse(code.text()) == code
    for other in ("https://example.com", "QDPLAN1|x|zz|1", "QDPLAN1|a|3f2a9c1b|", ""):
        assert qr.parse(other) is None
    assert qr.png(code).startswith(b"\x89PNG")


@needs_tools
def test_scan_reads_the_printed_record_turned_and_shrunk_and_refuses_a_changed_one(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    from PIL import Image

    result = run("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input")
    assert result.code == 0, result.err
    incident_id = Store.open().incident_ids()[-1]
    out = tmp_path / "out"
    result = run(
        "render", "--incident", incident_id, "--out", str(out), "--only", "incident_record", "--pdf"
    )
    assert result.code == 0, result.err
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(out / "incident_record.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    signed = pages[-1]  # the QR stands under the signature table, on the last page
    with Image.open(signed) as image:
        image.rotate(90, expand=True).save(tmp_path / "turned.png")
        image.resize((image.width // 2, image.height // 2)).save(tmp_path / "half.png")
    for photo in (signed, tmp_path / "turned.png", tmp_path / "half.png"):
        result = run("verify", "--scan", str(photo))
        assert result.code == 0, (photo.name, result.out, result.err)
        assert f"照片上的记录（{incident_id}，" in result.out
        assert "正是数据库中现在的记录" in result.out

    # A page with no record code is bad input, named.
    result = run("verify", "--scan", str(pages[0]))
    assert result.code == 2 and "--scan" in result.err and "二维码" in result.err

    # The record changes after printing: the printed page is no longer the stored record.
    assert run("log", incident_id, "打印后补记一条").code == 0
    result = run("verify", "--scan", str(signed))
    assert result.code == 1, result.out
    assert "不是数据库中现在的记录" in result.out
    assert "此后又追加了 1 条记录" in result.out


def test_scan_of_a_missing_or_unreadable_file_exits_2_naming_the_option(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    result = run("verify", "--scan", str(tmp_path / "无此文件.png"))
    assert result.code == 2 and "--scan" in result.err
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a picture")
    result = run("verify", "--scan", str(junk))
    assert result.code == 2 and "--scan" in result.err
    assert "Traceback" not in result.err
    result = run("verify", "x", "--scan", str(junk))
    assert result.code == 2 and "--scan" in result.err

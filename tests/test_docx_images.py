"""The DOCX writer's picture block (``@image``) and long tables running over pages."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import datetime

import pytest

from qdplan_cli.documents.docx_writer import build_docx
from qdplan_cli.documents.markup import MarkupError, block_texts, parse

NOW = datetime(2026, 12, 3, 9, 0)


def png() -> bytes:
    """A 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_an_image_block_places_the_png_at_its_size() -> None:
    blocks = parse("正文\n@image 图1 150 70\n@center 图1　说明\n", "t")
    assert [b.kind for b in blocks] == ["body", "image", "center"]
    assert block_texts(blocks) == ["正文", "图1　说明"]  # a picture's name is not text
    data = build_docx(blocks, title="t", now=NOW, images={"图1": png()})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("word/media/image1.png") == png()
        assert b"rIdImg1" in z.read("word/_rels/document.xml.rels")
        assert b'Extension="png"' in z.read("[Content_Types].xml")
        body = z.read("word/document.xml").decode("utf-8")
    assert 'cx="5400000" cy="2520000"' in body  # 150 × 70 mm in EMU
    assert body.index("正文") < body.index("<w:drawing>") < body.index("图1　说明")


def test_an_image_without_its_png_or_size_is_refused() -> None:
    with pytest.raises(ValueError, match="图2"):
        build_docx(parse("@image 图2 150 70\n", "t"), title="t", now=NOW, images={})
    with pytest.raises(MarkupError, match="@image"):
        parse("@image 图1 宽\n", "t")


def test_a_long_table_is_not_kept_on_one_page() -> None:
    rows = "".join(f"| {n} | 行 |\n" for n in range(60))
    body = build_docx(parse("| 号 | 内容 |\n|---|---|\n" + rows, "t"), title="t", now=NOW)
    short = build_docx(parse("| 号 | 内容 |\n|---|---|\n| 1 | 行 |\n", "t"), title="t", now=NOW)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        long_xml = z.read("word/document.xml").decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(short)) as z:
        short_xml = z.read("word/document.xml").decode("utf-8")
    assert "<w:keepNext/>" not in long_xml and "<w:tblHeader/>" in long_xml
    assert "<w:keepNext/>" in short_xml

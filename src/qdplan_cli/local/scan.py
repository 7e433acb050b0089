"""Reading codes from a photo or a scan (``qdplan verify --scan``). The only module that imports
zxing-cpp and Pillow; both come with the centre extra (``qdplan[centre]``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from qdplan_cli.plan.errors import UserError


def available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("zxingcpp", "PIL"))


def read_codes(path: Path, field: str = "--scan") -> list[str]:
    """The texts of every QR code found in the picture at ``path`` (any rotation, any size the
    reader can resolve). Raises UserError for a missing or unreadable picture."""
    if not available():
        raise UserError(
            "读取照片需要中心版组件（zxing-cpp、Pillow）：请安装 qdplan[centre]", field=field
        )
    import zxingcpp
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not path.is_file():
        raise UserError(f"找不到图片文件 {path}", field=field)
    try:
        with Image.open(path) as image:
            # A phone photo stands the way the phone was held (EXIF); grey is all a QR needs.
            picture = ImageOps.exif_transpose(image).convert("L")
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise UserError(f"无法读取图片 {path}：{exc}", field=field) from None
    found = zxingcpp.read_barcodes(picture)
    return [code.text for code in found if code.valid]

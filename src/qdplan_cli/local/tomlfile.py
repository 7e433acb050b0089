"""Reading the user's TOML files (case files, the config, calendars, project files): one place
that turns every way a file can be unreadable into a clear Chinese message naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_toml(path: Path, what: str, *, missing_ok: bool = False) -> dict[str, Any] | None:
    """The parsed document of ``path`` (UTF-8, with or without a BOM). ``what`` names the file
    in messages (案例文件, 配置文件 …). With ``missing_ok`` a missing file gives ``None``."""
    import tomllib

    from qdplan_cli.plan.errors import UserError

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return None
        raise UserError(f"找不到{what}", field=str(path)) from None
    except IsADirectoryError:
        raise UserError(f"这是一个文件夹，不是{what}", field=str(path)) from None
    except OSError as exc:
        raise UserError(f"无法读取{what}：{exc.strerror}", field=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{what}不是 UTF-8 编码，请另存为 UTF-8", field=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{what}不是有效的 TOML：{exc}", field=str(path)) from None

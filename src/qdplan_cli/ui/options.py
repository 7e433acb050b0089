"""Arguments and options that several commands share (one wording for each): the command
line's part of the user interface, below every command module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

IdArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[ID]",
        help="事件编号（如 20261208-0912-1，见 qdplan list）；省略时为最近的事件。",
        show_default=False,
    ),
]
PdfOpt = Annotated[
    bool,
    typer.Option(
        "--pdf",
        help="同时用 LibreOffice 转成 PDF；未安装 LibreOffice 时说明原因并以退出码 3 结束（DOCX 仍会生成）。",
    ),
]
NowOpt = Annotated[
    str | None, typer.Option(help="以此时间为“现在”（默认：系统时钟），用于判断和落款日期。")
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="自定义模板目录：其中的同名模板（如 delay_notice.txt.j2）优先于内置模板。",
        file_okay=False,
    ),
]


def sub_app(name: str, help_text: str) -> typer.Typer:
    """A command group (``qdplan config …``, ``qdplan templates …``) framed like the app."""
    return typer.Typer(
        name=name,
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

"""`qdplan config init|show|path|edit` and `qdplan fees`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.options import sub_app
from qdplan_cli.ui.reports import say

config_app = sub_app(
    "config", "配置文件：交易大厅、工作时间、监管部门、联系人、专家费标准、节假日日历。"
)


@config_app.command("path")
def config_path_cmd() -> None:
    """显示配置文件的位置（可用环境变量 QDPLAN_CONFIG 指定）。"""
    from qdplan_cli.local.config import config_path

    say(str(config_path()))


@config_app.command("init")
def config_init(
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的配置文件。")] = False,
) -> None:
    """写出一份带中文说明的配置文件模板。"""
    from qdplan_cli.local.config import config_path, write_template

    path = config_path()
    if path.exists() and not force:
        raise UserError("配置文件已存在；如要覆盖，请加 --force", field=str(path))
    write_template(path)
    say(f"已写出配置文件：{path}")
    say("编辑后运行 qdplan config show 检查。")


@config_app.command("show")
def config_show() -> None:
    """检查并显示当前配置。"""
    from qdplan_cli.local.config import load_config
    from qdplan_cli.ui.console import print_config

    print_config(load_config())


@config_app.command("edit")
def config_edit() -> None:
    """用编辑器打开配置文件（没有时先写出模板）。"""
    from qdplan_cli.local.config import config_path, write_template

    path = config_path()
    if not path.exists():
        write_template(path)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        subprocess.run([*editor.split(), str(path)], check=False)
    elif sys.platform == "win32":
        subprocess.run(["notepad.exe", str(path)], check=False)
    else:
        for candidate in ("nano", "vi"):
            if shutil.which(candidate):
                subprocess.run([candidate, str(path)], check=False)
                break
        else:
            raise UserError(
                "没有找到编辑器；请设置环境变量 EDITOR，或直接编辑该文件", field=str(path)
            )
    say(f"配置文件：{path}")


def fees(
    case: Annotated[
        Path | None,
        typer.Option(help="案例文件（含 [[attendance]] 专家到离时间）。", dir_okay=False),
    ] = None,
    incident: Annotated[
        str | None,
        typer.Option(
            "--incident",
            metavar="ID",
            help="改用已记录的事件（编号见 qdplan list），按其中记录的专家到离时间计算。",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="同时生成劳务费计算表 expert_fee_sheet.docx 到此目录（内部文书）。",
            file_okay=False,
        ),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="配合 --out：同时用 LibreOffice 转成 PDF。"),
    ] = False,
    now: Annotated[
        str | None, typer.Option(help="以此时间为“现在”（默认：系统时钟），用于落款日期。")
    ] = None,
) -> None:
    """按专家到达、离开时间计算评标专家劳务费（等候故障修复的时间计入）；--out 生成计算表。"""
    from qdplan_cli.local.config import load_config
    from qdplan_cli.plan.fees import fee_sheet
    from qdplan_cli.record.casefile import load_case
    from qdplan_cli.record.incident import stored_case

    if (case is None) == (incident is None):
        raise UserError("请给出 --case 案例文件或 --incident 事件编号（二者选一）", field="--case")
    if case is not None:
        loaded = load_case(case)
    else:
        with Runtime().open_store() as store:
            loaded, _ = stored_case(store, incident)
    if not loaded.attendance:
        if case is None:
            raise UserError(
                f"事件 {incident} 没有记录专家到离时间（向导菜单：记录专家到达、结束时间）",
                field="--incident",
            )
        raise UserError(
            "案例文件中没有 [[attendance]]（专家到达 arrived_at、离开 left_at 时间，可用 count 表示同时到离的人数）",
            field="attendance",
        )
    if pdf and out is None:
        raise UserError("--pdf 须与 --out 一起使用", field="--pdf")
    config = load_config()
    sheet = fee_sheet(loaded.attendance, config.fees)
    if out is not None:
        from qdplan_cli.documents.pdf import convert_to_pdf
        from qdplan_cli.documents.publish import FEE_SHEET, fee_sheet_docx, write_paper
        from qdplan_cli.ui.reports import WrittenSet, show_written

        if out.exists() and not out.is_dir():
            raise UserError("不是目录", field=f"--out {out}")
        data = fee_sheet_docx(loaded, config, Runtime(now).now, None)
        target = write_paper(out / f"{FEE_SHEET}.docx", data, private=True)
        from qdplan_cli.local.files import protection

        words = protection(out).words
        result = WrittenSet(out, headline=f"已生成劳务费计算表：{target}（内部，{words}）")
        if pdf:
            result.pdfs = convert_to_pdf([target], out, private=[True])
        show_written(result)
    if as_json:
        from qdplan_cli.ui.jsonout import fee_sheet_json

        say(fee_sheet_json(sheet))
        return
    from qdplan_cli.ui.console import print_fee_sheet

    print_fee_sheet(sheet, project_type=loaded.project.type)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.command("fees")(fees)

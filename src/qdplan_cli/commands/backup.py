"""``qdplan backup [--out PATH]``: a consistent copy of the event database.

SQLite's backup API copies one snapshot of the whole database, even while the wizard or
``watch`` runs in another window; the copy is one self-contained file, readable by owner only.
Copying ``qdplan.db`` by hand is not safe while qdplan runs (README, 备份).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime


def backup(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="备份文件路径，或放备份的目录（默认当前目录，文件名 qdplan-backup-日期-时间.db）。"
            "已有的文件不会被覆盖。",
            show_default=False,
        ),
    ] = None,
) -> None:
    """备份事件数据库：即使向导正在记录，备份也是同一时刻的完整副本（仅本人可读写）。"""
    from qdplan_cli.ui.console import print_note

    runtime = Runtime()
    name = f"qdplan-backup-{runtime.now:%Y%m%d-%H%M%S}.db"
    if out is not None and str(out).startswith("-"):
        raise UserError(f"{str(out)!r} 像是一个选项，不是文件名：--out 后面缺少路径", field="--out")
    target = Path.cwd() / name if out is None else out / name if out.is_dir() else out
    if not target.parent.is_dir():
        raise UserError(f"目录 {target.parent} 不存在", field="--out")
    if target.exists():
        raise UserError(f"{target} 已存在，qdplan 不会覆盖它；请换一个文件名", field="--out")
    with runtime.open_store() as store:
        if target.resolve() == store.path.resolve():
            raise UserError("备份文件不能是数据库文件本身", field="--out")
        incidents, events = store.backup(target)
    print_note(f"已备份 {incidents} 个事件、{events} 条记录到 {target}")
    print_note(
        "恢复时：把它改名为 qdplan.db 放进一个空目录，用环境变量 QDPLAN_HOME 指向该目录"
        "（qdplan verify 可先校验）。备份含保密名单，请妥善保管"
    )


def register(app: typer.Typer) -> None:
    app.command()(backup)

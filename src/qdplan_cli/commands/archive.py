"""``qdplan archive init|push|export|import|verify``: the centre's archive on PostgreSQL, and the
offline hand-over file.

Exit codes: 0 done; 1 a chain refused (altered, forked) or a broken chain found; 2 bad input;
5 the archive cannot be reached, refuses the login or the connection dropped (nothing
half-written: the batch open at the time is rolled back).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.options import sub_app
from qdplan_cli.ui.reports import (
    ArchivedCheck,
    ArchiveSent,
    show_archive_init,
    show_archive_sent,
    show_archive_verify,
    show_handover_written,
)

if TYPE_CHECKING:
    from qdplan_cli.record.archive import Archive
    from qdplan_cli.record.handover import Chain
    from qdplan_cli.record.store import Store

archive_app = sub_app(
    "archive",
    "中心事件档案库（PostgreSQL）：建立档案库、发送已结束的事件、离线交接文件、校验档案库。",
)


def archive_url(runtime: Runtime) -> str:
    """``QDPLAN_ARCHIVE_URL``, else the config's ``[archive] url``."""
    env = os.environ.get("QDPLAN_ARCHIVE_URL", "").strip()
    if env:
        return env
    config = runtime.config
    return config.archive_url if config is not None else ""


def _open_archive(runtime: Runtime) -> Archive:
    if importlib.util.find_spec("psycopg") is None:
        raise UserError(
            "档案库功能需要中心版组件（psycopg）：请安装 qdplan[centre]（pip install 'qdplan[centre]'）",
            field="档案库",
        )
    from qdplan_cli.record.archive import Archive

    return Archive.connect(archive_url(runtime))


def _source(runtime: Runtime) -> tuple[str, str]:
    from qdplan_cli.record.handover import laptop_id

    config = runtime.config
    laptop = laptop_id(config.laptop if config is not None else "")
    hall = config.hall_name if config is not None else ""
    if not hall:
        from qdplan_cli.local.config import Config

        hall = Config.hall_name
    return laptop, hall


def _chains(
    runtime: Runtime, store: Store, ids: list[str], every: bool, *, finished_only: bool
) -> tuple[list[Chain], int]:
    """The chains to send (checked), and how many unfinished incidents ``--all`` passed over."""
    from qdplan_cli.record.handover import is_finished, local_chain

    if ids and every:
        raise UserError("给出事件编号或 --all，二者只用其一", field="--all")
    if not ids and not every:
        raise UserError(
            "请给出事件编号（见 qdplan list），或用 --all 发送全部已结束的事件", field="ID"
        )
    laptop, hall = _source(runtime)
    targets = store.incident_ids() if every else [store.resolve_id(i) for i in ids]
    chains, skipped = [], 0
    for incident_id in targets:
        if finished_only and not is_finished(store.raw_events(incident_id)):
            if every:
                skipped += 1
                continue
            raise UserError(
                f"事件 {incident_id} 尚未结束（没有记录故障排除），不发送到档案库；"
                f"排除后用 qdplan resolve {incident_id} 记录",
                field="ID",
            )
        chains.append(local_chain(store, incident_id, laptop=laptop, hall=hall))
    return chains, skipped


@archive_app.command("init")
def init() -> None:
    """建立或升级档案库的数据库结构（由中心管理员用数据库属主账号运行一次）。"""
    runtime = Runtime()
    with _open_archive(runtime) as archive:
        done = archive.init()
    from qdplan_cli.record.archive import where

    show_archive_init(where(archive.url), done)


IdsArg = Annotated[
    list[str] | None,
    typer.Argument(metavar="[ID]...", help="事件编号（见 qdplan list）。", show_default=False),
]


@archive_app.command("push")
def push(
    ids: IdsArg = None,
    every: Annotated[bool, typer.Option("--all", help="发送全部已结束的事件。")] = False,
) -> None:
    """把已结束（已排除故障）的事件连同全部记录发送到档案库；重复发送不会改变任何内容。"""
    runtime = Runtime()
    with runtime.open_store() as store:
        chains, skipped = _chains(runtime, store, ids or [], every, finished_only=True)
    if not chains:
        show_archive_sent(ArchiveSent(0, 0, 0, skipped=skipped, nothing=True))
        return
    with _open_archive(runtime) as archive:
        pushed = archive.push(chains)
    result = ArchiveSent(
        pushed.incidents, pushed.events, pushed.unchanged, skipped, pushed.refused, "archive"
    )
    show_archive_sent(result)
    if not result.ok:
        raise typer.Exit(1)


@archive_app.command("export")
def export(
    ids: IdsArg = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="交接文件（JSON lines，含保密名单）。", show_default=False
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="导出全部事件。")] = False,
) -> None:
    """把事件连同校验链写成一个交接文件（如拷到 U 盘带到中心），中心用 archive import 导入。"""
    from qdplan_cli.record.handover import write_file

    if out is None:
        raise UserError("请用 --out 给出交接文件的位置", field="--out")
    runtime = Runtime()
    with runtime.open_store() as store:
        chains, _ = _chains(runtime, store, ids or [], every, finished_only=False)
    write_file(out, chains, exported_at=runtime.now)
    from qdplan_cli.record.chain import SHORT_HASH

    show_handover_written(out, [(c.incident_id, c.length, c.head[:SHORT_HASH]) for c in chains])


@archive_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="交接文件。", show_default=False)],
    into: Annotated[
        str,
        typer.Option("--into", help="导入到 archive（档案库，默认）或 local（本机事件库）。"),
    ] = "archive",
) -> None:
    """校验交接文件中的每条校验链后导入档案库或本机；被改动过的文件整体拒收，并指出是哪一条。"""
    from qdplan_cli.record.handover import read_file

    if into not in ("archive", "local"):
        raise UserError(f"应为 archive 或 local，收到 {into!r}", field="--into")
    chains = read_file(file)
    runtime = Runtime()
    if into == "local":
        with runtime.open_store() as store:
            counts = [store.import_chain(c.incident_id, c.created_at, c.rows) for c in chains]
        unchanged = sum(1 for n in counts if n == 0)
        show_archive_sent(
            ArchiveSent(len(chains) - unchanged, sum(counts), unchanged, into="local")
        )
        return
    with _open_archive(runtime) as archive:
        pushed = archive.push(chains)
    result = ArchiveSent(
        pushed.incidents, pushed.events, pushed.unchanged, 0, pushed.refused, "import"
    )
    show_archive_sent(result)
    if not result.ok:
        raise typer.Exit(1)


@archive_app.command("verify")
def verify() -> None:
    """逐条重算档案库中每个事件的校验链，报告第一条被改动、插入或删除的记录。"""
    runtime = Runtime()
    with _open_archive(runtime) as archive:
        reports = archive.verify()
    checks = [
        ArchivedCheck(r.report.incident_id, r.laptop, r.hall, r.report.problem) for r in reports
    ]
    show_archive_verify(checks)
    if any(c.problem is not None for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")

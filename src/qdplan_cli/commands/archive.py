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

if TYPE_CHECKING:
    from qdplan_cli.record.archive import Archive
    from qdplan_cli.record.handover import Chain
    from qdplan_cli.record.store import Store

archive_app = typer.Typer(
    help="中心事件档案库（PostgreSQL）：建立档案库、发送已结束的事件、离线交接文件、校验档案库。",
    no_args_is_help=True,
    rich_markup_mode=None,
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

    if done:
        names = "、".join(f"第 {n} 版（{name}）" for n, name in done)
        typer.echo(f"档案库 {where(archive.url)} 已建立/升级：{names}。")
    else:
        typer.echo(f"档案库 {where(archive.url)} 已是最新结构，无需改动。")


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
        typer.echo(f"没有可发送的已结束事件（{skipped} 个事件尚未结束）。")
        return
    with _open_archive(runtime) as archive:
        result = archive.push(chains)
    typer.echo(
        f"已发送 {result.incidents} 个事件的 {result.events} 条新记录；"
        f"{result.unchanged} 个事件档案库中已有完整记录，未改动。"
        + (f"另有 {skipped} 个事件尚未结束，未发送。" if skipped else "")
    )
    for incident_id, why in result.refused:
        typer.echo(f"事件 {incident_id}：档案库拒收！{why}。")
    if result.refused:
        raise typer.Exit(1)


@archive_app.command("export")
def export(
    ids: IdsArg = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="交接文件（JSON lines，仅本人可读）。", show_default=False
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
    events = sum(c.length for c in chains)
    typer.echo(f"已写出交接文件 {out}：{len(chains)} 个事件，{events} 条记录（仅本人可读）。")
    for chain in chains:
        typer.echo(f"  事件 {chain.incident_id}：{chain.length} 条，记录校验码 {chain.head[:12]}")


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
        typer.echo(
            f"已导入本机事件库：{len(chains)} 个事件，{sum(counts)} 条新记录"
            f"（{sum(1 for n in counts if n == 0)} 个事件本机已有完整记录）。"
        )
        return
    with _open_archive(runtime) as archive:
        result = archive.push(chains)
    typer.echo(
        f"已导入档案库：{result.incidents} 个事件的 {result.events} 条新记录；"
        f"{result.unchanged} 个事件档案库中已有完整记录，未改动。"
    )
    for incident_id, why in result.refused:
        typer.echo(f"事件 {incident_id}：档案库拒收！{why}。")
    if result.refused:
        raise typer.Exit(1)


@archive_app.command("verify")
def verify() -> None:
    """逐条重算档案库中每个事件的校验链，报告第一条被改动、插入或删除的记录。"""
    runtime = Runtime()
    with _open_archive(runtime) as archive:
        reports = archive.verify()
    if not reports:
        typer.echo("档案库中还没有任何事件。")
        return
    failed = 0
    for item in reports:
        report = item.report
        if report.problem is not None:
            failed += 1
            typer.echo(
                f"事件 {report.incident_id}（{item.laptop}，{item.hall}）：校验失败！{report.problem}。"
            )
    typer.echo(
        f"档案库共 {len(reports)} 个事件：{len(reports) - failed} 个校验通过，{failed} 个校验失败。"
    )
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")

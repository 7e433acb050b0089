"""``qdplan archive init|push|export|import|verify|key|trust|find|open``: the centre's archive on
PostgreSQL, and the offline hand-over file.

Exit codes: 0 done; 1 a chain refused (altered, forked, a signature that does not match) or a
broken chain found and skipped (the others were sent); 2 bad input; 5 the archive cannot be
reached, refuses the login, lacks a GRANT, the connection dropped or another push clashed
(nothing half-written: the batch open at the time is rolled back).
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
    FoundIncident,
    say,
    show_archive_init,
    show_archive_key,
    show_archive_sent,
    show_archive_trust,
    show_archive_verify,
    show_found,
    show_handover_written,
)

if TYPE_CHECKING:
    from qdplan_cli.record.archive import Archive, Found
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
    from qdplan_cli.record.archive import Archive, has_password

    url = archive_url(runtime)
    if not os.environ.get("QDPLAN_ARCHIVE_URL", "").strip() and has_password(url):
        say(
            "提示：配置文件的档案库地址中写了密码。请改为把密码放进仅本人可读的 pgpass 文件"
            "（见 README“档案库”一节），并从地址中删去密码。",
            err=True,
        )
    return Archive.connect(url)


def _source(runtime: Runtime) -> tuple[str, str]:
    from qdplan_cli.record.handover import laptop_id

    config = runtime.config
    laptop = laptop_id(config.laptop if config is not None else "")
    hall = config.hall_name if config is not None else ""
    if not hall:
        from qdplan_cli.local.config import Config

        hall = Config.hall_name
    return laptop, hall


def _targets(
    store: Store, ids: list[str], every: bool, *, finished_only: bool
) -> tuple[list[str], int]:
    """The incidents to send, and how many unfinished ones ``--all`` passed over."""
    from qdplan_cli.record.handover import FINISHED_KINDS

    if ids and every:
        raise UserError("给出事件编号或 --all，二者只用其一", field="--all")
    if not ids and not every:
        raise UserError(
            "请给出事件编号（见 qdplan list），或用 --all 发送全部已结束的事件", field="ID"
        )
    if every:  # for a push, unfinished ones are told apart after the heads are compared
        return store.incident_ids(), 0
    targets = [store.resolve_id(i) for i in ids]
    finished = store.finished_ids(sorted(FINISHED_KINDS), among=targets) if finished_only else set()
    chosen, skipped = [], 0
    for incident_id in targets:
        if finished_only and incident_id not in finished:
            raise UserError(
                f"事件 {incident_id} 尚未结束（没有记录故障排除），不发送到档案库；"
                f"排除后用 qdplan resolve {incident_id} 记录",
                field="ID",
            )
        chosen.append(incident_id)
    return chosen, skipped


@archive_app.command("init")
def init(
    push_role: Annotated[
        str, typer.Option("--push-role", help="各电脑发送事件用的账号名。")
    ] = "qdplan_push",
    reader_role: Annotated[
        str, typer.Option("--reader-role", help="只读账号名（看不到姓名）。")
    ] = "qdplan_reader",
    confidential_role: Annotated[
        str,
        typer.Option("--confidential-role", help="可查看专家、投标人姓名的只读账号名。"),
    ] = "qdplan_confidential",
) -> None:
    """建立或升级档案库的数据库结构（由中心管理员用数据库属主账号运行一次），并显示三个账号的授权语句。"""
    import re

    for option, role in (
        ("--push-role", push_role),
        ("--reader-role", reader_role),
        ("--confidential-role", confidential_role),
    ):
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise UserError("账号名只能用小写字母、数字和下划线，且不以数字开头", field=option)
    runtime = Runtime()
    from qdplan_cli.record.archive import grants, where

    with _open_archive(runtime) as archive:
        done = archive.init()
        database = archive.database()
    show_archive_init(
        where(archive.url), done, grants(database, push_role, reader_role, confidential_role)
    )


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
    from qdplan_cli.record.handover import FINISHED_KINDS
    from qdplan_cli.record.signing import laptop_key

    runtime = Runtime()
    laptop, hall = _source(runtime)
    with runtime.open_store() as store:
        targets, _ = _targets(store, ids or [], every, finished_only=True)
        if not store.any_finished(sorted(FINISHED_KINDS)):  # nothing to send: stay offline
            show_archive_sent(ArchiveSent(0, 0, 0, skipped=len(targets), nothing=True))
            return
        key = laptop_key()
        with _open_archive(runtime) as archive:
            pushed = archive.push_store(
                store, targets, laptop=laptop, hall=hall, key=key, finished_only=True
            )
    result = ArchiveSent(
        pushed.incidents,
        pushed.events,
        pushed.unchanged,
        pushed.unfinished,
        pushed.refused,
        "archive",
        broken=pushed.broken,
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
    from qdplan_cli.record.handover import local_chain, write_file
    from qdplan_cli.record.signing import laptop_key

    if out is None:
        raise UserError("请用 --out 给出交接文件的位置", field="--out")
    runtime = Runtime()
    laptop, hall = _source(runtime)
    with runtime.open_store() as store:
        targets, _ = _targets(store, ids or [], every, finished_only=False)
        chains = [local_chain(store, i, laptop=laptop, hall=hall) for i in targets]
    write_file(out, chains, exported_at=runtime.now, key=laptop_key())
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
            counts = store.import_chains([(c.incident_id, c.created_at, c.rows) for c in chains])
        unchanged = sum(1 for n in counts if n == 0)
        show_archive_sent(
            ArchiveSent(len(chains) - unchanged, sum(counts), unchanged, into="local")
        )
        return
    with _open_archive(runtime) as archive:
        pushed = archive.push(chains, whole=True)
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
        ArchivedCheck(
            r.report.incident_id,
            r.laptop,
            r.hall,
            r.report.problem if r.report.problem is not None else r.signature,
        )
        for r in reports
    ]
    show_archive_verify(checks)
    if any(c.problem is not None for c in checks):
        raise typer.Exit(1)


@archive_app.command("key")
def key() -> None:
    """显示本机的电脑编号、公钥及其指纹（中心登记公钥时电话核对指纹用）。"""
    from qdplan_cli.record.signing import fingerprint, laptop_key

    runtime = Runtime()
    laptop, _ = _source(runtime)
    public = laptop_key().public
    show_archive_key(laptop, public, fingerprint(public))


@archive_app.command("trust")
def trust(
    laptop: Annotated[str, typer.Argument(metavar="LAPTOP", help="电脑编号。", show_default=False)],
    public: Annotated[
        str,
        typer.Argument(
            metavar="KEY", help="该电脑的公钥（archive key 显示）。", show_default=False
        ),
    ],
) -> None:
    """在中心登记一台电脑的公钥（先与该场所电话核对指纹）；只靠交接文件交接的电脑须先登记。"""
    from qdplan_cli.record.signing import fingerprint

    runtime = Runtime()
    with _open_archive(runtime) as archive:
        added = archive.trust(laptop.strip(), public.strip())
    show_archive_trust(laptop.strip(), fingerprint(public.strip()), added)


def _show(found: list[Found], what: str) -> None:
    show_found(
        [
            FoundIncident(
                f.incident_id,
                f.laptop,
                f.hall,
                f.created_at,
                f.number,
                f.name,
                f.events,
                f.finished,
            )
            for f in found
        ],
        what=what,
    )


@archive_app.command("find")
def find(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="项目编号。", show_default=False)],
) -> None:
    """按项目编号查找档案库中的事件（看不到姓名）。"""
    if not number.strip():
        raise UserError("请给出项目编号", field="NUMBER")
    runtime = Runtime()
    with _open_archive(runtime) as archive:
        found = archive.find(number.strip())
    _show(found, f"项目编号为 {number.strip()} 的事件")


@archive_app.command("open")
def open_() -> None:
    """列出档案库中尚未结束（没有记录故障排除，也未搁置）的事件。"""
    runtime = Runtime()
    with _open_archive(runtime) as archive:
        found = archive.find(unfinished=True)
    _show(found, "尚未结束的事件")


def register(app: typer.Typer) -> None:
    app.add_typer(archive_app, name="archive")

"""Result objects of the commands and how each is shown. A command does its work, fills one of
these and hands it here: what a user reads after a command is written in this module only
(the checklist, the timeline and tables in ``console``; JSON in ``jsonout``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qdplan_cli.ui.rows import IncidentRow
from qdplan_cli.ui.terminal_text import terminal_text

if TYPE_CHECKING:
    from qdplan_cli.record.chain import ChainReport


def say(text: str, *, err: bool = False) -> None:
    """One plain line: a confirmation that something was stored or written. On a terminal it is
    wrapped to the width between words (an incident id is never split across lines)."""
    import sys

    from qdplan_cli.ui.conhost import is_terminal

    if is_terminal(sys.stderr if err else sys.stdout):
        from qdplan_cli.ui.console import print_note

        print_note(text, style="", stderr=err)
        return
    typer.echo(terminal_text(text), err=err)  # stored text: no escape sequences


# ----------------------------------------------------------------- files written


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    label: str  # what it is, e.g. "延迟开标公告"
    public: bool
    note: str = ""  # e.g. "模板：/path/x.txt.j2" or "按 [[attendance]]"


@dataclass
class WrittenSet:
    """Documents written by ``render``, ``pack``, ``checklist`` or ``fees --out``."""

    out: Path
    files: list[WrittenFile] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what else the user should know
    hints: list[str] = field(default_factory=list)  # "提示：…"
    headline: str = ""


def show_written(result: WrittenSet) -> None:
    from qdplan_cli.local.files import protection

    guard = protection(result.out)
    if result.headline:
        typer.echo(result.headline)
    else:
        typer.echo(f"已生成 {len(result.files)} 份文书，保存在 {result.out}：")
        for f in result.files:
            kind = "公开" if f.public else f"内部，{guard.words}"
            note = f"；{f.note}" if f.note else ""
            typer.echo(f"  {f.path.name}  {f.label}（{kind}{note}）")
    if guard.warning and (result.headline or any(not f.public for f in result.files)):
        typer.echo(guard.warning)  # where chmod 0600 does not protect them: what does
    for line in result.lines:
        typer.echo(line)
    for hint in result.hints:
        typer.echo(f"提示：{hint}")
    if result.pdfs:
        typer.echo("已转换 PDF：" + "、".join(p.name for p in result.pdfs))


# ----------------------------------------------------------------- verify


@dataclass(frozen=True)
class HashMatch:
    """``verify --hash``: which moment of the record the printed hash belongs to."""

    wanted: str
    seq: int | None  # the event whose hash it is; None when it matches none
    recorded_at: str = ""
    later: int = 0  # events appended since
    current: bool = False


@dataclass
class VerifyResult:
    orphans: list[str] = field(default_factory=list)
    reports: list[ChainReport] = field(default_factory=list)
    match: HashMatch | None = None
    store_problems: list[str] = field(default_factory=list)  # the store-wide chain's

    @property
    def ok(self) -> bool:
        return (
            not self.orphans
            and not self.store_problems
            and all(r.problem is None for r in self.reports)
            and (self.match is None or self.match.seq is not None or self.match.current)
        )


def warn_record(incident_id: str, problem: str | None, damaged: Sequence[str] = ()) -> None:
    """A read path's warning (show, list, checklist, export), in red on stderr: the record
    failed its check (the first broken event named), or some events could not be read."""
    from qdplan_cli.ui.console import print_note

    if problem is not None:
        print_note(
            f"警告：事件 {incident_id} 的记录未通过校验：{problem}。"
            f"以下内容可能已被改动；用 qdplan verify {incident_id} 查看",
            style="bold red",
            stderr=True,
        )
    for damage in damaged:
        print_note(f"警告：事件 {incident_id} 的{damage}", style="bold red", stderr=True)


def show_verify(result: VerifyResult) -> None:
    from qdplan_cli.record.chain import when

    for orphan in result.orphans:
        typer.echo(terminal_text(f"校验失败：数据库中有属于事件 {orphan} 的记录，但该事件已被删除"))
    for problem in result.store_problems:
        typer.echo(terminal_text(f"校验失败！{problem}。"))
    if not result.orphans and not result.reports and not result.store_problems:
        typer.echo("还没有任何事件记录，无需校验。")
        return
    for report in result.reports:
        if report.problem is not None:
            typer.echo(terminal_text(f"事件 {report.incident_id}：校验失败！{report.problem}。"))
            continue
        count = len(report.links)
        last = f"，最后一条记于 {when(report.links[-1].recorded_at)}" if report.links else ""
        typer.echo(
            f"事件 {report.incident_id}：校验通过，共 {count} 条记录{last}。"
            f"记录校验码：{report.short}"
        )
    m = result.match
    if m is None or not result.reports or result.reports[0].problem is not None:
        return
    report = result.reports[0]
    if m.current:
        typer.echo(f"记录校验码 {m.wanted} 与数据库中的记录一致：打印件就是现在的记录。")
    elif m.seq is not None:
        typer.echo(
            f"记录校验码 {m.wanted} 与第 {m.seq} 条记录时的记录一致"
            f"（记于 {when(m.recorded_at)}）："
            f"打印件是当时的记录，此后又追加了 {m.later} 条记录（qdplan show {report.incident_id}"
            " 可查看），之前的记录未被改动。"
        )
    else:
        typer.echo(
            f"记录校验码不符：打印件上的 {m.wanted} 不是事件 {report.incident_id} 任何时候的"
            f"记录校验码（现在为 {report.short}）。打印件与数据库中的记录不是同一份，"
            "或数据库中的记录被整体重写过。"
        )


# ----------------------------------------------------------------- list


def show_incident_list(rows: Sequence[IncidentRow], *, as_json: bool) -> None:
    if as_json:
        from qdplan_cli.ui.jsonout import incident_list_json

        typer.echo(incident_list_json(rows))
        return
    if not rows:
        typer.echo("还没有任何事件记录；运行 qdplan incident 开始。")
        return
    from qdplan_cli.plan.labels import FAULT_SHORT, outcome_label, stage_label
    from qdplan_cli.plan.model import Fault, Outcome, ProjectType, Stage
    from qdplan_cli.plan.times import format_dt
    from qdplan_cli.ui.console import print_incidents

    print_incidents(
        [
            [
                r.id,
                r.project or "—",
                stage_label(Stage(r.stage), ProjectType(r.project_type)) if r.stage else "—",
                FAULT_SHORT[Fault(r.fault)] if r.fault else "—",
                format_dt(r.started_at),
                (
                    outcome_label(Outcome(r.outcome), ProjectType(r.project_type))
                    if r.outcome
                    else "（记录有误）"
                )
                + ("（已排除）" if r.resolved_at else ""),
            ]
            for r in rows
        ]
    )


# ----------------------------------------------------------------- the centre's archive


@dataclass
class ArchiveSent:
    """``archive push`` and ``archive import`` (into the archive or a local store)."""

    incidents: int  # incidents with new events
    events: int  # new events
    unchanged: int  # already held whole
    skipped: int = 0  # unfinished, not sent (push --all)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (incident id, why)
    into: str = "archive"  # "archive" (push), "import" (archive import), "local"
    nothing: bool = False  # push: no finished incident at all
    broken: list[tuple[str, str]] = field(default_factory=list)  # local chains failing the check

    @property
    def ok(self) -> bool:
        return not self.refused and not self.broken


def show_archive_sent(result: ArchiveSent) -> None:
    if result.nothing:
        typer.echo(f"没有可发送的已结束事件（{result.skipped} 个事件尚未结束）。")
        return
    if result.into == "local":
        typer.echo(
            f"已导入本机事件库：{result.incidents + result.unchanged} 个事件，{result.events} 条新记录"
            f"（{result.unchanged} 个事件本机已有完整记录）。"
        )
        return
    verb = "已发送" if result.into == "archive" else "已导入档案库："
    typer.echo(
        f"{verb} {result.incidents} 个事件的 {result.events} 条新记录；"
        f"{result.unchanged} 个事件档案库中已有完整记录，未改动。"
        + (f"另有 {result.skipped} 个事件尚未结束，未发送。" if result.skipped else "")
    )
    for incident_id, why in result.refused:
        typer.echo(f"事件 {incident_id}：档案库拒收！{why}。")
    for incident_id, why in result.broken:
        typer.echo(f"事件 {incident_id}：跳过，未发送！{why}")
    if result.broken:
        typer.echo(f"共 {len(result.broken)} 个事件的本机记录未通过校验，已跳过；其余照常发送。")


@dataclass(frozen=True)
class ArchivedCheck:
    incident_id: str
    laptop: str
    hall: str
    problem: str | None


def show_archive_verify(checks: Sequence[ArchivedCheck]) -> None:
    if not checks:
        typer.echo("档案库中还没有任何事件。")
        return
    failed = [c for c in checks if c.problem is not None]
    for c in failed:
        typer.echo(f"事件 {c.incident_id}（{c.laptop}，{c.hall}）：校验失败！{c.problem}。")
    typer.echo(
        f"档案库共 {len(checks)} 个事件：{len(checks) - len(failed)} 个校验通过，"
        f"{len(failed)} 个校验失败。"
    )


def show_archive_init(where: str, done: Sequence[tuple[int, str]], grants: str) -> None:
    if done:
        names = "、".join(f"第 {n} 版（{name}）" for n, name in done)
        typer.echo(f"档案库 {where} 已建立/升级：{names}。")
    else:
        typer.echo(f"档案库 {where} 已是最新结构，无需改动。")
    typer.echo(
        "请用数据库属主账号执行以下语句，为三个账号授权（账号名可按中心习惯改动；"
        "账号本身用 CREATE ROLE … LOGIN 建立，密码放进各自电脑的 pgpass 文件）："
    )
    typer.echo(grants.rstrip("\n"))


def show_archive_key(laptop: str, public: str, fingerprint: str) -> None:
    typer.echo(f"本机电脑编号：{laptop}")
    typer.echo(f"本机公钥：{public}")
    typer.echo(f"公钥指纹：{fingerprint}")
    typer.echo("中心登记时请电话核对指纹：qdplan archive trust 电脑编号 公钥")


def show_archive_trust(laptop: str, fingerprint: str, added: bool) -> None:
    if added:
        typer.echo(f"已登记电脑 {laptop} 的公钥（指纹 {fingerprint}）。")
    else:
        typer.echo(f"电脑 {laptop} 的这把公钥（指纹 {fingerprint}）早已登记，未改动。")


@dataclass(frozen=True)
class FoundIncident:
    incident_id: str
    laptop: str
    hall: str
    created_at: str
    number: str
    name: str
    events: int
    finished: bool


def show_found(found: Sequence[FoundIncident], *, what: str) -> None:
    if not found:
        typer.echo(f"档案库中没有{what}。")
        return
    typer.echo(f"档案库中{what}共 {len(found)} 个：")
    for f in found:
        state = "已结束" if f.finished else "未结束"
        project = f"{f.number} {f.name}".strip() or "（未填项目）"
        typer.echo(
            f"  {f.incident_id}　{f.hall}（{f.laptop}）　{project}　{f.events} 条记录，{state}"
        )


def show_handover_written(path: Path, chains: Sequence[tuple[str, int, str]]) -> None:
    """``archive export``: the file and each incident's (id, events, short hash)."""
    events = sum(n for _, n, _ in chains)
    from qdplan_cli.local.files import protection

    guard = protection(path.parent)
    typer.echo(f"已写出交接文件 {path}：{len(chains)} 个事件，{events} 条记录（{guard.words}）。")
    if guard.warning:
        typer.echo(guard.warning)
    for incident_id, count, short in chains:
        typer.echo(f"  事件 {incident_id}：{count} 条，记录校验码 {short}")


# ----------------------------------------------------------------- the year in review


@dataclass(frozen=True)
class ReviewWritten:
    year: int
    incidents: int
    over_two_hours: int
    docx: Path
    json_path: Path
    json_text: str  # shown with --json (else "")
    xlsx: Path | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (incident, why)
    unchecked: bool = False  # read without names: the chains could not be re-checked


def show_review(result: ReviewWritten, *, as_json: bool) -> None:
    for incident_id, why in result.skipped:  # on stderr: the JSON on stdout stays whole
        typer.echo(f"事件 {incident_id}：记录未通过校验，未计入回顾！{why}", err=True)
    if as_json:
        typer.echo(result.json_text)
        return
    written = f"{result.docx}、{result.json_path}" + (f" 和 {result.xlsx}" if result.xlsx else "")
    typer.echo(
        f"{result.year}年度回顾：{result.incidents} 起突发情况，开标、评标中超过2小时 "
        f"{result.over_two_hours} 起。已写出 {written}。"
    )
    if result.skipped:
        typer.echo(f"共 {len(result.skipped)} 个事件的记录未通过校验，已跳过。", err=True)
    if result.unchecked:
        typer.echo(
            "（本账号不能读取姓名，各事件的校验链未重新计算；完整校验请用 archive verify。）"
        )

"""Commands of the incident log: ``incident``, ``resolve``, ``log``, ``list``, ``show``, ``export``.

Only typer and the standard library are imported at module level; the store, the engine, Rich
and questionary are imported inside the commands (start-up speed).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qdplan_cli.local.invocation import invoked_as
from qdplan_cli.plan.errors import UserError
from qdplan_cli.runtime import Runtime
from qdplan_cli.ui.options import IdArg
from qdplan_cli.ui.reports import say

if TYPE_CHECKING:
    from datetime import datetime

    from qdplan_cli.plan.model import Decision
    from qdplan_cli.plan.times import TimeReading
    from qdplan_cli.record.casefile import Project
    from qdplan_cli.record.chain import ChainReport
    from qdplan_cli.record.incident import Incident
    from qdplan_cli.record.store import Store
    from qdplan_cli.ui.console import Renderable
    from qdplan_cli.ui.wizard import Wizard


def _interactive() -> bool:
    """Questions need a terminal; without one the wizard must not wait for an answer."""
    return sys.stdin.isatty()


ID_PATTERN = re.compile(r"\d{8}-\d{4}-\d+")


def _load(store: Store, incident_id: str | None, *, name: bool = True) -> Incident:
    """The given incident, or the most recent one not set aside; named on stderr when it was
    not given, so the witness sees which incident a command acts on."""
    from qdplan_cli.record.incident import active_id, load

    target = load(store, active_id(store, incident_id))
    if incident_id is None and name:
        _name(target)
    return target


def _name(target: Incident) -> None:
    from qdplan_cli.record.events import project_summary

    say(f"事件 {target.id}：{project_summary(target.project)}", err=True)


def _project_file(path: Path) -> Project:
    """``--project FILE``: a TOML file with a ``[project]`` table (a case file will do)."""
    from qdplan_cli.record.casefile import load_case

    return load_case(path).project


def incident(
    resume: Annotated[
        bool,
        typer.Option("--resume", help="继续处理最近的（或给出编号的）事件。"),
    ] = False,
    incident_id: IdArg = None,
    case: Annotated[
        Path | None,
        typer.Option(help="从准备好的案例文件（TOML）开始一个新事件。", dir_okay=False),
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input", help="不提问：配合 --case 使用，记录事件并输出清单；缺少情况时退出码 2。"
        ),
    ] = False,
    project: Annotated[
        Path | None,
        typer.Option(
            help="项目信息文件（TOML，含 [project] 表，键同案例文件），用于预填项目信息。",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """开始（或继续）一次突发情况处置：逐项询问预案需要的情况，每答一项即保存并刷新处置清单。"""
    from qdplan_cli.ui.wording import WIZARD

    if incident_id is not None and not resume:
        raise UserError("给出事件编号时请同时使用 --resume", field="ID")
    if resume and case is not None:
        raise UserError("--resume 与 --case 不能同时使用", field="--case")
    if project is not None and (resume or case is not None):
        raise UserError("--project 只用于新事件（--case 文件自带 [project]）", field="--project")
    if no_input and case is None and not resume:
        raise UserError("--no-input 需要配合 --case 案例文件使用", field="--no-input")
    if not no_input and not _interactive():
        raise UserError(WIZARD["no_tty"], field="--case")

    rt = Runtime()
    with rt.open_store() as store:
        if resume:
            _resume(rt, store, incident_id, interactive=not no_input)
        elif case is not None:
            _start_from_case(rt, store, case, interactive=not no_input)
        else:
            _start_new(rt, store, project)


def _resume(rt: Runtime, store: Store, incident_id: str | None, *, interactive: bool) -> None:
    from qdplan_cli.ui.wizard import Wizard

    target = _load(store, incident_id)
    if not interactive:
        _print_and_check(rt, store, target.id)
        return
    wizard = Wizard.resuming(store, rt, target)
    _say_resume(rt, target)
    _run(wizard, wizard.run)


def _start_from_case(rt: Runtime, store: Store, path: Path, *, interactive: bool) -> None:
    from qdplan_cli.record.casefile import case_fingerprint, load_case
    from qdplan_cli.record.events import case_events
    from qdplan_cli.record.incident import find_imported, load
    from qdplan_cli.ui.wizard import Wizard

    now = rt.tick()
    prepared = load_case(path)
    # Everything is validated before anything is stored: the config (business hours, holidays,
    # contacts) and the engine's verdict. A refusal stores nothing, so a retry does not leave
    # one more incident behind.
    _ = rt.settings, rt.contacts
    decision = rt.decide(prepared.situation, prepared.situation.resolved_at or now)
    fingerprint = case_fingerprint(prepared)
    existing = find_imported(store, fingerprint)
    if existing is not None:
        # The same case file twice is one incident: the second import resumes the first.
        say(f"此案例文件已导入为事件 {existing}（内容相同），未重复建立；继续该事件", err=True)
        if not interactive:
            _print_and_check(rt, store, existing)
            return
        wizard = Wizard.resuming(store, rt, load(store, existing))
        _run(wizard, wizard.run)
        return
    if not interactive and decision.missing:
        # --no-input with a needed fact missing: the checklist so far is printed and nothing
        # is stored (exit 2); the same file, completed, is imported once it says what the plan
        # needs (README, 案例文件).
        from qdplan_cli.record.events import project_summary
        from qdplan_cli.ui.console import print_checklist

        title = f"{project_summary(prepared.project)}（未建立事件记录）"
        print_checklist(decision, contacts=rt.contacts, title=title)
        _missing(decision, stored=False)
    events = case_events(prepared, now, f"case:{path.name}", case_hash=fingerprint)
    new_id = store.create_incident(now, events, now)
    if not interactive:
        _print_and_check(rt, store, new_id)
        return
    wizard = Wizard.resuming(store, rt, load(store, new_id))
    _say_created(new_id)
    _run(wizard, wizard.run)


def _start_new(rt: Runtime, store: Store, project: Path | None) -> None:
    from qdplan_cli.record.incident import active_id, load
    from qdplan_cli.ui.wizard import Wizard

    prefill: Project | None = None
    if project is not None:
        prefill, from_file = _project_file(project), True
    else:
        # The last incident's project is offered (never recorded unless the witness picks it).
        from_file = False
        if store.incident_ids():
            try:
                prefill = load(store, active_id(store, None)).project
            except UserError:  # every incident set aside
                prefill = None
    # Nothing is stored yet: the incident is created by the first answer (the project).
    wizard = Wizard(store, rt, None, prefill=prefill, prefill_from_file=from_file)
    _run(wizard, wizard.start)


def _say_created(incident_id: str) -> None:
    from qdplan_cli.ui.prompts import hint
    from qdplan_cli.ui.wording import WIZARD

    hint(WIZARD["created"].format(id=incident_id))


def _say_resume(rt: Runtime, target: Incident) -> None:
    from qdplan_cli.plan.labels import terms
    from qdplan_cli.plan.times import format_dt
    from qdplan_cli.record.events import project_summary
    from qdplan_cli.ui.console import print_note
    from qdplan_cli.ui.wording import WIZARD

    print_note(WIZARD["resume"].format(id=target.id, summary=project_summary(target.project)))
    now = rt.tick()
    if target.resolved_at is not None:
        print_note(WIZARD["already_resolved"].format(at=format_dt(target.resolved_at)))
        return
    decision = rt.decide_incident(target)
    line = decision.two_hour_line
    away_since = target.last_recorded_at
    if line is not None and away_since is not None and away_since < line <= now:
        words = terms(target.project.type)
        print_note(WIZARD["line_passed"].format(line=format_dt(line), **words), style="bold red")


def _run(wizard: Wizard, step: Callable[[], None]) -> None:
    from qdplan_cli.ui.prompts import set_status
    from qdplan_cli.ui.wording import WIZARD

    try:
        step()
    except (KeyboardInterrupt, EOFError):
        if wizard.incident_id is None:
            say("\n" + WIZARD["not_created"], err=True)
        else:
            say(
                "\n" + WIZARD["interrupted"].format(id=wizard.incident_id, prog=invoked_as()),
                err=True,
            )
        raise typer.Exit(130) from None
    finally:
        set_status(None)  # the block reads this wizard's store: not past its run
    say(WIZARD["finished"].format(id=wizard.incident_id, prog=invoked_as()))


def _print_and_check(rt: Runtime, store: Store, incident_id: str) -> None:
    """Non-interactive: print the checklist; a needed fact still missing is an error."""
    from qdplan_cli.record.events import project_summary
    from qdplan_cli.record.incident import done_steps, load
    from qdplan_cli.ui.console import print_checklist

    target = load(store, incident_id)
    decision = rt.decide_incident(target)
    print_checklist(
        decision,
        contacts=rt.contacts,
        title=f"事件 {target.id} · {project_summary(target.project)}",
        resolved_at=target.resolved_at,
        ticks=done_steps(target, decision),
    )
    say(f"事件编号：{target.id}")
    if decision.missing:
        _missing(decision, stored=True)


def _missing(decision: Decision, *, stored: bool) -> None:
    """A needed fact is missing (exit 2), saying whether anything was stored."""
    from qdplan_cli.plan.labels import FACT_LABELS
    from qdplan_cli.ui.wording import WIZARD

    fact = decision.missing[0]
    message = WIZARD["need_fact"].format(label=FACT_LABELS[fact], key=fact.value)
    if not stored:
        message += "。未建立事件记录（补全后重新导入）"
    raise UserError(message, field=f"incident.{fact.value}")


def _read_at(
    at: str | None, now: datetime, what: str, onset: datetime | None = None
) -> TimeReading | None:
    """``--at`` of every command through the one time policy (``plan.times.read_when``): the
    one parser (``9:20`` is today), the one future rule, the one not-before-the-onset rule. A
    reading that filled in the date is said back."""
    if at is None:
        return None
    from qdplan_cli.plan.times import read_when

    reading = read_when(at, "--at", now, what, onset=onset)
    if reading.said_back:
        say(f"--at：{reading.said_back}", err=True)
    return reading


def resolve(
    incident_id: IdArg = None,
    at: Annotated[
        str | None, typer.Option("--at", help="故障排除时间（默认：现在），如 2026-12-08 10:40。")
    ] = None,
    undo: Annotated[
        bool,
        typer.Option(
            "--undo", help="撤销排除记录（记错了，故障尚未排除）；记作一条更正，原记录保留。"
        ),
    ] = False,
) -> None:
    """记录故障已排除：清单按排除时间定格，此后再看结论不变；再次记录即更正排除时间。"""
    from qdplan_cli.plan.times import check_not_before_onset, format_dt
    from qdplan_cli.record.events import resolved_event

    rt = Runtime()
    now = rt.now
    reading = _read_at(at, now, "故障排除时间")  # the future rule first: no store needed
    when = reading.at if reading is not None else now
    with rt.open_store() as store:
        target = _load(store, incident_id)
        check_not_before_onset(when, target.started_at, "--at", "故障排除时间")
        if undo:
            if target.resolved_at is None:
                raise UserError(f"事件 {target.id} 尚未记录故障排除，无需撤销", field="--undo")
            row = store.append(target.id, resolved_event(now, None, target.resolved_at), now)
            say(f"已记录 [{target.id} #{row.seq}] {row.text}")
            return
        if target.resolved_at is not None and _same_minute(when, target.resolved_at):
            say(f"事件 {target.id} 已记录故障于 {format_dt(when)} 排除，无需再记")
            return
        row = store.append(target.id, resolved_event(now, when, target.resolved_at), now)
        corrected = target.resolved_at is not None
        target = _load(store, target.id)
    if corrected:  # a later event says old → new; the first is kept
        say(f"已更正：事件 {target.id}：{row.text}")
    else:
        say(f"已记录：事件 {target.id} 的故障于 {format_dt(when)} 排除")
    decision = rt.decide_incident(target)
    _summary_first(rt, target, decision, [_checklist(rt, target, decision)])


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def log(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[编号] 内容",
            help='[事件编号] 内容，如：qdplan log "已通知保障人员张三"；省略编号时记入最近的事件。',
            show_default=False,
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option("--at", help="此事发生的时间（默认：现在），如 2026-12-08 09:13。"),
    ] = None,
) -> None:
    """在事件时间线上记一笔（带完整日期和时间，北京时间）。"""
    from qdplan_cli.plan.times import format_dt_seconds
    from qdplan_cli.record.events import log_event

    if len(args) > 2:
        raise UserError("最多两个参数：[事件编号] 内容（内容含空格时请加引号）", field="内容")
    incident_id, text = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    if incident_id is None and ID_PATTERN.fullmatch(text.strip()):
        raise UserError(
            f"缺少内容：{text.strip()} 是事件编号；用法 qdplan log [编号] 内容", field="内容"
        )
    if not text.strip():
        raise UserError("内容为空", field="内容")
    rt = Runtime()
    now = rt.now
    with rt.open_store() as store:
        found = _load(store, incident_id, name=False)  # the line printed names it
        reading = _read_at(at, now, "此事发生时间", found.started_at)
        when = reading.at if reading is not None else now
        target = found.id
        row = store.append(target, log_event(when, text), now)
    # Printed only after the commit returned: a line on screen is a line on disk.
    say(f"已记录 [{target} #{row.seq}] {format_dt_seconds(when)} {row.text}")


def _warn(target: Incident, report: ChainReport | None) -> None:
    from qdplan_cli.ui.reports import warn_record

    warn_record(target.id, report.problem if report is not None else None, target.damaged)


def list_incidents(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="也列出已作废（qdplan discard）的事件。")
    ] = False,
) -> None:
    """列出事件（最早的在前）；已作废的事件默认不列出；记录未通过校验的事件以红字警告。"""
    from qdplan_cli.record.checks import check_incident, check_ledger
    from qdplan_cli.record.incident import load
    from qdplan_cli.ui.reports import show_incident_list
    from qdplan_cli.ui.rows import IncidentRow

    rt = Runtime()
    rows: list[IncidentRow] = []
    with rt.open_store() as store:
        ledger = check_ledger(store)
        hidden = 0
        for incident_id in store.incident_ids():
            target = load(store, incident_id)
            if target.discarded is not None and not show_all:
                hidden += 1
                continue
            _warn(target, check_incident(store, incident_id, ledger))
            decision: Decision | None
            try:
                decision = rt.decide_incident(target)
            except UserError as exc:  # a stored record the engine now refuses: list it anyway
                say(f"注意：事件 {incident_id}：{exc}", err=True)
                decision = None
            rows.append(
                IncidentRow(
                    id=target.id,
                    project=target.project.name,
                    project_number=target.project.number,
                    stage=target.situation.stage.value if target.situation.stage else None,
                    fault=target.situation.fault.value if target.situation.fault else None,
                    started_at=target.started_at,
                    resolved_at=target.resolved_at,
                    created_at=target.created_at,
                    outcome=decision.outcome.value if decision else None,
                    plan=decision.plan if decision else None,
                    missing=tuple(f.value for f in decision.missing) if decision else (),
                    project_type=target.project.type.value,
                )
            )
    show_incident_list(rows, as_json=as_json)
    if hidden and not as_json:
        say(f"另有 {hidden} 个已作废的事件未列出（qdplan list --all 可显示）", err=True)


def _checklist(rt: Runtime, target: Incident, decision: Decision) -> Renderable:
    from qdplan_cli.record.incident import done_steps
    from qdplan_cli.ui.console import checklist

    return checklist(
        decision,
        contacts=rt.contacts,
        resolved_at=target.resolved_at,
        ticks=done_steps(target, decision),
    )


def _summary_first(
    rt: Runtime, target: Incident, decision: Decision, rest: list[Renderable]
) -> None:
    """The conclusion, the next open steps with names and numbers and the 2-hour line first,
    then ``rest``; paged on a terminal when it is taller than the screen."""
    from qdplan_cli.plan.order import out_of_order
    from qdplan_cli.record.events import project_summary
    from qdplan_cli.ui.console import print_summary_first
    from qdplan_cli.ui.status import StatusInput, fit, status_lines

    found = out_of_order(target.situation, decision)
    state = StatusInput(
        decision,
        target.ticks,
        rt.contacts or {},
        target.resolved_at,
        alarms=tuple(hit.short for hit in found),
        acts=target.acts,
        situation=target.situation,
    )
    now = rt.now

    def summary(width: int) -> list[tuple[str, str]]:
        head = ("bold", fit(f"事件 {target.id} · {project_summary(target.project)}", width - 1))
        return [head, *status_lines(state, now, width)]

    print_summary_first(summary, rest)


def show(incident_id: IdArg = None) -> None:
    """显示一个事件：先是结论、下一步和2小时节点，再是项目、时间线（完整日期时间）和处置清单；
    在终端中超过一屏时分页显示（按 q 退出）。"""
    from qdplan_cli.plan.times import format_dt
    from qdplan_cli.record.events import project_summary
    from qdplan_cli.record.incident import load_checked
    from qdplan_cli.ui.console import timeline

    rt = Runtime()
    with rt.open_store() as store:
        target, report = load_checked(store, incident_id)
    if incident_id is None:
        _name(target)
    _warn(target, report)
    decision = rt.decide_incident(target)
    lines = [
        f"项目：{project_summary(target.project)}",
        f"故障发生：{format_dt(target.started_at)}",
        f"故障排除：{format_dt(target.resolved_at) if target.resolved_at else '尚未排除'}",
    ]
    if target.discarded is not None:
        lines.append(f"已作废：{target.discarded}")
    entries = [(e.at, e.text) for e in sorted(target.log, key=lambda e: e.at)]
    rest = [timeline(f"事件 {target.id}", lines, entries), _checklist(rt, target, decision)]
    _summary_first(rt, target, decision, rest)


def export(
    incident_id: IdArg = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="写入此文件（含保密名单：Linux 上仅本人可读写，0600）；省略时输出到标准输出。",
            dir_okay=False,
        ),
    ] = None,
    allow_broken: Annotated[
        bool,
        typer.Option(
            "--allow-broken",
            help="记录未通过校验（qdplan verify）时仍导出；文件头注明“未通过校验”。",
        ),
    ] = False,
) -> None:
    """把事件导出为案例文件（TOML），decide --case 与 render --case 可直接使用。

    文件头记有事件编号、记录校验码和内容校验码：render --case 据此说明文件来自哪条记录、导出后是否被改过。
    记录未通过校验时拒绝导出（退出码 1），除非加 --allow-broken。"""
    import tomli_w

    from qdplan_cli.local.files import write_atomically
    from qdplan_cli.plan.errors import ChainBrokenError
    from qdplan_cli.record.casefile import case_to_dict, export_header
    from qdplan_cli.record.chain import SHORT_HASH
    from qdplan_cli.record.incident import load_checked

    with Runtime().open_store() as store:
        target, report = load_checked(store, incident_id)
    if report.problem is not None and not allow_broken:
        raise ChainBrokenError(
            f"事件 {target.id} 的记录未通过校验：{report.problem}。未导出：导出的文件会把改动过的"
            f"记录当作新的记录。用 qdplan verify {target.id} 查看；确需导出时加 --allow-broken",
            field="ID",
        )
    _warn(target, report)
    text = tomli_w.dumps(case_to_dict(target.case()))
    record = report.head[:SHORT_HASH] if report.problem is None else "未通过校验"
    header = export_header(target.id, record, text)
    if out is None:
        _private_stdout()
        sys.stdout.write(header + text)
        sys.stdout.flush()
        return
    try:
        write_atomically(out, (header + text).encode("utf-8"), private=True)
    except OSError as exc:
        from qdplan_cli.documents.publish import write_error

        raise write_error(exc, out) from None
    say(f"已导出事件 {target.id} 到 {out}", err=True)


def _private_stdout() -> None:
    """``qdplan export > case.toml``: the shell created the file; make it owner-only too."""
    import contextlib
    import stat

    with contextlib.suppress(OSError, AttributeError, ValueError, NotImplementedError):
        fd = sys.stdout.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)


def tick(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            help="[事件编号] 步骤序号（清单中 □ 后的数字），如：qdplan tick 3；省略序号时列出步骤。",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="完成时间（默认：现在），如 2026-12-08 09:20。")
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="撤销此步骤的勾选（记作一条更正，原记录保留）。")
    ] = False,
) -> None:
    """勾选清单中已完成的步骤（记入时间线；再次勾选即更正完成时间）。"""
    from qdplan_cli.plan.progress import tick_time
    from qdplan_cli.plan.times import format_dt
    from qdplan_cli.record.events import tick_event
    from qdplan_cli.record.incident import done_steps, steps_of
    from qdplan_cli.ui.console import print_checklist

    words = list(args or [])
    if len(words) > 2:
        raise UserError("最多两个参数：[事件编号] 步骤序号", field="步骤")
    incident_id = words.pop(0) if len(words) == 2 else None
    number = words[0] if words else None
    if number is not None and ID_PATTERN.fullmatch(number.strip()):
        incident_id, number = number, None
    rt = Runtime()
    now = rt.now
    with rt.open_store() as store:
        target = _load(store, incident_id)
        decision = rt.decide_incident(target)
        steps = steps_of(target, decision)
        if number is None:
            print_checklist(
                decision,
                contacts=rt.contacts,
                resolved_at=target.resolved_at,
                ticks=done_steps(target, decision),
            )
            return
        if not number.strip().isdigit() or not 1 <= int(number) <= len(steps):
            raise UserError(
                f"没有第 {number.strip()} 步；清单共 {len(steps)} 步（qdplan tick 可列出）",
                field="步骤",
            )
        step = steps[int(number) - 1].step
        old = tick_time(target.ticks, step)
        when: datetime | None
        if undo:
            if old is None:
                raise UserError(f"第 {number} 步尚未勾选，无需撤销", field="--undo")
            when = None
        else:
            reading = _read_at(at, now, "完成时间", target.started_at)
            when = reading.at if reading is not None else now
            if when == old:
                say(f"第 {number} 步已记为 {format_dt(old)} 完成，未改动")
                return
        row = store.append(target.id, tick_event(now, step.key, step.text, when, old), now)
    say(f"已记录 [{target.id} #{row.seq}] {row.text}")


def discard(
    incident_id: Annotated[str, typer.Argument(help="要作废的事件编号（须明确给出）。")],
    reason: Annotated[
        str, typer.Option("--reason", help="作废原因，如：误操作创建的测试记录。")
    ] = "",
) -> None:
    """把一个事件标为作废（记一条事件，不删除任何记录；哈希链照常校验）；list 默认不再列出。"""
    from qdplan_cli.record.events import discard_event

    if not reason.strip():
        raise UserError("请用 --reason 说明作废原因", field="--reason")
    rt = Runtime()
    now = rt.now
    with rt.open_store() as store:
        target = _load(store, incident_id)
        if target.discarded is not None:
            raise UserError(f"事件 {target.id} 已作废（{target.discarded}）", field="ID")
        store.append(target.id, discard_event(now, reason), now)
    say(f"已作废事件 {target.id}（原因：{reason.strip()}）；记录保留，qdplan list --all 可见")


def watch(
    incident_id: IdArg = None,
    interval: Annotated[
        float, typer.Option("--interval", help="检查新记录的间隔秒数。", min=0.2)
    ] = 1.0,
) -> None:
    """只读的全屏看板（第二块屏幕、监管人员电脑用）：项目、环节、故障、2小时倒计时、步骤和最新经过，
    其他终端记下的内容随即显示。按 Ctrl-C 退出。"""
    from qdplan_cli.record.incident import load
    from qdplan_cli.ui.watch import Board, run_board

    rt = Runtime()
    with rt.open_store() as store:
        target_id = _load(store, incident_id).id

        def board() -> Board:
            target = load(store, target_id)
            return Board(target, rt.decide_incident(target), rt.contacts or {})

        def version() -> int:
            return len(store.events(target_id))

        try:
            run_board(board, version, rt.tick, interval)
        except KeyboardInterrupt:
            raise typer.Exit(0) from None


def register(app: typer.Typer) -> None:
    app.command()(incident)
    app.command()(resolve)
    app.command()(log)
    app.command("list")(list_incidents)
    app.command()(show)
    app.command()(export)
    app.command()(tick)
    app.command()(discard)
    app.command()(watch)

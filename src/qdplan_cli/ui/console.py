"""The terminal edge: the Rich checklist of a ``Decision``. The only module that imports rich."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.pager import SystemPager
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from qdplan_cli.plan.labels import (
    FAULT_LABELS,
    PLAN_NUMERALS,
    PROJECT_TYPE_LABELS,
    clause_label,
    document_label,
    fact_label,
    outcome_label,
    plan_label,
    role_label,
    stage_label,
    step_citation,
    terms,
)
from qdplan_cli.plan.model import PUBLIC_DOCUMENTS, Decision, ProjectType, Role, StepKind
from qdplan_cli.plan.times import format_dt, format_dt_seconds, format_duration
from qdplan_cli.ui.conhost import glyphs, narrow
from qdplan_cli.ui.terminal_text import terminal_text

if TYPE_CHECKING:
    from qdplan_cli.local.config import Config
    from qdplan_cli.plan.fees import FeeSheet

# Sections of the checklist, in the order a witness acts on them.
SECTIONS: tuple[tuple[str, tuple[StepKind, ...]], ...] = (
    ("立即通知", (StepKind.CALL,)),
    ("排除故障与尝试", (StepKind.TRY,)),
    ("说明情况", (StepKind.TELL,)),
    ("决定", (StepKind.DECIDE,)),
    ("文书、公告与备案", (StepKind.PUBLISH, StepKind.FILE)),
    ("持续事项（保密、专家费）", (StepKind.KEEP,)),
    ("书面记录与签字", (StepKind.RECORD,)),
)

Contact = tuple[str, str]  # (name, phone)


# Below this many columns, tables are stacked (one fact a line) instead of side by side.
NARROW = 80


class _SafeConsole(Console):
    """A console that never passes an escape sequence or control character from the text it
    shows (stored text: see ``terminal_text``); its own styling and cursor controls go out."""

    def render(self, renderable: Any, options: Any = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(terminal_text(segment.text), segment.style, segment.control)


def make_console(stderr: bool = False) -> Console:
    # Box-drawing and marks used here all exist in GBK, the code page of many Chinese consoles.
    # On a console that draws them two cells wide (conhost, CJK code page), what is left of them
    # after the ASCII marks below is narrowed on its way out (ui.conhost).
    return _SafeConsole(stderr=stderr, highlight=False, soft_wrap=False, emoji=False)


class _NarrowPager(SystemPager):
    """The system pager (less, more) is a terminal writer of its own: in ASCII mode what it
    shows is narrowed too (ui.conhost)."""

    def show(self, content: str) -> None:
        super().show(narrow(content) if glyphs().ascii else content)


def _box(unicode_box: box.Box) -> box.Box:
    return box.ASCII if glyphs().ascii else unicode_box


def _roles(roles: Sequence[Role], decision: Decision) -> str:
    return "、".join(role_label(r, decision.project_type) for r in roles)


def _contact_line(
    role: Role, decision: Decision, contacts: Mapping[Role, Sequence[Contact]]
) -> str:
    people = contacts.get(role, ())
    label = role_label(role, decision.project_type)
    if not people:
        return label
    return label + "：" + "；".join(f"{name} {phone}".strip() for name, phone in people)


def checklist(
    decision: Decision,
    *,
    contacts: Mapping[Role, Sequence[Contact]] | None = None,
    title: str = "开评标应急处置清单",
    resolved_at: datetime | None = None,
    ticks: Mapping[str, datetime] | None = None,
) -> Panel:
    """The whole checklist as one renderable. With ``resolved_at`` the clock has stopped; a
    step in ``ticks`` (step id → when) is marked √ with its time. Steps are numbered as
    ``qdplan tick`` takes them."""
    from qdplan_cli.record.incident import numbered_steps

    contacts = contacts or {}
    ticks = ticks or {}
    g = glyphs()
    numbers = {id(step): (n, sid) for n, sid, step in numbered_steps(decision)}
    parts: list[Text | Table] = []
    head = Text()
    head.append("结论：", style="bold")
    head.append(outcome_label(decision.outcome, decision.project_type), style="bold red")
    if decision.plan:
        head.append(
            f" — {plan_label(decision.plan, decision.stage, decision.project_type)}", style="bold"
        )
    parts.append(head)

    situation = []
    if decision.stage:
        situation.append(f"环节：{stage_label(decision.stage, decision.project_type)}")
    if decision.fault:
        situation.append(f"故障：{FAULT_LABELS[decision.fault]}")
    situation.append(f"项目类型：{PROJECT_TYPE_LABELS[decision.project_type]}")
    parts.append(Text(" · ".join(situation)))
    if resolved_at is not None:
        parts.append(
            Text(f"故障已于 {format_dt(resolved_at)} 排除：清单按排除时定格", style="bold green")
        )
    elif decision.now:
        parts.append(Text(f"当前时间：{format_dt(decision.now)}", style="dim"))
    parts.append(_clock(decision))

    if decision.missing:
        ask = Text()
        ask.append("尚需确认：", style="bold yellow")
        ask.append(
            "；".join(
                fact_label(f, decision.project_type, decision.stage) for f in decision.missing
            )
        )
        parts.append(ask)

    for title_text, kinds in SECTIONS:
        steps = [s for s in decision.steps if s.kind in kinds]
        if not steps:
            continue
        table = Table(
            box=None, show_header=False, padding=(0, 1), expand=True, title_justify="left"
        )
        table.title = title_text
        table.title_style = "bold cyan"
        table.add_column("mark", width=len(g.todo) + 2, no_wrap=True)
        table.add_column("text", ratio=1, overflow="fold")
        table.add_column("clause", no_wrap=True, style="dim", justify="right")
        for step in steps:
            line = Text(step.text)
            if step.by or step.to:
                who = f"负责：{_roles(step.by, decision)}" if step.by else ""
                if step.to:
                    # The number to call, beside the step that needs it.
                    who += f" {g.arrow} 对象：" + "、".join(
                        _contact_line(r, decision, contacts) for r in step.to
                    )
                line.append("\n" + who.strip(), style="dim")
            number, sid = numbers[id(step)]
            done = ticks.get(sid)
            if done is not None:
                line.append(f"\n{g.done} 已于 {format_dt(done)} 完成", style="green")
            mark = f"{g.done if done else g.todo}{number}"
            # 参照 / 解读 mark a reading of ours; the plan's own word cites 依据.
            cite = step_citation(step)
            if cite == clause_label(step.clause):
                cite = f"依据 {cite}"
            table.add_row(mark, line, cite)
        parts.append(table)

    if decision.notify:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.title = "联系人"
        table.title_style = "bold cyan"
        table.add_column("mark", width=len(g.todo) + 1, no_wrap=True)
        table.add_column("who", ratio=1, overflow="fold")
        for role in decision.notify:
            table.add_row(
                g.chosen if contacts.get(role) else g.todo,
                _contact_line(role, decision, contacts),
            )
        parts.append(table)

    if decision.allowed_plans:
        plans = Text()
        plans.append("可选方案：", style="bold")
        for number in decision.allowed_plans:  # 4.2.2, 5.2: a system fault never offers 方案一
            mark = g.chosen if decision.plan == number else g.todo
            plans.append(f"\n  {mark} {plan_label(number, decision.stage, decision.project_type)}")
        if len(decision.allowed_plans) < 3:
            plans.append("\n  （电子交易系统故障只能选择方案二或方案三）", style="dim")
        parts.append(plans)

    if decision.documents:
        docs = Text()
        docs.append("须形成的文书：", style="bold")
        docs.append(
            "、".join(
                document_label(d, decision.project_type)
                + ("（公开）" if d in PUBLIC_DOCUMENTS else "")
                for d in decision.documents
            )
        )
        parts.append(docs)
    if decision.signatories:
        parts.append(Text(f"记录签字：{_roles(decision.signatories, decision)}"))
    if decision.earliest_new_time:
        parts.append(
            Text(f"原则上的最早新时间：{format_dt(decision.earliest_new_time)}", style="bold green")
        )
    if decision.suggested_new_time:
        parts.append(Text(f"建议的新时间：{format_dt(decision.suggested_new_time)}"))

    for warning in decision.warnings:
        parts.append(Text(f"{g.note} {warning}", style="bold yellow"))

    return Panel(Group(*parts), title=title, box=_box(box.SQUARE), expand=True)


def _time_left(text: Text, line: datetime, now: datetime | None) -> None:
    if now is None:
        return
    left = line - now
    if left.total_seconds() > 0:
        text.append(f"（剩余 {format_duration(left)}）", style="bold")
    else:
        text.append(f"（已超过 {format_duration(-left)}）", style="bold red")


def _clock(decision: Decision) -> Text:
    text = Text()
    deadline = decision.bid_deadline
    if deadline is not None:
        # 4.1.x: what happens turns on whether the fault is fixed before the bid deadline.
        text.append(f"{terms(decision.project_type)['deadline']}：", style="bold")
        text.append(f"{format_dt(deadline)} 前未修复 {glyphs().arrow} 出具延迟开标公告")
        if decision.fixed_before_deadline is None:
            _time_left(text, deadline, decision.now)
        return text
    line = decision.two_hour_line
    if line is None:
        return text
    text.append("2小时节点：", style="bold")
    # 4.2.2, 5.2: a system fault allows plans 2 and 3 only; the header says so too.
    from qdplan_cli.plan.decide import allowed_plans

    assert decision.stage is not None and decision.fault is not None
    allowed = allowed_plans(decision.stage, decision.fault)
    names = "、".join(PLAN_NUMERALS[p] for p in allowed)
    which = "三种方案中选择一种" if len(allowed) == 3 else f"{names}中选择"
    tenderer = role_label(Role.TENDERER, decision.project_type)
    text.append(f"{format_dt(line)} 前未恢复 {glyphs().arrow} {tenderer}可在{which}")
    if decision.within_2h is not True:
        _time_left(text, line, decision.now)
    return text


# What the commands pass around to print, without importing Rich themselves.
Renderable = RenderableType

# The status block's styles (``ui.status``) in Rich: ``show``, ``resolve`` and ``watch``.
STATUS_STYLES = {
    "bold": "bold",
    "warn": "yellow",
    "alarm": "bold white on red",
    "ok": "green",
    "dim": "dim",
}


def print_summary_first(
    summary: Callable[[int], Sequence[tuple[str, str]]], rest: Sequence[RenderableType]
) -> None:
    """The summary (status lines for a width), then the rest. On a terminal where the whole
    does not fit, it goes through the pager, and the summary is printed again after it, so the
    conclusion stays on screen when the pager is left."""
    console = make_console()
    head = [
        Text(text, style=STATUS_STYLES.get(style, "")) for style, text in summary(console.width)
    ]
    whole = Group(*head, Text(""), *rest)
    if console.is_terminal:
        height = len(console.render_lines(whole, pad=False))
        if height > console.size.height - 2:
            import os

            os.environ.setdefault("LESS", "-R")  # less shows the colours, q goes back
            with console.pager(_NarrowPager(), styles=True):
                console.print(whole)
            for line in head:
                console.print(line)
            return
    console.print(whole)


def print_checklist(
    decision: Decision,
    contacts: Mapping[Role, Sequence[Contact]] | None = None,
    *,
    title: str = "开评标应急处置清单",
    resolved_at: datetime | None = None,
    ticks: Mapping[str, datetime] | None = None,
    page: bool = False,
) -> None:
    """The checklist; with ``page``, through the pager when taller than the terminal."""
    console = make_console()
    panel = checklist(
        decision, contacts=contacts, title=title, resolved_at=resolved_at, ticks=ticks
    )
    if page and console.is_terminal:
        height = len(console.render_lines(panel, pad=False))
        if height > console.size.height - 2:
            import os

            os.environ.setdefault("LESS", "-R")  # less shows the colours, q goes back
            with console.pager(_NarrowPager(), styles=True):
                console.print(panel)
            return
    console.print(panel)


def print_config(config: Config) -> None:
    console = make_console()
    table = Table(box=_box(box.SQUARE), show_header=False, title="qdplan 配置", expand=True)
    table.add_column("项", no_wrap=True, style="bold")
    table.add_column("值", ratio=1, overflow="fold")
    table.add_row(
        "配置文件",
        str(config.path)
        if config.path
        else "（未创建，使用默认值；qdplan config init 可写出模板）",
    )
    table.add_row(
        "交易大厅", config.hall_name + (f"（{config.hall_address}）" if config.hall_address else "")
    )
    table.add_row("工作时间", f"{config.business_start:%H:%M}–{config.business_end:%H:%M}")
    for ptype, name in config.supervisors.items():
        table.add_row(f"监管部门（{PROJECT_TYPE_LABELS[ptype]}）", name)
    for role, people in config.contacts.items():
        table.add_row(
            role_label(role),
            "\n".join(" ".join(x for x in (p.name, p.phone, p.note) if x) for p in people),
        )
    if not config.contacts:
        table.add_row("联系人", "（未配置；清单中将只显示角色）")
    fees = config.fees
    table.add_row(
        "专家费标准",
        f"{fees.source}：{fees.base_hours}小时以内 {fees.base_amount}元；每增加1小时 {fees.hourly_amount}元；"
        f"不足1小时满{fees.part_hour_minutes}分钟按1小时、不足{fees.part_hour_minutes}分钟 {fees.part_hour_under_amount}元；"
        f"每日最高 {fees.daily_cap}元；到场未能评审 {fees.no_evaluation_amount}元。{fees.caution}",
    )
    table.add_row("节假日日历", str(config.calendar_file) if config.calendar_file else "（未配置）")
    console.print(table)


def print_fee_sheet(sheet: FeeSheet, project_type: ProjectType = ProjectType.CONSTRUCTION) -> None:
    console = make_console()
    experts = role_label(Role.EXPERTS, project_type)
    # Stacked, one block per group of experts: readable at 60 columns and when piped (a
    # seven-column table left its 计算 column one character wide).
    console.print(Text(f"{experts}劳务费计算", style="bold"))
    for i, line in enumerate(sheet.lines, start=1):
        a = line.attendance
        console.print(Text(f"{i}. {a.count} 人", style="bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column("项", no_wrap=True, style="dim")
        grid.add_column("值", ratio=1, overflow="fold")
        grid.add_row("  到达", format_dt(a.arrived_at))
        grid.add_row("  结束", format_dt(a.left_at))
        grid.add_row("  计算", line.explanation)
        grid.add_row("  金额", f"每人 {line.per_expert}元 × {a.count} 人 = {line.total}元")
        console.print(grid)
    console.print(Text(f"合计：{sheet.experts} 人，{sheet.total}元", style="bold"))
    console.print(Text(f"标准：{sheet.schedule.source}。{sheet.schedule.caution}"))
    words = terms(project_type)
    console.print(
        Text(
            f"等候故障修复期间{words['fee']}按时计取；专家确实不能继续的，按实际时间计取和支付；"
            f"{words['agency']}不得以任何理由少计或不支付{words['fee']}"
            f"（依据 {clause_label('5.1')}、{clause_label('4.4')}、{clause_label('5.5')}）。",
            style="bold",
        )
    )


def print_note(text: str, *, style: str = "bold", stderr: bool = False) -> None:
    """One line for the user (a status, a warning), styled when the terminal allows."""
    make_console(stderr=stderr).print(Text(text, style=style))


def timeline(title: str, lines: Sequence[str], entries: Sequence[tuple[datetime, str]]) -> Panel:
    """An incident's header lines and its timeline, each entry with its full date and time."""
    console = make_console()
    body: list[Text | Table] = [Text(line) for line in lines]
    if console.width >= NARROW:
        table = Table(box=_box(box.SIMPLE_HEAD), expand=True, show_edge=False)
        table.add_column("时间", no_wrap=True, style="cyan")
        table.add_column("经过", ratio=1, overflow="fold")
        for at, text in entries:
            table.add_row(format_dt_seconds(at), text)
        body.append(table)
    else:  # a narrow console: each entry's time on its own line, the text below it
        body.append(Text("时间线：", style="bold"))
        for at, text in entries:
            body.append(Text(format_dt_seconds(at), style="cyan"))
            grid = Table.grid()
            grid.add_column(width=2, no_wrap=True)
            grid.add_column(ratio=1, overflow="fold")
            grid.add_row("", text)
            body.append(grid)
    return Panel(Group(*body), title=title, box=_box(box.SQUARE), expand=True)


def print_incidents(rows: Sequence[Sequence[str]]) -> None:
    """The ``qdplan list`` lines: id and project, then situation, onset and outcome (any width).

    Each row is (id, project, stage, fault, started, outcome); oldest first."""
    console = make_console()
    for incident_id, project, stage, fault, started, outcome in rows:
        head = Text()
        head.append(incident_id, style="bold cyan")
        head.append("  " + project)
        console.print(head)
        detail = f"    {stage} · {fault} · 发生于 {started} · {outcome}"
        if cell_len(detail) <= console.width:
            console.print(Text(detail, style="dim"))
        else:  # too narrow for one line: one fact a line, never broken mid-date
            for part in (f"{stage} · {fault}", f"发生于 {started}", outcome):
                grid = Table.grid()
                grid.add_column(width=4, no_wrap=True)
                grid.add_column(ratio=1, overflow="fold", style="dim")
                grid.add_row("", part)
                console.print(grid)

"""``qdplan watch``: a read-only, full-screen Rich Live board of one incident.

For a second screen or the supervisor's laptop: project, stage, fault, the live 2-hour
countdown, the steps √/□, the last lines of the timeline. The store is read again whenever
its event count changes (another process's ``log`` or ``tick`` included); the countdown is
redrawn every second from the clock it is given. Nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich import box
from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from qdplan_cli.plan.labels import FAULT_LABELS, stage_label
from qdplan_cli.plan.model import Decision, Role
from qdplan_cli.plan.times import format_dt_seconds
from qdplan_cli.record.events import project_summary
from qdplan_cli.record.incident import Incident, done_steps, numbered_steps
from qdplan_cli.ui.conhost import glyphs
from qdplan_cli.ui.console import STATUS_STYLES, make_console
from qdplan_cli.ui.status import StatusInput, fit, status_lines


@dataclass(frozen=True)
class Board:
    incident: Incident
    decision: Decision
    contacts: Mapping[Role, Sequence[tuple[str, str]]]


def render_board(board: Board, now: datetime, width: int, height: int) -> Panel:
    target, decision = board.incident, board.decision
    inner = max(20, width - 4)
    parts: list[Text | Table] = []
    parts.append(Text(fit(project_summary(target.project), inner), style="bold"))
    stage, fault = target.situation.stage, target.situation.fault
    ticks = done_steps(target, decision)
    situation = " · ".join(
        x
        for x in (
            stage_label(decision.stage, decision.project_type)
            if decision.stage
            else ("环节未确认" if not stage else ""),
            FAULT_LABELS[decision.fault] if decision.fault else ("故障未确认" if not fault else ""),
            f"当前 {format_dt_seconds(now)}",
        )
        if x
    )
    parts.append(Text(fit(situation, inner)))
    state = StatusInput(
        decision,
        target.ticks,
        board.contacts,
        target.resolved_at,
        acts=target.acts,
        situation=target.situation,
    )
    for style, line in status_lines(state, now, inner):
        parts.append(Text(line, style=STATUS_STYLES.get(style, "")))
    steps = numbered_steps(decision)
    g = glyphs()
    done = sum(1 for _, sid, _ in steps if sid in ticks)
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.title = f"步骤（已完成 {done}/{len(steps)}）"
    table.title_style = "bold cyan"
    table.title_justify = "left"
    table.add_column("mark", width=len(g.done) + 6, no_wrap=True)
    table.add_column("text", ratio=1, no_wrap=True, overflow="ellipsis")
    # The rows left once the border, the head lines and the two section titles are drawn.
    room = max(6, height - 2 - len(parts) - 2)
    logs_wanted = min(len(target.log), 3)  # the last three lines at least
    fits = len(steps) <= room - logs_wanted
    shown_steps = len(steps) if fits else max(1, room - logs_wanted - 1)
    for number, sid, step in steps[:shown_steps]:
        at = ticks.get(sid)
        mark = f"{g.done} {at:%H:%M}" if at else f"{g.todo} {number}"
        table.add_row(Text(mark, style="green" if at else ""), step.text)
    if len(steps) > shown_steps:
        table.add_row("", Text(f"…另有 {len(steps) - shown_steps} 步", style="dim"))
    parts.append(table)
    log = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    log.title = "最新经过"
    log.title_style = "bold cyan"
    log.title_justify = "left"
    log.add_column("at", no_wrap=True, style="cyan")
    log.add_column("text", ratio=1, no_wrap=True, overflow="ellipsis")
    used = min(len(steps), shown_steps) + (1 if len(steps) > shown_steps else 0)
    lines = sorted(target.log, key=lambda e: e.at)[-max(logs_wanted, room - used, 1) :]
    for entry in lines:
        log.add_row(f"{entry.at:%m-%d %H:%M:%S}", entry.text)
    parts.append(log)
    title = f"qdplan 看板 · 事件 {target.id}" + ("（已作废）" if target.discarded else "")
    return Panel(
        Group(*parts),
        title=title,
        subtitle="只读 · Ctrl-C 退出",
        box=box.ASCII if g.ascii else box.SQUARE,
    )


def run_board(
    board: Callable[[], Board],
    version: Callable[[], int],
    clock: Callable[[], datetime],
    interval: float = 1.0,
) -> None:
    """Redraw each ``interval`` seconds; read the store again when ``version()`` changes."""
    console = make_console()
    seen = version()
    current = board()

    def frame() -> Panel:
        size = console.size
        return render_board(current, clock(), size.width, size.height)

    with Live(frame(), console=console, screen=True, auto_refresh=False) as live:
        while True:
            time.sleep(interval)
            now_version = version()
            if now_version != seen:
                seen, current = now_version, board()
            live.update(frame(), refresh=True)

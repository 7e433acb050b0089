"""The status block above every prompt (and the ``watch`` board's head): what to do next.

At most six lines, each cut to the terminal's width: the conclusion; the next one or two steps
not yet ticked, each with who does it and the phone number; the 2-hour line (or the bid
deadline) with the time left, computed from the ``now`` it is given, so a prompt that redraws
it every second shows the countdown live; the earliest new time the plan sets in principle (原则上) when one applies.

Pure text: (style, text) pairs that ``ui.prompts`` shows with prompt_toolkit and ``ui.watch``
with Rich. No clock is read here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from qdplan_cli.plan.labels import PLAN_NUMERALS, outcome_label, role_label, terms
from qdplan_cli.plan.model import Decision, Role, Step, StepKind
from qdplan_cli.plan.times import format_dt
from qdplan_cli.record.incident import numbered_steps

Contact = tuple[str, str]
Line = tuple[str, str]  # (style: "bold" | "warn" | "alarm" | "ok" | "dim" | "", text)

MAX_LINES = 6


def width_of(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (a CJK character takes two), with "…"."""
    if width_of(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def countdown(delta: timedelta) -> str:
    """``1:23:45`` — hours, minutes, seconds (the live clock)."""
    seconds = int(abs(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@dataclass(frozen=True)
class StatusInput:
    """What the block is computed from: the last decision and the incident's ticks."""

    decision: Decision
    ticks: Mapping[str, datetime]
    contacts: Mapping[Role, Sequence[Contact]]
    resolved_at: datetime | None = None
    title: str = ""


def _who(step: Step, decision: Decision, contacts: Mapping[Role, Sequence[Contact]]) -> str:
    """Who the step calls on (or who does it), with the first configured phone number."""
    roles = step.to if step.kind is StepKind.CALL and step.to else (step.by or step.to)
    parts = []
    for role in roles[:2]:
        label = role_label(role, decision.project_type)
        people = contacts.get(role, ())
        if people:
            name, phone = people[0]
            label += f" {name} {phone}".rstrip()
        parts.append(label)
    return "、".join(parts)


def next_steps(
    decision: Decision, ticks: Mapping[str, datetime], limit: int = 2
) -> list[tuple[int, Step]]:
    """The first ``limit`` steps not yet ticked, in the checklist's order."""
    return [(n, step) for n, sid, step in numbered_steps(decision) if sid not in ticks][:limit]


def clock_lines(decision: Decision, now: datetime, resolved_at: datetime | None) -> list[Line]:
    """The 2-hour line (evaluation, opening) or the bid deadline (prep), with the time left;
    two lines once the 2-hour line has passed with no plan chosen yet (4.2, 5.2)."""
    line = clock_line(decision, now, resolved_at)
    if line is None:
        return []
    if line[0] == "alarm" and "，故障" in line[1]:
        first, _, second = line[1].partition("，故障")
        return [("alarm", first), ("alarm", "故障" + second)]
    return [line]


def clock_line(decision: Decision, now: datetime, resolved_at: datetime | None) -> Line | None:
    """The clock as one line (``clock_lines`` splits the long crossing message)."""
    if resolved_at is not None:
        return ("ok", f"故障已于 {format_dt(resolved_at)} 排除：清单按排除时定格")
    words = terms(decision.project_type)
    deadline = decision.bid_deadline
    if deadline is not None:
        head = f"{words['deadline']} {format_dt(deadline)}"
        if decision.fixed_before_deadline is not None:
            return ("", head)
        if now < deadline:
            return ("bold", f"{head} · 剩余 {countdown(deadline - now)}")
        return (
            "alarm",
            f"已过{head}（{countdown(now - deadline)}），故障未修复 → 出具延迟开标公告",
        )
    line = decision.two_hour_line
    if line is None:
        return None
    head = f"2小时节点 {format_dt(line)}"
    if now < line:
        if decision.within_2h is False:
            return ("", f"{head} · 已判断2小时内无法解决")
        return ("bold", f"{head} · 剩余 {countdown(line - now)}")
    over = countdown(now - line)
    if decision.plan is not None or decision.within_2h is False:
        return ("warn", f"已过{head}（超过 {over}）")
    return (
        "alarm",
        f"已过{head}（超过 {over}），故障仍未排除：回答后转入应急方案，由{words['tenderer']}选择",
    )


def status_lines(state: StatusInput, now: datetime, width: int = 80) -> list[Line]:
    """The block, at most ``MAX_LINES`` lines, each at most ``width`` columns."""
    d = state.decision
    lines: list[Line] = []
    head = "结论：" + outcome_label(d.outcome, d.project_type)
    if d.plan:
        head += f" — {PLAN_NUMERALS[d.plan]}"
    lines.append(("bold", head))
    clock = clock_lines(d, now, state.resolved_at)
    room = MAX_LINES - 1 - len(clock) - (1 if d.earliest_new_time else 0)
    steps = next_steps(d, state.ticks, max(1, min(2, room)))
    for number, step in steps:
        text = f"下一步 {number}. {step.text.rstrip('。')}"
        who = _who(step, d, state.contacts)
        if who:
            text = f"下一步 {number}. {who}：{step.text.rstrip('。')}"
        lines.append(("warn", text))
    if not steps and d.steps:
        lines.append(("ok", "清单各步骤均已勾选完成"))
    lines.extend(clock)
    if d.earliest_new_time is not None:
        lines.append(("ok", f"原则上的最早新时间：{format_dt(d.earliest_new_time)}"))
    return [(style, fit(text, width)) for style, text in lines[:MAX_LINES]]

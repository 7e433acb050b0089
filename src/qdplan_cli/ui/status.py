"""The status block above every prompt (and the ``watch`` board's head): what to do next.

At most six lines, none wider than the terminal: the conclusion; the next one or two open
steps, each on its own line, followed by who to reach with their names and phone numbers (a
number is never cut: the people wrap onto a second line, or the role is shortened, or left
out); the 2-hour line (or the bid deadline) with the time left, computed from the ``now`` it is
given, so a prompt that redraws it every second shows the countdown live; the earliest new time
the plan sets in principle (原则上) when one applies. A step the plan takes only 必要时 says so at its start.

Pure text: (style, text) pairs that ``ui.prompts`` shows with prompt_toolkit and ``ui.watch``
with Rich. No clock is read here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qdplan_cli.plan.fields import Act
from qdplan_cli.plan.labels import PLAN_NUMERALS, outcome_label, role_label, role_short, terms
from qdplan_cli.plan.model import Decision, ProjectType, Role, Situation, Step, StepKind
from qdplan_cli.plan.next_action import next_actions
from qdplan_cli.plan.times import format_dt

Contact = tuple[str, str]
Line = tuple[str, str]  # (style: "bold" | "warn" | "alarm" | "ok" | "dim" | "", text)

MAX_LINES = 6


def width_of(text: str, *, ambiguous: int = 1) -> int:
    """Terminal columns: a wide character takes two, an East-Asian-ambiguous one
    ``ambiguous``."""
    return sum(
        2 if (kind := unicodedata.east_asian_width(c)) in "WF" else ambiguous if kind == "A" else 1
        for c in text
    )


def _fitting(text: str, width: int, *, ambiguous: int = 1) -> int:
    """How many leading characters of ``text`` fit in ``width`` columns."""
    used = 0
    for count, char in enumerate(text):
        used += width_of(char, ambiguous=ambiguous)
        if used > width:
            return count
    return len(text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (a CJK character takes two), with "…"."""
    if width_of(text) <= width:
        return text
    return text[: _fitting(text, width - 1)] + "…"


# What a line of console text is never broken inside: a date (with its weekday and time), a
# time, a number, a Latin word or identifier (0532-81110001, 20261208-0915-1).
_WHOLE = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}日(?:（周.）)?(?: ?\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}月\d{1,2}日(?: ?\d{1,2}:\d{2})?"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|[A-Za-z0-9][A-Za-z0-9\-/._]*"
)
_NO_LINE_START = set("，。、；：？！）》”’】〕…—·,.;:!?)]」")  # GB/T 15834
_NO_LINE_END = set("（《“‘【〔([「")


def _columns(text: str) -> int:
    """Columns, counting East-Asian-ambiguous characters as two (conhost): a wrapped line is
    never wider than the window on any console."""
    return width_of(text, ambiguous=2)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken where a reader expects it: never
    inside a date, a time, a number or a Latin word, no closing mark at a line start, no opening
    one at a line end, no last line of one character (the terminal itself breaks anywhere:
    "…18:" / "38"). A piece wider than a line is cut where it must."""
    if _columns(text) <= width:
        return [text]
    units: list[str] = []
    pos = 0
    for found in _WHOLE.finditer(text):
        units.extend(text[pos : found.start()])
        units.append(found.group())
        pos = found.end()
    units.extend(text[pos:])
    glued: list[str] = []
    for unit in units:
        if glued and (unit[0] in _NO_LINE_START or glued[-1][-1] in _NO_LINE_END):
            glued[-1] += unit
        else:
            glued.append(unit)
    lines: list[list[str]] = [[]]
    for unit in glued:
        while _columns(unit) > width:  # one piece wider than a line: cut where it must
            cut = max(1, _fitting(unit, width, ambiguous=2))  # a wide character in 1 column
            lines.append([unit[:cut]])
            unit = unit[cut:]
            lines.append([])
        if lines[-1] and _columns("".join(lines[-1]) + unit.rstrip()) > width:
            lines.append([])
        lines[-1].append(unit)
    lines = [line for line in lines if "".join(line).strip()]
    if not lines:  # blanks only
        return []
    last, before = lines[-1], lines[-2] if len(lines) > 1 else []
    if len(before) > 2 and _columns("".join(last)) < 4:  # a stranded character: one more
        last.insert(0, before.pop())
    return ["".join(line).strip() for line in lines]


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
    alarms: tuple[str, ...] = ()  # facts out of the plan's order, in a few words each
    acts: Mapping[Act, datetime] = field(default_factory=dict)  # the acts recorded, with times
    situation: Situation | None = None  # what the next actions are read against


PEOPLE_PREFIX = "  电话："
PEOPLE_JOIN = "；"


def _people(step: Step, contacts: Mapping[Role, Sequence[Contact]]) -> list[tuple[Role, str, str]]:
    """The configured people of the roles the step reaches (or who do it): (role, name, phone)."""
    roles = step.to if step.kind is StepKind.CALL and step.to else (step.by or step.to)
    out = []
    for role in roles:
        people = contacts.get(role, ())
        if people:
            name, phone = people[0]
            out.append((role, name, phone))
    return out


def _pack(pieces: Sequence[str], width: int) -> list[str] | None:
    """``pieces`` on as few lines as they take, never split; None when one is too wide."""
    lines: list[str] = []
    for piece in pieces:
        if lines and width_of(lines[-1] + PEOPLE_JOIN + piece) <= width:
            lines[-1] += PEOPLE_JOIN + piece
        elif width_of(PEOPLE_PREFIX + piece) <= width:
            lines.append(PEOPLE_PREFIX + piece)
        else:
            return None
    return lines


def people_lines(
    people: Sequence[tuple[Role, str, str]],
    project_type: ProjectType,
    width: int,
    limit: int,
) -> list[str]:
    """Names and numbers in at most ``limit`` lines of ``width``: whole, with the role's full
    name when it fits, else its short name, else none; a number is never cut."""

    def pieces(labels: str) -> list[str]:
        out = []
        for role, name, phone in people:
            label = {
                "full": role_label(role, project_type),
                "short": role_short(role, project_type),
            }.get(labels, "")
            out.append(" ".join(x for x in (label, name, phone) if x))
        return out

    for labels, lines_allowed in (
        ("full", 1),
        ("short", 1),
        ("none", 1),
        ("full", limit),
        ("short", limit),
        ("none", limit),
    ):
        packed = _pack(pieces(labels), width)
        if packed is not None and len(packed) <= min(lines_allowed, limit):
            return packed
    # Very narrow, or very long names: one person a line, the name cut before the number.
    out = []
    for _, name, phone in people[: max(1, limit)]:
        room = width - width_of(PEOPLE_PREFIX) - width_of(phone) - 1
        out.append(f"{PEOPLE_PREFIX}{fit(name, max(2, room))} {phone}".rstrip())
    return out


def step_text(step: Step) -> str:
    """The step as the block says it: a 必要时 step says so first."""
    text = step.text.rstrip("。")
    if step.if_needed and not text.startswith("必要时"):
        text = "必要时：" + text
    return text


def next_steps(state: StatusInput, limit: int = 2) -> list[tuple[int, str, Step]]:
    """The next ``limit`` open actions, in the plan's order: (number, what remains, step)."""
    situation = state.situation or Situation(stage=state.decision.stage, fault=state.decision.fault)
    actions = next_actions(state.decision, situation, state.ticks, state.acts)
    return [
        (a.number, f"待{'、'.join(a.remaining[:1])}：" if a.remaining else "", a.step)
        for a in actions[:limit]
    ]


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
    if state.alarms:  # one line: the first rule of order broken (the rest on the checklist)
        more = f"（另 {len(state.alarms) - 1} 项）" if len(state.alarms) > 1 else ""
        lines.append(("alarm", f"顺序不符：{state.alarms[0]}{more}"))
    room = MAX_LINES - len(lines) - len(clock) - (1 if d.earliest_new_time else 0)
    steps = next_steps(state, 2)
    for index, (number, remains, step) in enumerate(steps):
        text = fit(f"下一步 {number}. {remains}{step_text(step)}", width)
        people = _people(step, state.contacts)
        block = [text]
        if people:
            block += people_lines(people, d.project_type, width, max(1, room - 1))
        if index > 0 and len(block) > room:
            break  # the second step only when it fits whole
        lines.extend(("warn", line) for line in block[: max(1, room)])
        room -= len(block)
        if room <= 0:
            break
    if not steps and d.steps:
        lines.append(("ok", "清单各步骤均已勾选完成"))
    lines.extend(clock)
    if d.earliest_new_time is not None:
        lines.append(("ok", f"原则上的最早新时间：{format_dt(d.earliest_new_time)}"))
    return [(style, fit(text, width)) for style, text in lines[:MAX_LINES]]

"""The incident wizard: advice first, then a loop over what the engine reports as ``missing``.

A new incident asks the stage, the fault and the onset first (the onset defaults to now): after
those answers the status block names who to call, with names and numbers. The project comes
next, one keystroke to take the last project or the prepared file, or to leave it for later
(the hub offers it until a document needs it). Then the question flow of the engine: the wizard
asks ``decision.missing[0]``, records the answer as an event (saved before the next question),
decides again and repeats until nothing is missing. Every question offers "← 返回上一步"; a
changed answer is itself an event (old → new). The wizard reads time only through the
``clock`` it is given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from qdplan_cli.local.invocation import invoked_as
from qdplan_cli.plan import fields as F
from qdplan_cli.plan.errors import PlanNotAllowedError, UserError
from qdplan_cli.plan.labels import (
    FAULT_LABELS,
    PROJECT_TYPE_LABELS,
    clause_label,
    plan_label,
    stage_label,
    terms,
)
from qdplan_cli.plan.model import Decision, Fact, Fault, ProjectType, Stage, check_plan
from qdplan_cli.plan.times import format_dt, read_time, read_when
from qdplan_cli.record.casefile import Case, Project, case_value, with_value
from qdplan_cli.record.events import (
    answer_event,
    attendance_event,
    created_event,
    details_event,
    expert_commitment_event,
    expert_left_event,
    expert_replaced_event,
    log_event,
    project_event,
    project_summary,
    resolved_event,
    tick_event,
)
from qdplan_cli.record.incident import (
    Incident,
    Leaver,
    decision_time,
    done_steps,
    load,
    refresh,
    steps_of,
)
from qdplan_cli.record.store import NewEvent, Store
from qdplan_cli.ui import prompts
from qdplan_cli.ui.wording import (
    DETAIL_PROMPTS,
    EVALUATION_QUESTIONS,
    FACT_QUESTIONS,
    JUDGES,
    PROJECT_FIELD_PROMPTS,
    WIZARD,
    YES_NO,
)

if TYPE_CHECKING:
    from qdplan_cli.runtime import Runtime
    from qdplan_cli.ui.status import StatusInput

BACK = "__back__"
RESOLVED = "__resolved__"
LATER = "__later__"
PROJECT = "project"
STARTED = "started_at"
# The first questions of a new incident, in order: advice (who to call) follows the onset.
FIRST = (Fact.STAGE.value, Fact.FAULT.value, STARTED, PROJECT)

T = TypeVar("T")


class _Back(Exception):
    """The witness chose "← 返回上一步"."""


class _Later(Exception):
    """The witness put the question off (the hub, then the question again)."""


def parse_clock_time(text: str, now: datetime) -> datetime:
    """The one time parser (plan/times.read_time): ``09:12`` is today, ``明天 9:00``, ISO 8601…"""
    return read_time(text, "时间", now).at


def _recorded(label: str, when: datetime) -> str:
    """A hub entry whose time is recorded (choosing it again corrects the time): what recording
    it is for, its closing （…）, gives way to the time, short, so the line fits 80 columns."""
    if label.endswith("）") and "（" in label:
        label = label[: label.rindex("（")]
    return f"{label}（已记录 {when.month}月{when.day}日 {when:%H:%M}）"


def _say_back(text: str, now: datetime) -> None:
    """``9:12`` means today: say so (``理解为 2026年12月8日（周二）09:12``)."""
    said = read_time(text, "时间", now).said_back
    if said:
        prompts.hint(said)


def _time_problem(
    text: str,
    now: datetime,
    *,
    allow_empty: bool = False,
    key: str | None = None,
    onset: datetime | None = None,
) -> str | None:
    """The one time policy (``plan.times.read_when``) for a time typed for the field ``key`` of
    the field table: its future rule and its not-before-the-onset rule, the commands' messages."""
    if not text.strip():
        return None if allow_empty else "请输入时间"
    spec = F.BY_KEY.get(key or "") or (F.PROJECT_BY_KEY.get(key or ""))
    try:
        read_when(
            text,
            "时间",
            now,
            spec.label if spec else "时间",
            onset=onset if spec is not None and spec.after_onset else None,
            past_only=spec is not None and spec.past_only,
        )
    except UserError as exc:
        return exc.message
    return None


def _past_problem(text: str, now: datetime, what: str, onset: datetime | None) -> str | None:
    """A moment that has happened (a step done, an expert's arrival or leaving, the fault
    cleared): the one policy, as the commands' ``--at``."""
    if not text.strip():
        return "请输入时间"
    try:
        read_when(text, "时间", now, what, onset=onset)
    except UserError as exc:
        return exc.message
    return None


def _onset_problem(text: str, now: datetime, resolved_at: datetime | None) -> str | None:
    problem = _time_problem(text, now, key=STARTED)
    if problem is not None:
        return problem
    onset = parse_clock_time(text, now)
    if resolved_at is not None and onset > resolved_at:
        return f"故障发生时间 {format_dt(onset)} 晚于排除时间（{format_dt(resolved_at)}）"
    return None


@dataclass
class Wizard:
    store: Store
    runtime: Runtime
    incident_id: str | None  # None until the first real answer creates the incident
    history: list[str] = field(default_factory=lambda: list(FIRST))
    prefill: Project | None = None  # a project to offer, not recorded
    prefill_from_file: bool = False
    launched: datetime | None = None
    _cached: Incident | None = field(default=None, repr=False)
    _alarmed: frozenset[str] = field(default=frozenset(), repr=False)

    @classmethod
    def resuming(cls, store: Store, runtime: Runtime, incident: Incident) -> Wizard:
        """A wizard on a stored incident; "back" reaches its answers in the order given."""
        answered = [f for f in incident.answered if f not in FIRST]
        return cls(store, runtime, incident.id, [*FIRST, *answered])

    def clock(self) -> datetime:
        return self.runtime.tick()

    # ----------------------------------------------------------------- state

    def load(self) -> Incident:
        """The incident now: only events stored since the last look are folded in."""
        if self.incident_id is None:
            return Incident(id="", created_at=self.clock())
        cached = self._cached
        if cached is None or cached.id != self.incident_id:
            cached = load(self.store, self.incident_id)
        else:
            cached = refresh(self.store, cached)
        self._cached = cached
        return cached

    def _clock_confirmed(self, write: Callable[[], T]) -> T:
        """Run a write; when the clock reads earlier than the record (``plan.clock``), warn in
        red and ask before writing with it (a flat CMOS battery after a power cut)."""
        from qdplan_cli.record.store import ClockBehindError

        try:
            return write()
        except ClockBehindError as exc:
            from qdplan_cli.ui.console import print_note

            print_note(f"警告：{exc.problem}。", style="bold red")
            choice = prompts.select(
                "本机时间确实无误、仍按它记录吗？",
                [("先不记录，退出去校正系统时间", "stop"), ("时间无误，按本机时间记录", "go")],
            )
            if choice != "go":
                raise
            self.store.accept_clock = True
            return write()

    def record(self, event: NewEvent) -> None:
        assert self.incident_id is not None  # the project answer created it
        incident_id = self.incident_id
        self._clock_confirmed(lambda: self.store.append(incident_id, event, self.clock()))
        if event.text:
            prompts.done(WIZARD["recorded"].format(text=event.text))

    def set_status(self, incident: Incident, decision: Decision) -> None:
        """The block above every prompt from now on, its clock live (``ui.status``); a fact
        out of the plan's order is shown at once, in the alarm style, when it first appears.
        While a question waits, what another terminal records (``qdplan tick``, ``log``,
        ``resolve``) is read at the next redraw and the block follows it."""
        from qdplan_cli.ui.status import status_lines

        state = self._status_input(incident, decision, alarm=True)
        seen = incident.last_seq

        def lines(width: int) -> list[tuple[str, str]]:
            nonlocal state, seen
            if self.incident_id is not None and self.store.events(self.incident_id, after=seen):
                fresh = self.load()
                seen = fresh.last_seq
                with contextlib.suppress(UserError):
                    state = self._status_input(fresh, self.runtime.decide_incident(fresh))
            return status_lines(state, self.clock(), width)

        prompts.set_status(lines)

    def _status_input(
        self, incident: Incident, decision: Decision, *, alarm: bool = False
    ) -> StatusInput:
        from qdplan_cli.plan.order import out_of_order
        from qdplan_cli.ui.status import StatusInput

        found = out_of_order(incident.situation, decision) if incident.id else ()
        if alarm:
            for hit in found:
                if hit.text not in self._alarmed:
                    prompts.alarm(WIZARD["out_of_order"].format(text=hit.text))
            self._alarmed = frozenset(hit.text for hit in found)
        return StatusInput(
            decision,
            incident.ticks,
            self.runtime.contacts or {},
            incident.resolved_at,
            alarms=tuple(hit.short for hit in found),
            acts=incident.acts,
            situation=incident.situation,
        )

    def _project_type(self, incident: Incident) -> ProjectType:
        """The recorded project's type; before a project is recorded, the offered one's words."""
        if incident.project != Project() or self.prefill is None:
            return incident.project.type
        return self.prefill.type

    def _words(self, incident: Incident) -> dict[str, str]:
        return terms(self._project_type(incident))

    def show(self, incident: Incident, decision: Decision, *, page: bool = True) -> None:
        from qdplan_cli.ui.console import print_checklist

        title = f"事件 {incident.id} · {project_summary(incident.project)}"
        contacts = self.runtime.contacts  # configured names and numbers beside each role
        print_checklist(
            decision,
            contacts=contacts,
            title=title,
            resolved_at=incident.resolved_at,
            ticks=done_steps(incident, decision),
            page=page,
        )

    # ----------------------------------------------------------------- the loop

    def start(self) -> None:
        """A new incident: stage, fault, onset (who to call is on screen after them), then the
        project, then the facts. The first answer (the stage) creates the incident; nothing is
        stored before it."""
        self.launched = self.clock()
        prompts.set_status(None)  # no block before the incident exists
        index = 0
        while index < len(FIRST):
            try:
                if index == 0 and self.incident_id is None:
                    self._ask_first_stage()
                else:
                    incident = self.load()  # the block above each question: who to call
                    self.set_status(incident, self.runtime.decide_incident(incident))
                    self.ask_field(FIRST[index], back=index > 0)
                index += 1
            except _Back:
                index -= 1
        self.run()

    def _ask_first_stage(self) -> None:
        """The stage question of a new incident; its answer creates the incident, with the
        onset defaulting to the launch time and the project left for its own question."""
        incident = self.load()
        words = self._words(incident)
        question, hint = (t.format(**words) for t in FACT_QUESTIONS[Fact.STAGE])
        prompts.hint(hint)
        stage = self._choose(question, self._stage_choices(incident), None, back=False)
        now = self.clock()
        source = "wizard:file" if self.prefill_from_file else "wizard"
        events = [
            created_event(now, Project(), self.launched, source),
            answer_event(now, Fact.STAGE.value, Stage(stage), None),
        ]
        self.incident_id = self._clock_confirmed(
            lambda: self.store.create_incident(now, events, now)
        )
        prompts.done(WIZARD["created"].format(id=self.incident_id))

    def _stage_choices(self, incident: Incident) -> list[tuple[str, str]]:
        kind = self._project_type(incident)
        return [(stage_label(s, kind), s.value) for s in Stage]

    def run(self) -> None:
        """Ask what the engine says is missing until nothing is; then the hub menu."""
        while True:
            incident = self.load()
            try:
                decision = self.runtime.decide_incident(incident)
            except PlanNotAllowedError:
                # A changed fault can forbid the plan chosen before (4.2.2, 5.2): ask it again.
                old = incident.situation.plan
                self.record(answer_event(self.clock(), Fact.PLAN.value, None, old))
                continue
            self.set_status(incident, decision)
            if decision.missing:
                fact = decision.missing[0]
                try:
                    self.ask_field(fact.value, back=True, decision=decision)
                except _Back:
                    self._ask_with_back(len(self.history) - 1)
                except _Later:
                    if not self.hub(incident, decision):
                        self._leave(decision)
                        return
                continue
            if not self.hub(incident, decision):
                self._leave(decision)
                return

    def _leave(self, decision: Decision) -> None:
        incident = self.load()
        self.show(incident, decision, page=False)
        prompts.set_status(None)
        if not project_filled(incident.project):
            prompts.hint(WIZARD["project_missing"].format(prog=invoked_as(), id=incident.id))

    def _notice_choices(self, incident: Incident, decision: Decision) -> list[tuple[str, str]]:
        """When a notice is due, the times that settle the earliest new time in principle (4.1.x:
        2 h after a delay notice is published; 4.2.1 方案三: one working day after a
        supplementary notice is issued) and the proposed new time."""
        from qdplan_cli.plan.model import Document

        choices = []
        for document, keys in (
            (Document.DELAY_NOTICE, ("notice_published_at",)),
            # 4.2.1 方案三's three acts, in the plan's order: 出具 → 经监管部门备案 → 现场公布.
            (
                Document.SUPPLEMENTARY_NOTICE,
                ("supplement_issued_at", "plan_filed_at", "supplement_announced_at"),
            ),
        ):
            if document not in decision.documents:
                continue
            for key in keys:
                current = incident.value(key)
                label = WIZARD["plan3_filed_at" if key == "plan_filed_at" else key]
                if isinstance(current, datetime):
                    label = _recorded(label, current)
                choices.append((label, key))
        if choices:
            label = WIZARD["new_time"]
            if decision.earliest_new_time is not None:
                label += f"（原则上最早 {format_dt(decision.earliest_new_time)}）"
            choices.append((label, "new_time"))
            new_time, earliest = incident.situation.new_time, decision.earliest_new_time
            if new_time is not None and earliest is not None and new_time < earliest:
                # 原则上: an earlier time needs a reason, recorded on the timeline and the record.
                choices.append((WIZARD["override_reason"], "override_reason"))
        return choices

    def ask_time_field(self, incident: Incident, key: str) -> None:
        current = incident.value(key)
        if key == "override_reason":
            words = self._words(incident)
            reason = prompts.text(WIZARD["override_reason_input"].format(**words)).strip()
            if reason and reason != current:
                self.record(answer_event(self.clock(), key, reason, current))
            return
        keep = (
            WIZARD["keep_current"].format(value=format_dt(current))
            if isinstance(current, datetime)
            else WIZARD["keep_empty"]
        )
        raw = prompts.text(
            WIZARD[f"{key}_input"].format(keep=keep),
            validate=lambda t: _time_problem(
                t, self.clock(), allow_empty=True, key=key, onset=incident.started_at
            ),
            back=True,
        )
        if not raw.strip():
            return
        value = parse_clock_time(raw, self.clock())
        _say_back(raw, self.clock())
        if value != current:
            self.record(answer_event(self.clock(), key, value, current))

    def hub(self, incident: Incident, decision: Decision | None = None) -> bool:
        """Nothing is missing: tick steps, log progress, record times and experts, mark the
        fault cleared (or correct it), see the full checklist, go back, or leave."""
        choices = [(WIZARD["tick"], "tick"), (WIZARD["log"], "log")]
        notice_keys = set()
        if decision is not None:
            notices = self._notice_choices(incident, decision)
            notice_keys = {key for _, key in notices}
            choices.extend(notices)
        if incident.situation.plan is not None and "plan_filed_at" not in notice_keys:
            # Once filed (方案三: announced on site) the chosen plan stands (PLAN.md): offered as
            # long as a plan is chosen, whatever else is recorded (a fix inside 2 h included),
            # so the order in which the witness types never decides whether a filing stands.
            label = WIZARD["plan_filed_at"]
            filed = incident.situation.plan_filed_at
            if filed is not None:
                label = _recorded(label, filed)
            choices.append((label, "plan_filed_at"))
            notice_keys.add("plan_filed_at")
        if incident.situation.stage is Stage.EVALUATION:
            groups = len(incident.attendance)
            people = sum(a.count for a in incident.attendance)
            label = WIZARD["attendance"]
            if groups:
                label += WIZARD["attendance_recorded"].format(groups=groups, people=people)
            choices.append((label, "attendance"))
            label = WIZARD["expert_left"]
            if incident.leavers:
                label += WIZARD["expert_left_recorded"]
            choices.append((label, "expert_left"))
            unsigned = [lv for lv in incident.leavers if not lv.commitment]
            if unsigned:  # 5.1: 签署…承诺后，予以补抽 — the commitment comes first
                label = WIZARD["expert_commitment"].format(count=len(unsigned))
                choices.append((label, "expert_commitment"))
            waiting = [lv for lv in incident.leavers if lv.replaced_at is None]
            if waiting:
                label = WIZARD["expert_replaced"].format(count=len(waiting))
                choices.append((label, "expert_replaced"))
        if incident.resolved_at is None:
            choices.append((WIZARD["resolved"], RESOLVED))
        else:
            label = WIZARD["resolved_fix"].format(at=format_dt(incident.resolved_at))
            choices.append((label, "resolved_fix"))
        if not project_filled(incident.project):
            choices.append((WIZARD["project_fill"], PROJECT))
        choices.append((WIZARD["full"], "full"))
        choices.append((WIZARD["back"], BACK))
        choices.append((WIZARD["details"], "details"))
        choices.append((WIZARD["done"].format(id=incident.id, prog=invoked_as()), "done"))
        answer = prompts.select(WIZARD["hub"], choices)
        try:
            return self._hub_action(answer, incident, decision, notice_keys)
        except prompts.GoBack:
            return True  # Escape in a text question: back to this menu

    def _hub_action(
        self, answer: str, incident: Incident, decision: Decision | None, notice_keys: set[str]
    ) -> bool:
        if answer in notice_keys:
            self.ask_time_field(incident, answer)
        elif answer == "tick" and decision is not None:
            self.ask_tick(incident, decision)
        elif answer == "log":
            line = prompts.text(WIZARD["log_input"], back=True)
            if line:
                self.record(log_event(self.clock(), line))
        elif answer == "attendance":
            self.ask_attendance(incident)
        elif answer == "expert_left":
            self.ask_expert_left(incident)
        elif answer == "expert_replaced":
            self.ask_expert_replaced(incident)
        elif answer == "expert_commitment":
            self.ask_expert_commitment(incident)
        elif answer == RESOLVED:
            self.mark_resolved(incident)
        elif answer == "resolved_fix":
            self.correct_resolved(incident)
        elif answer == "full" and decision is not None:
            self.show(incident, decision)
        elif answer == "details":
            self.ask_details(incident)
        elif answer == PROJECT:
            self._ask_project(incident, back=False)
        elif answer == BACK:
            self._ask_with_back(len(self.history) - 1)
        elif answer == "done":
            return False
        return True

    # ----------------------------------------------------------------- times, ticks, experts

    def ask_when(
        self,
        question: str,
        *,
        current: datetime | None = None,
        current_label: str = "",
        what: str = "时间",
        onset: datetime | None = None,
        current_first: bool = False,
    ) -> datetime:
        """A moment: "刚刚" (the moment the witness answers, not the moment the menu was drawn),
        the value recorded before (or named by ``current_label``, e.g. "故障发生时（{time}）"; first
        with ``current_first``: Enter keeps it), or a typed time (the one time policy: not in the
        future, not before ``onset``). Escape: back."""
        now = self.clock()
        choices = [(WIZARD["started_now"].format(time=format_dt(now)), "now")]
        if current is not None:
            label = current_label or WIZARD["started_keep"]
            keep = (label.format(time=format_dt(current)), "keep")
            choices.insert(0 if current_first else 1, keep)
        choices.append((WIZARD["started_other"], "other"))
        choices.append((WIZARD["back"], BACK))
        answer = prompts.select(question, choices)
        if answer == BACK:
            raise prompts.GoBack
        if answer == "now":
            return self.clock()  # stamped when answered
        if answer == "keep" and current is not None:
            return current
        raw = prompts.text(
            WIZARD["time_input"],
            validate=lambda t: _past_problem(t, self.clock(), what, onset),
            back=True,
        )
        return parse_clock_time(raw, self.clock())

    def ask_tick(self, incident: Incident, decision: Decision) -> None:
        """Mark a step done (with the time), or correct/take back an earlier tick."""
        from qdplan_cli.plan.progress import tick_time
        from qdplan_cli.ui.status import fit

        choices = []
        steps = steps_of(incident, decision)
        for s in steps:
            mark = f"√ {s.done_at:%H:%M}" if s.done_at else "□"
            choices.append((fit(f"{mark} {s.number}. {s.text}", 74), s.key))
        choices.append((WIZARD["back"], BACK))
        sid = prompts.select(WIZARD["tick_question"], choices)
        if sid == BACK:
            return
        step = next(s.step for s in steps if s.key == sid)
        old = tick_time(incident.ticks, step)
        if old is not None:
            fix = prompts.select(
                WIZARD["tick_fix_question"].format(at=format_dt(old)),
                [
                    (WIZARD["tick_fix_time"], "time"),
                    (WIZARD["tick_undo"], "undo"),
                    (WIZARD["back"], BACK),
                ],
            )
            if fix == BACK:
                return
            if fix == "undo":
                self.record(tick_event(self.clock(), sid, step.text, None, old))
                return
        when = self.ask_when(
            WIZARD["tick_when"], current=old, what="完成时间", onset=incident.started_at
        )
        if when != old:
            self.record(tick_event(self.clock(), sid, step.text, when, old))

    def _count(self, question: str, default: int = 1) -> int:
        def problem(text: str) -> str | None:
            value = text.strip() or str(default)
            if not value.isdigit() or int(value) < 1:
                return "请输入正整数人数"
            return None

        raw = prompts.text(question, validate=problem, back=True)
        return int(raw or default)

    def ask_attendance(self, incident: Incident) -> None:
        """Experts' arrival and release (a count sharing times), for the fee sheet (5.1, 5.5)."""
        words = self._words(incident)
        count = self._count(WIZARD["attendance_count"])
        arrived = self.ask_when(
            WIZARD["attendance_arrived"].format(**words),
            current=incident.started_at,
            current_label=WIZARD["at_onset"],
        )
        left = self.ask_when(WIZARD["attendance_left"])
        if left < arrived:
            prompts.hint(WIZARD["attendance_order"])
            return
        evaluated = prompts.select(
            WIZARD["attendance_evaluated"].format(**words),
            [
                (WIZARD["evaluated"].format(**words), "true"),
                (WIZARD["not_evaluated"].format(**words), "false"),
            ],
        )
        self.record(
            attendance_event(self.clock(), arrived, left, count, evaluated=evaluated == "true")
        )

    def ask_expert_left(self, incident: Incident) -> None:
        """An expert who cannot go on (5.1), as acts: when they left ("刚刚" is stamped when
        answered), whether they signed the confidentiality commitment (asked, never assumed),
        whether a replacement was drawn (recordable later from the hub); paid for the time
        actually spent (its own attendance line)."""
        arrivals = [a.arrived_at for a in incident.attendance]
        arrived_default = min(arrivals) if arrivals else incident.started_at
        left = self.ask_when(WIZARD["expert_left_when"], what="专家离开时间")
        # The arrival recorded is offered first: the expert arrived before leaving, never "just now".
        while True:  # an arrival after the leaving is asked again, not dropped with the answers
            arrived = self.ask_when(
                WIZARD["expert_left_arrived"],
                current=arrived_default,
                current_label="" if arrivals else WIZARD["at_onset"],
                what="专家到达时间",
                current_first=True,
            )
            if arrived <= left:
                break
            prompts.hint(WIZARD["expert_left_order"])
        signed = prompts.select(
            WIZARD["expert_left_commitment"],
            [(WIZARD["yes_signed"], "true"), (WIZARD["not_signed"], "false")],
        )
        replaced = prompts.select(
            WIZARD["expert_left_replaced"],
            [(WIZARD["yes_replaced"], "true"), (WIZARD["not_yet"], "false")],
        )
        self.record(
            expert_left_event(
                self.clock(),
                left,
                arrived,
                replacement=replaced == "true",
                commitment=signed == "true",
            )
        )

    def ask_expert_commitment(self, incident: Incident) -> None:
        """The commitment signed later by an expert who left (5.1), stamped when answered."""
        found = self._pick_leaver(incident, lambda lv: not lv.commitment, "expert_commitment_which")
        if found is not None:
            n, leaver = found
            self.record(expert_commitment_event(self.clock(), n, leaver.left_at))

    def ask_expert_replaced(self, incident: Incident) -> None:
        """A replacement drawn later for an expert who left (5.1: 补抽), stamped when answered."""
        found = self._pick_leaver(
            incident, lambda lv: lv.replaced_at is None, "expert_replaced_which"
        )
        if found is not None:
            n, leaver = found
            self.record(expert_replaced_event(self.clock(), n, leaver.left_at))

    def _pick_leaver(
        self, incident: Incident, open_: Callable[[Leaver], bool], which: str
    ) -> tuple[int, Leaver] | None:
        """The early leaver (1-based number) an act is for: the only one still ``open_``, or
        the one chosen; ``None`` when the witness goes back."""
        choices = [
            (WIZARD["expert_replaced_item"].format(left=format_dt(lv.left_at)), str(n))
            for n, lv in enumerate(incident.leavers, start=1)
            if open_(lv)
        ]
        if len(choices) == 1:
            answer = choices[0][1]
        else:
            answer = prompts.select(WIZARD[which], [*choices, (WIZARD["back"], BACK)])
            if answer == BACK:
                return None
        return int(answer), incident.leavers[int(answer) - 1]

    def _ask_with_back(self, index: int) -> None:
        """Ask ``history[index]`` again; "back" there goes one further back. An answer the
        engine would no longer ask for, given the answers before it, is passed over."""
        while index >= 0:
            if not self._would_be_asked(index):
                index -= 1
                continue
            try:
                self.ask_field(self.history[index], back=index > 0)
                return
            except _Back:
                index -= 1
            except _Later:
                return

    def _would_be_asked(self, index: int) -> bool:
        name = self.history[index]
        if name in (PROJECT, STARTED, Fact.STAGE.value, Fact.FAULT.value):
            return True
        incident = self.load()
        earlier = set(self.history[:index])
        # Forget this answer and every one given after it: would the engine ask for it?
        case = incident.state
        for fact in Fact:
            if fact not in (Fact.STAGE, Fact.FAULT) and fact.value not in earlier:
                case = with_value(case, F.BY_KEY[fact.value], None)
        situation = case.situation
        now = decision_time(incident, self.clock())
        try:
            decision = self.runtime.decide(situation, now)
        except UserError:
            return True
        return Fact(name) in decision.missing

    def ask_details(self, incident: Incident) -> None:
        """The written record's cause, course and measures (4.3, 5.4), each editable."""
        changed: dict[str, str] = {}
        old: dict[str, str] = {}
        for key, (_, question) in DETAIL_PROMPTS.items():
            before = str(incident.value(key) or "")
            after = prompts.text(question, default=before)
            if after != before:
                changed[key], old[key] = after, before
        if changed:
            self.record(details_event(self.clock(), changed, old))

    def mark_resolved(self, incident: Incident) -> None:
        """ "故障已排除" asks when (default now); it can be corrected later, never rewritten."""
        try:
            when = self.ask_when(
                WIZARD["resolved_when"], what="故障排除时间", onset=incident.started_at
            )
        except prompts.GoBack:
            return
        if incident.started_at is not None and when < incident.started_at:
            prompts.hint(WIZARD["resolved_before_onset"].format(at=format_dt(incident.started_at)))
            return
        self.record(resolved_event(self.clock(), when, incident.resolved_at))

    def correct_resolved(self, incident: Incident) -> None:
        old = incident.resolved_at
        answer = prompts.select(
            WIZARD["resolved_fix_question"],
            [
                (WIZARD["resolved_fix_time"], "time"),
                (WIZARD["resolved_undo"], "undo"),
                (WIZARD["back"], BACK),
            ],
        )
        if answer == "undo":
            self.record(resolved_event(self.clock(), None, old))
        elif answer == "time":
            when = self.ask_when(
                WIZARD["resolved_when"],
                current=old,
                what="故障排除时间",
                onset=incident.started_at,
            )
            if when != old:
                self.record(resolved_event(self.clock(), when, old))

    # ----------------------------------------------------------------- one question

    def ask_field(self, name: str, *, back: bool, decision: Decision | None = None) -> None:
        """Ask one field; record it when it is new or changed. Raises ``_Back``."""
        incident = self.load()
        if name == PROJECT:
            self._ask_project(incident, back)
        elif name == STARTED:
            self._ask_started(incident, back)
        else:
            self._ask_fact(Fact(name), incident, back, decision)
        if name not in self.history:
            self.history.append(name)

    def _choose(
        self, message: str, choices: list[tuple[str, str]], default: object, back: bool
    ) -> str:
        if back:
            choices = [*choices, (WIZARD["back"], BACK)]
        answer = prompts.select(message, choices, default=None if default is None else str(default))
        if answer == BACK:
            raise _Back
        return answer

    def _ask_fact(
        self, fact: Fact, incident: Incident, back: bool, decision: Decision | None
    ) -> None:
        words = self._words(incident)
        stage, fault = incident.situation.stage, incident.situation.fault
        judge = JUDGES.get(fault.value if fault else "", "技术人员")
        texts = EVALUATION_QUESTIONS.get(fact) if stage is Stage.EVALUATION else None
        question, hint = (t.format(**words, judge=judge) for t in texts or FACT_QUESTIONS[fact])
        if fact is Fact.WITHIN_2H and decision is not None and decision.two_hour_line:
            hint += f"（2小时节点：{format_dt(decision.two_hour_line)}）"
        if fact is Fact.PLAN and fault is Fault.SYSTEM and stage:
            from qdplan_cli.plan.decide import FAULT_CLAUSES

            clause = clause_label(FAULT_CLAUSES[(stage, Fault.SYSTEM)])
            hint += WIZARD["plan_system_only"].format(clause=f"依据 {clause}")
        prompts.hint(hint)
        current: object = incident.value(fact.value)
        choices: list[tuple[str, str]]
        if fact is Fact.STAGE:
            choices = self._stage_choices(incident)
        elif fact is Fact.FAULT:
            choices = [(FAULT_LABELS[f], f.value) for f in Fault]
        elif fact is Fact.PLAN:
            from qdplan_cli.plan.decide import allowed_plans

            allowed = allowed_plans(stage, fault) if stage and fault else (1, 2, 3)
            choices = [
                (plan_label(p, stage, self._project_type(incident)), str(p)) for p in allowed
            ]
            if self._plan_by_the_clock(incident, decision):
                # The 2-hour question was skipped (the line has passed): a keystroke meant for
                # it lands on "not yet", never on a plan.
                line = decision.two_hour_line if decision is not None else None
                prompts.alarm(WIZARD["plan_after_line"].format(line=format_dt(line), **words))
                choices.insert(0, (WIZARD["plan_later"].format(**words), LATER))
        else:
            choices = [(YES_NO[0], "true"), (YES_NO[1], "false")]
            if incident.resolved_at is None:
                choices.append((WIZARD["resolved"], RESOLVED))
            if current is not None:
                current = "true" if current else "false"
        if isinstance(current, Stage | Fault):
            current = current.value
        answer = self._choose(question, choices, current, back)
        if answer == LATER:
            raise _Later
        if answer == RESOLVED:
            self.mark_resolved(incident)
            return
        value: F.Value = answer
        if fact is Fact.PLAN:
            value = check_plan(int(answer), fact.value)
        elif fact is Fact.STAGE:
            value = Stage(answer)
        elif fact is Fact.FAULT:
            value = Fault(answer)
        else:
            value = answer == "true"
        old = incident.value(fact.value)
        if value != old:
            self.record(answer_event(self.clock(), fact.value, value, old))

    @staticmethod
    def _plan_by_the_clock(incident: Incident, decision: Decision | None) -> bool:
        """The plan is asked because the 2-hour line passed, not because the witness answered
        that the fault cannot be solved within 2 hours (and no plan was chosen yet)."""
        return (
            decision is not None
            and decision.two_hour_line is not None
            and decision.now is not None
            and decision.now >= decision.two_hour_line
            and incident.situation.within_2h is not False
            and incident.situation.plan is None
        )

    def _ask_started(self, incident: Incident, back: bool) -> None:
        now = self.clock()
        current = incident.started_at
        choices = []
        if current is not None:
            # Just created: the onset defaults to the launch time, which reads as "just now".
            fresh = abs((now - current).total_seconds()) < 120
            label = WIZARD["started_now" if fresh else "started_keep"]
            choices.append((label.format(time=format_dt(current)), "keep"))
            if not fresh:
                choices.append((WIZARD["started_now"].format(time=format_dt(now)), "now"))
        else:
            choices.append((WIZARD["started_now"].format(time=format_dt(now)), "now"))
        choices.append((WIZARD["started_other"], "other"))
        answer = self._choose(WIZARD["started_question"], choices, None, back)
        if answer == "keep":
            return
        if answer == "now":
            value = self.clock()  # stamped when answered, not when the menu was drawn
        else:
            raw = prompts.text(
                WIZARD["started_input"],
                validate=lambda t: _onset_problem(t, self.clock(), incident.resolved_at),
            )
            value = parse_clock_time(raw, self.clock())
            _say_back(raw, self.clock())
        if value != current:
            self.record(answer_event(self.clock(), STARTED, value, current))

    def _ask_project(self, incident: Incident, back: bool) -> None:
        """One keystroke: the recorded project, the offered one (the last incident's or the
        prepared file), or later (the hub offers it until a document needs it)."""
        current = incident.project
        offered = self.prefill
        if project_filled(current):
            choices = [
                (WIZARD["project_keep"].format(summary=project_summary(current)), "keep"),
                (WIZARD["project_edit"], "edit"),
                (WIZARD["project_new"], "new"),
            ]
        elif offered is not None and project_filled(offered):
            key = "project_keep_file" if self.prefill_from_file else "project_keep_last"
            choices = [
                (WIZARD[key].format(summary=project_summary(offered)), "offered"),
                (WIZARD["project_new"], "new"),
                (WIZARD["project_edit_offered"], "edit_offered"),
                (WIZARD["project_later"], "later"),
            ]
        else:
            choices = [
                (WIZARD["project_later_kind"].format(kind=PROJECT_TYPE_LABELS[t]), f"later:{t}")
                for t in ProjectType
            ]
            choices.append((WIZARD["project_now"], "new"))
        answer = self._choose(WIZARD["project_question"], choices, None, back)
        new: Project
        if answer == "keep":
            return
        if answer == "offered" and offered is not None:
            new = offered
        elif answer == "later":
            new = Project(type=offered.type if offered is not None else ProjectType.CONSTRUCTION)
        elif answer.startswith("later:"):
            new = Project(type=ProjectType(answer.removeprefix("later:")))
        else:
            bases = {"edit": current, "edit_offered": offered}
            prompts.hint(WIZARD["project_first"])
            new = self._project_form(bases.get(answer) or Project())
        if new != current:
            self.record(project_event(self.clock(), new, current))

    def _project_form(self, base: Project) -> Project:
        """The ``[project]`` fields of the field table, asked in its order (each checked by it),
        in the words of the project's type once it is chosen (招标人 or 采购人 …)."""
        case = Case(project=base)
        words = terms(base.type)
        for spec in F.PROJECT:
            if F.Shown.WIZARD not in spec.shown:
                continue  # kept as it was (a case file's: the tenderer's contact, addresses)
            before = case_value(case, spec)
            value: F.Value
            if spec.kind is F.Kind.PROJECT_TYPE:
                value = ProjectType(
                    prompts.select(
                        PROJECT_FIELD_PROMPTS[spec.key],
                        [(PROJECT_TYPE_LABELS[t], t.value) for t in ProjectType],
                        default=base.type.value,
                    )
                )
                words = terms(value)
            elif spec.kind is F.Kind.TIME:
                default = before.strftime("%Y-%m-%d %H:%M") if isinstance(before, datetime) else ""
                raw = prompts.text(
                    PROJECT_FIELD_PROMPTS[spec.key],
                    default=default,
                    validate=lambda t: _time_problem(t, self.clock(), allow_empty=True),
                )
                value = parse_clock_time(raw, self.clock()) if raw else None
                if raw:
                    _say_back(raw, self.clock())
            else:
                question = PROJECT_FIELD_PROMPTS[spec.key].format(**words)
                raw = prompts.text(question, default=str(before or ""))
                value = F.read_value(spec, raw) if raw else None
            case = with_value(case, spec, value)
        return case.project


def project_filled(project: Project) -> bool:
    """Anything beyond the type: a project the witness would recognise."""
    return replace(project, type=ProjectType.CONSTRUCTION) != Project()

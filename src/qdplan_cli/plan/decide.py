"""The emergency plan as a pure decision function: the flows of 第四条（一）、第四条（二）、第五条.

``decide(situation, now)`` reads no clock, touches no file and prints nothing. The wording of
every step, its clause, who does it and whom it reaches are in ``clauses`` (the plan as a table,
4.1.1 … 5.5); this module only decides which steps apply and fills in the case's moments.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from qdplan_cli.plan.clauses import (
    FEE_CLAUSES,
    PLAN_CLAUSES,
    RECORD_CLAUSES,
    wording,
)
from qdplan_cli.plan.errors import PlanNotAllowedError, UserError
from qdplan_cli.plan.labels import (
    PLAN_NUMERALS,
    WEEKDAYS,
    clause_label,
    plan_label,
    role_label,
    stage_label,
    terms,
)
from qdplan_cli.plan.model import (
    Decision,
    Document,
    Fact,
    Fault,
    Outcome,
    Role,
    Situation,
    Stage,
    Step,
    check_plan,
)
from qdplan_cli.plan.times import format_dt

if TYPE_CHECKING:  # workdays (and holidays behind it) load only when a rule needs a calendar
    from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar

TWO_HOURS = timedelta(hours=2)  # 4.2.x, 5.x: 故障在2小时内可以解决 / 无法解决
NOTICE_LEAD = timedelta(hours=2)  # 4.1.x: 新的开标时间应在延迟开标公告发布2小时之后

R = Role

# The clause of each stage × fault paragraph.
FAULT_CLAUSES: dict[tuple[Stage, Fault], str] = {
    (Stage.PREP, Fault.NETWORK): "4.1.1",
    (Stage.PREP, Fault.SYSTEM): "4.1.2",
    (Stage.PREP, Fault.POWER): "4.1.3",
    (Stage.OPENING, Fault.NETWORK): "4.2.1",
    (Stage.OPENING, Fault.SYSTEM): "4.2.2",
    (Stage.OPENING, Fault.POWER): "4.2.3",
    (Stage.EVALUATION, Fault.NETWORK): "5.1",
    (Stage.EVALUATION, Fault.SYSTEM): "5.2",
    (Stage.EVALUATION, Fault.POWER): "5.3",
}

# 4.3: 开标准备阶段的记录由招标人和代理机构签字确认，开标过程中的记录由招标人、代理机构和见证人共同签字确认;
# 5.4: 由招标人、代理机构和见证人共同签字确认.
SIGNATORIES = {
    Stage.PREP: (R.TENDERER, R.AGENCY),
    Stage.OPENING: (R.TENDERER, R.AGENCY, R.WITNESS),
    Stage.EVALUATION: (R.TENDERER, R.AGENCY, R.WITNESS),
}


def allowed_plans(stage: Stage, fault: Fault) -> tuple[int, ...]:
    """4.2.2 and 5.2: a system fault allows plans 2 and 3 only; prep has no plans at all."""
    if stage is Stage.PREP:
        return ()
    if fault is Fault.SYSTEM:
        return (2, 3)
    return (1, 2, 3)


def needs_calendar(situation: Situation) -> bool:
    """Whether the working-day calendar or business hours can change the decision: only the
    times of a published notice, an issued supplementary notice or a proposed new time do."""
    s = situation
    return any(t is not None for t in (s.notice_published_at, s.supplement_issued_at, s.new_time))


def two_hour_line(situation: Situation) -> datetime | None:
    """Onset + 2 h: past it, uncleared, the three plans apply (4.2.x, 5.x)."""
    return situation.started_at + TWO_HOURS if situation.started_at else None


def plan_committed(s: Situation) -> bool:
    """A chosen plan stands once filed with the supervisor, or (方案三 at opening) once the
    supplementary notice was issued: 经监管部门备案后现场公布 means it was filed first."""
    if s.plan is None or s.stage not in (Stage.OPENING, Stage.EVALUATION):
        return False
    if s.plan_filed_at is not None:
        return True
    return s.plan == 3 and s.stage is Stage.OPENING and s.supplement_issued_at is not None


def earliest_after_delay_notice(published_at: datetime) -> datetime:
    """4.1.x: 原则上新的开标时间应在延迟开标公告发布2小时之后."""
    return published_at + NOTICE_LEAD


def reopening_days(issued_at: datetime, calendar: WorkCalendar) -> tuple[date, date]:
    """4.2.1 方案三: 重新开标时间自发出补充通知之日起不少于1个工作日 → (the full day, the day).

    Safe reading: the day of issue is not counted (民法典 第二百零一条); the first full working
    day after it is the one working day; the earliest reopening is the start of business of the
    next working day after that. Issued Wed 2026-11-25 → Thu is the day → Fri 2026-11-27 09:00.
    """
    full_day = calendar.next_working_day(issued_at.date())
    return full_day, calendar.next_working_day(full_day)


def earliest_reopening(
    issued_at: datetime, calendar: WorkCalendar, hours: BusinessHours
) -> datetime:
    _, reopening_day = reopening_days(issued_at, calendar)
    return datetime.combine(reopening_day, hours.start, issued_at.tzinfo)


def _day(day: date, *, year: bool = True) -> str:
    prefix = f"{day.year}年" if year else ""
    return f"{prefix}{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def _check_times(s: Situation) -> None:
    if s.started_at and s.resolved_at and s.resolved_at < s.started_at:
        raise UserError("故障恢复时间早于故障发生时间", field="resolved_at")
    if s.plan is not None:
        check_plan(s.plan)


def decide(
    situation: Situation,
    now: datetime,
    *,
    calendar: WorkCalendar | None = None,
    hours: BusinessHours | None = None,
) -> Decision:
    """What the emergency plan says for ``situation`` at ``now``."""
    s = situation
    _check_times(s)
    if s.stage is None or s.fault is None:
        missing = tuple(f for f, v in ((Fact.STAGE, s.stage), (Fact.FAULT, s.fault)) if v is None)
        return Decision(
            outcome=Outcome.NEED_INPUT,
            stage=s.stage,
            fault=s.fault,
            project_type=s.project_type,
            missing=missing,
            now=now,
        )
    ctx = _Context(s, now, calendar, hours)
    if s.stage is Stage.PREP:
        return ctx.prep()
    return ctx.in_session()


class _Context:
    """One decision in the making: the situation, the moment, and the steps gathered so far."""

    def __init__(
        self,
        s: Situation,
        now: datetime,
        calendar: WorkCalendar | None,
        hours: BusinessHours | None,
    ) -> None:
        self.s = s
        self.now = now
        self._calendar = calendar
        self._hours = hours
        assert self.s.stage is not None and self.s.fault is not None
        self.stage: Stage = self.s.stage
        self.fault: Fault = self.s.fault
        self.clause = FAULT_CLAUSES[(self.stage, self.fault)]
        self.words = terms(s.project_type)
        self.steps: list[Step] = []
        self.warnings: list[str] = []
        self.committed = False

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            # No calendar given: the package's State Council schedule, with no cache and no
            # user years (``plan.calendar.STANDARD``). The Runtime passes the configured one.
            from qdplan_cli.plan.calendar import STANDARD

            self._calendar = STANDARD
        return self._calendar

    @property
    def hours(self) -> BusinessHours:
        if self._hours is None:
            from qdplan_cli.plan.calendar import BusinessHours

            self._hours = BusinessHours()
        return self._hours

    # ----------------------------------------------------------------- shared pieces

    def step(self, key: str, clause: str | None = None, **values: str) -> None:
        """Put the table's step ``key`` of ``clause`` (default: this fault's) on the checklist."""
        listed = clause or self.clause
        w = wording(listed, key)
        text = w.text.format(**self.words, **values)
        # A borrowed sentence cites the clause whose words it is, marked 参照 (w.cites); its key
        # names it in the table where it is listed (``4.2.1:filed``): ticks are recorded by it.
        cited = w.cites or listed
        self.steps.append(
            Step(
                w.kind,
                text,
                cited,
                w.by,
                w.to,
                w.if_needed,
                w.analogy,
                w.reading,
                key=f"{listed}:{key}",
            )
        )

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _finish(
        self,
        outcome: Outcome,
        *,
        missing: tuple[Fact, ...] = (),
        documents: tuple[Document, ...] = (),
        allowed: tuple[int, ...] = (),
        plan: int | None = None,
        earliest: datetime | None = None,
        suggested: datetime | None = None,
        within_2h: bool | None = None,
        fixed: bool | None = None,
    ) -> Decision:
        signers = SIGNATORIES[self.stage]
        who = "、".join(role_label(r, self.s.project_type) for r in signers)
        self.step("record", RECORD_CLAUSES[self.stage], signers=who)
        if outcome is not Outcome.NEED_INPUT:
            documents = (Document.INCIDENT_RECORD, *documents)
        return Decision(
            outcome=outcome,
            stage=self.stage,
            fault=self.fault,
            project_type=self.s.project_type,
            missing=missing,
            allowed_plans=allowed,
            plan=plan,
            signatories=signers,
            documents=documents,
            steps=tuple(self.steps),
            earliest_new_time=earliest,
            suggested_new_time=suggested,
            two_hour_line=two_hour_line(self.s) if self.stage is not Stage.PREP else None,
            # 4.1.x turn on the bid deadline (投标截止时间): the prep checklist shows it.
            bid_deadline=self.s.bid_deadline if self.stage is Stage.PREP else None,
            within_2h=within_2h,
            fixed_before_deadline=fixed,
            now=self.now,
            warnings=tuple(self.warnings),
            committed=self.committed,
            resolved_at=self.s.resolved_at,
            override_reason=self.s.override_reason if self.s.override_reason else None,
        )

    def _check_year(self, *moments: datetime) -> None:
        for year in sorted({m.year for m in moments}):
            if self.calendar.is_estimated(year):
                self.warn(
                    f"{year} 年的国务院节假日安排尚未收录，工作日按推定计算：推定时假期按近年最长的"
                    "安排、不计调休上班日，算出的时间只会偏晚，不会偏早。请核对国务院办公厅通知，"
                    f"并用 --calendar 节假日日历文件（[years.{year}] 的 holidays、workdays）"
                    "或配置 [calendar] file 补充该年安排"
                )

    def _check_new_time(self, earliest: datetime | None, what: str, rule: str) -> None:
        new_time = self.s.new_time
        if new_time is None:
            return
        if earliest is not None and new_time < earliest:
            # 原则上: the minimum is the rule, not the law — a stated reason may depart from it.
            reason = self.s.override_reason
            if reason:
                self.warn(
                    f"拟定的新{what}时间 {format_dt(new_time)} 早于原则上的最早时间 "
                    f"{format_dt(earliest)}（{rule}）；按“原则上”的例外处理，理由：{reason}"
                    "（理由写入时间线和书面记录）"
                )
            else:
                self.warn(
                    f"拟定的新{what}时间 {format_dt(new_time)} 早于原则上的最早时间 "
                    f"{format_dt(earliest)}（{rule}）；确有理由偏离“原则上”的，须写明例外理由"
                    "（--override-reason）"
                )
        if not self.hours.contains(new_time, self.calendar):
            self._check_year(new_time)
            self.warn(f"拟定的新{what}时间 {format_dt(new_time)} 不在工作日的工作时间内")

    def _check_onset(self) -> None:
        started = self.s.started_at
        if (
            started is not None
            and self.s.resolved_at is None
            and started > self.now + timedelta(minutes=5)
        ):
            self.warn(
                f"故障发生时间 {format_dt(started)} 晚于当前时间 {format_dt(self.now)}，请核对"
            )

    def _actual_times(self) -> None:
        """A decision stands; the record says the fault was in the end fixed sooner (4.3, 5.4)."""
        if self.s.resolved_at is not None:
            self.step(
                "actual_times", RECORD_CLAUSES[self.stage], resolved=format_dt(self.s.resolved_at)
            )

    # ----------------------------------------------------------------- 4.1 preparation

    def _settle_fixed_before_deadline(self) -> bool | None:
        """Prep: with the bid deadline known, the clock settles fixed_before_deadline (4.1.x)."""
        s = self.s
        estimate = s.fixed_before_deadline
        deadline = s.bid_deadline
        if deadline is None:
            return estimate
        if s.resolved_at is not None:
            actual = s.resolved_at <= deadline
        elif self.now > deadline:
            actual = False
        else:
            return estimate
        if estimate is not None and estimate != actual:
            self.warn(
                f"按{self.words['deadline']}（{format_dt(deadline)}）与恢复时间，故障"
                f"{'已' if actual else '未'}在{self.words['deadline']}前修复，"
                "与填报的情况不符，以实际时间为准"
            )
        return actual

    def prep(self) -> Decision:
        s = self.s
        if s.plan is not None:
            raise PlanNotAllowedError(
                "开标准备阶段不适用三种方案：方案仅适用于开标过程中和"
                f"{stage_label(Stage.EVALUATION, s.project_type)}2小时内无法解决的故障"
                f"（依据 {clause_label('4.2.1')}、{clause_label('5.1')}）",
                field="plan",
            )
        fixed = self._settle_fixed_before_deadline()
        self._check_onset()
        self.step("call")
        if self.fault is Fault.NETWORK:
            self.step("try")

        if s.notice_published_at is not None:
            # A published delay notice stands (PLAN.md, "Commitments stand").
            self.committed = True
            if fixed is True and self.fault is Fault.SYSTEM:
                return self._prep_parties_decide(fixed)  # 4.1.2: they decided to postpone
            if fixed is True or (s.fallback_works is True and s.bidders_can_sign_in is True):
                self.warn(
                    f"延迟开标公告已于 {format_dt(s.notice_published_at)} 发布：按已发布的公告延迟开标，"
                    "不因故障随后修复而恢复原定开标；实际修复时间写入书面记录"
                )
            return self._prep_delay_notice(fixed)

        if fixed is True:
            if self.fault is Fault.SYSTEM:
                return self._prep_parties_decide(fixed)
            deadline = s.bid_deadline
            if s.resolved_at is not None and deadline is not None and s.resolved_at <= deadline:
                self.step("proceed_fixed", resolved=format_dt(s.resolved_at))
            else:
                self.step("proceed_fixable")
            return self._finish(Outcome.PROCEED, fixed=fixed)

        if self.fault is Fault.NETWORK:
            fallback, sign_in = s.fallback_works, s.bidders_can_sign_in
            if fallback is True and sign_in is True:
                self.step("proceed_fallback")
                return self._finish(Outcome.PROCEED, fixed=fixed)
            if fallback is not False and sign_in is not False:
                # The fallback has not been tried (or sign-in not checked) yet.
                missing = tuple(
                    f
                    for f, v in (
                        (Fact.FALLBACK_WORKS, fallback),
                        (Fact.BIDDERS_CAN_SIGN_IN, sign_in),
                        (Fact.FIXED_BEFORE_DEADLINE, fixed),
                    )
                    if v is None
                )
                return self._finish(Outcome.NEED_INPUT, missing=missing, fixed=fixed)
            # 4.1.1: 若更换网络后仍无法进行开标准备，或到大厅现场投标人员无法网上签到，影响按时开标的……
        if fixed is None:
            return self._finish(
                Outcome.NEED_INPUT, missing=(Fact.FIXED_BEFORE_DEADLINE,), fixed=fixed
            )
        return self._prep_delay_notice(fixed)

    def _prep_parties_decide(self, fixed: bool) -> Decision:
        # 4.1.2: 系统故障在投标截止时间前可修复的，由代理机构会同招标人研究决定是否延期开标
        self.step("parties_decide")
        self.step("parties_delay")
        documents: tuple[Document, ...] = ()
        earliest = suggested = None
        if self.s.notice_published_at is not None:  # they decided to postpone: it stands
            documents = (Document.DELAY_NOTICE,)
            earliest, suggested = self._delay_notice_time()
            self.step("notice_stands", published=format_dt(self.s.notice_published_at))
            self._actual_times()
        return self._finish(
            Outcome.PARTIES_DECIDE,
            documents=documents,
            earliest=earliest,
            suggested=suggested,
            fixed=fixed,
        )

    def _delay_notice_time(self) -> tuple[datetime | None, datetime | None]:
        published = self.s.notice_published_at
        rule = f"原则上在延迟开标公告发布2小时之后，{clause_label(self.clause)}"
        if published is None:
            self.step("notice_time_pending")
            self._check_new_time(None, "开标", rule)
            return None, None
        earliest = earliest_after_delay_notice(published)
        suggested = None
        self.step("notice_time", published=format_dt(published), earliest=format_dt(earliest))
        if not self.hours.contains(earliest, self.calendar):
            self._check_year(earliest)
            suggested = self.hours.next_slot(earliest, self.calendar)
            self._check_year(suggested)
            self.warn(
                f"原则上的最早时间 {format_dt(earliest)} 不在工作日的工作时间"
                f"（{self.hours.start:%H:%M}–{self.hours.end:%H:%M}）内，"
                f"建议改为 {format_dt(suggested)}"
            )
        self._check_new_time(earliest, "开标", rule)
        return earliest, suggested

    def _prep_delay_notice(self, fixed: bool | None) -> Decision:
        s = self.s
        self.step("delay_notice")
        self.step("publish_notice")
        earliest, suggested = self._delay_notice_time()
        if s.notice_published_at is not None:
            self.step("notice_stands", published=format_dt(s.notice_published_at))
            self._actual_times()
        # 4.4 (reading): a delay to a later day is 择期另行开标 — experts drawn again.
        original = s.bid_deadline or s.started_at
        if s.new_time is not None and original is not None:
            if s.new_time.date() > original.date():
                self.step("prep_other_day", "4.4", new_day=_day(s.new_time.date()))
        else:
            self.step("prep_maybe_other_day", "4.4")
        return self._finish(
            Outcome.DELAY_NOTICE,
            documents=(Document.DELAY_NOTICE,),
            earliest=earliest,
            suggested=suggested,
            fixed=fixed,
        )

    # ----------------------------------------------------------------- 4.2 opening, 5 evaluation

    def _settle_within_2h(self) -> bool | None:
        """The clock settles within_2h when it can (PLAN.md, Decisions)."""
        s = self.s
        estimate = s.within_2h
        line = two_hour_line(s)
        if line is None:
            return estimate
        if s.resolved_at is not None:
            actual = s.resolved_at <= line
            # A committed plan stands: its own warning says the fix came sooner (_choose_plan).
            if estimate is not None and estimate != actual and not self.committed:
                self.warn(
                    f"按故障发生（{format_dt(s.started_at)}）与恢复（{format_dt(s.resolved_at)}）"
                    f"时间，故障{'已' if actual else '未'}在2小时内解决，与填报的预计不符，以实际时间为准"
                )
            return actual
        if self.now > line:
            if estimate is True:
                self.warn(
                    f"已过2小时节点（{format_dt(line)}）仍未恢复，按“2小时内无法解决”处理，"
                    "不再采用技术人员的预计"
                )
            return False
        return estimate

    def in_session(self) -> Decision:
        s = self.s
        allowed = allowed_plans(self.stage, self.fault)
        if s.plan is not None and s.plan not in allowed:
            raise PlanNotAllowedError(
                f"{stage_label(self.stage, s.project_type)}电子交易系统故障只能选择方案二或方案三，"
                f"不能选择{PLAN_NUMERALS[s.plan]}（依据 {clause_label(self.clause)}）",
                field="plan",
            )
        self.committed = plan_committed(s)
        within = self._settle_within_2h()
        self._check_onset()

        if self.fault is Fault.NETWORK:
            for key in ("call", "call_if_needed", "try_fallback", "try_fix"):
                self.step(key)
            fallback, quick_fix = s.fallback_works, s.quick_fix_works
            if (fallback is True or quick_fix is True) and not self.committed:
                self.step("proceed_fallback" if fallback else "proceed_fix")
                if s.plan is not None:
                    # A plan chosen but neither filed nor announced gives way, and says so.
                    how = "更换应急网络后" if fallback else "经简单维修后"
                    self.warn(
                        f"已填报{PLAN_NUMERALS[s.plan]}，但{how}可正常进行：按计划正常进行"
                        f"（{clause_label(self.clause)}），所填方案不再执行；方案尚未备案或公布。"
                        "如方案已报监管部门备案或已公布，请填写备案时间（plan_filed_at）"
                    )
                return self._finish(Outcome.PROCEED, within_2h=within)
            if (fallback is None or quick_fix is None) and not self.committed:
                missing = tuple(
                    f
                    for f, v in (
                        (Fact.FALLBACK_WORKS, fallback),
                        (Fact.QUICK_FIX_WORKS, quick_fix),
                        (Fact.WITHIN_2H, within),
                    )
                    if v is None
                )
                return self._finish(Outcome.NEED_INPUT, missing=missing, within_2h=within)
            self.step("consult")
        elif self.fault is Fault.SYSTEM:
            self.step("call")
            self.step("keep_data")
        else:
            self.step("call")

        if self.committed:
            return self._choose_plan(allowed, within)
        if within is None:
            return self._finish(Outcome.NEED_INPUT, missing=(Fact.WITHIN_2H,), within_2h=within)
        if within:
            if s.plan is not None:
                self.warn(
                    f"已填报{PLAN_NUMERALS[s.plan]}，但三种方案只适用于故障在2小时内无法解决的情形"
                    f"（{clause_label(PLAN_CLAUSES[self.stage])}）；方案尚未备案或公布，按等候修复处理。"
                    "如方案已报监管部门备案或已公布，请填写备案时间（plan_filed_at）"
                )
            return self._wait_and_resume()
        return self._choose_plan(allowed, within)

    def _wait_and_resume(self) -> Decision:
        documents: tuple[Document, ...] = ()
        self.step("wait")
        if self.stage is Stage.EVALUATION:
            # 5.1 spells out fees, early leavers and confidentiality while waiting; 5.2 and 5.3
            # say only "wait": there the table marks them 参照 第五条 1 (a reading of ours).
            # 5.5 covers fees and replacement draws in every evaluation case.
            for key in ("fee_running", "leaving", "secrecy"):
                self.step(key)
            if self.s.expert_left_early:
                documents = (Document.CONFIDENTIALITY_COMMITMENT,)
        self.step("fees", FEE_CLAUSES[self.stage])
        return self._finish(Outcome.WAIT_AND_RESUME, documents=documents, within_2h=True)

    def _choose_plan(self, allowed: tuple[int, ...], within: bool | None) -> Decision:
        s, stage = self.s, self.stage
        plan_clause = PLAN_CLAUSES[stage]
        # The 2-hour line itself heads the checklist. 4.2.2/4.2.3 and 5.2/5.3 borrow the
        # confidentiality sentence of 4.2.1/5.1: the table marks it 参照 there.
        self.step("beyond")
        self.step("choose")
        self.step("fees", FEE_CLAUSES[stage])
        documents: tuple[Document, ...] = (Document.FILING_REPORT,)
        if s.plan is None:
            return self._finish(
                Outcome.CHOOSE_PLAN,
                missing=(Fact.PLAN,),
                documents=documents,
                allowed=allowed,
                within_2h=False,
            )
        name = plan_label(s.plan, stage, s.project_type)
        if not self.committed:
            self.step("filed", plan_clause, plan_name=name)
        else:
            filed = s.plan_filed_at or s.supplement_issued_at
            assert filed is not None
            self.step("stands", plan_clause, plan_name=name, filed=format_dt(filed))
            if within is True or s.fallback_works is True or s.quick_fix_works is True:
                fixed = f"已于 {format_dt(s.resolved_at)} 排除" if s.resolved_at else "已可继续"
                self.warn(
                    f"故障{fixed}，但{name}已于 {format_dt(filed)} 备案（公布）："
                    "按已选择的方案执行，实际时间写入书面记录"
                )
            self._actual_times()
        earliest: datetime | None = None
        if stage is Stage.OPENING:
            documents, earliest = self._opening_plan(s.plan, plan_clause, documents)
        else:
            documents = self._evaluation_plan(s.plan, plan_clause, documents)
        return self._finish(
            Outcome.CHOOSE_PLAN,
            documents=documents,
            allowed=allowed,
            plan=s.plan,
            earliest=earliest,
            within_2h=within if self.committed else False,
        )

    def _opening_plan(
        self, plan: int, c: str, documents: tuple[Document, ...]
    ) -> tuple[tuple[Document, ...], datetime | None]:
        if plan == 1:
            for key in ("report", "plan1_room", "plan1_move"):
                self.step(key, c)
            return documents, None
        if plan == 2:
            self.step("plan2_wait", c)
            return documents, None
        self.step("plan3_supplement", c)
        self.step("plan3_republish", c)
        self.step("plan3_reopen", c)  # 后期根据重新确定的时间和地点开标、评标
        earliest = None
        issued = self.s.supplement_issued_at
        if issued is None:
            self.step("plan3_time_pending", c)
        else:
            full_day, _ = reopening_days(issued, self.calendar)
            earliest = earliest_reopening(issued, self.calendar, self.hours)
            self._check_year(issued, earliest)
            self.step(
                "plan3_time",
                c,
                issued=format_dt(issued),
                full_day=_day(full_day, year=False),  # the day after the full date
                earliest=format_dt(earliest),
            )
        rule = f"原则上自发出补充公告之日起不少于1个工作日，{clause_label(c)} 方案三"
        self._check_new_time(earliest, "开标", rule)
        self.step("redraw", "4.4")
        return (*documents, Document.SUPPLEMENTARY_NOTICE), earliest

    def _evaluation_plan(
        self, plan: int, c: str, documents: tuple[Document, ...]
    ) -> tuple[Document, ...]:
        if plan in (1, 2):
            keys = (
                ("report", "plan1_room", "plan1_move")
                if plan == 1
                else ("plan2_report", "plan2_closure", "plan2_move")  # 5.1 方案二: 及时报告
            )
            for key in keys:
                self.step(key, c)
            self.step("plan_fees", c)
            # Reading: an expert who leaves during the longer wait is in the same position as
            # one who leaves during a wait of under 2 hours — 5.1 applied by analogy.
            self.step("leaving_by_analogy", c)
            if plan == 2:
                documents = (*documents, Document.CLOSURE_PLAN)
            if self.s.expert_left_early:
                documents = (*documents, Document.CONFIDENTIALITY_COMMITMENT)
            return documents
        for key in ("plan3_decision", "plan3_commitment", "plan3_new_time"):
            self.step(key, c)
        self.step("redraw", "5.5")
        self._check_new_time(None, self.words["evaluation"], "")
        return (*documents, Document.EVALUATION_RESCHEDULE, Document.CONFIDENTIALITY_COMMITMENT)

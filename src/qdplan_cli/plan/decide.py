"""The emergency plan as a pure decision function.

``decide(situation, now)`` reads no clock, touches no file and prints nothing; every step it
returns cites the clause of 开评标应急预案 it comes from (ids as in PLAN.md, labels in ``labels``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from qdplan_cli.plan.errors import PlanNotAllowedError, UserError
from qdplan_cli.plan.labels import PLAN_LABELS, STAGE_LABELS, clause_label, role_label, terms
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
    StepKind,
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
# 4.2.1 and 5.1 define the three plans that 4.2.2/4.2.3 and 5.2/5.3 refer to (前述三种方案).
PLAN_CLAUSES = {Stage.OPENING: "4.2.1", Stage.EVALUATION: "5.1"}
RECORD_CLAUSES = {Stage.PREP: "4.3", Stage.OPENING: "4.3", Stage.EVALUATION: "5.4"}
FEE_CLAUSES = {Stage.OPENING: "4.4", Stage.EVALUATION: "5.5"}

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


def earliest_after_delay_notice(published_at: datetime) -> datetime:
    """4.1.x: 原则上新的开标时间应在延迟开标公告发布2小时之后."""
    return published_at + NOTICE_LEAD


def earliest_reopening(
    issued_at: datetime, calendar: WorkCalendar, hours: BusinessHours
) -> datetime:
    """4.2.1 方案三: 重新开标时间自发出补充通知之日起不少于1个工作日.

    Safe reading: the day of issue is not counted (民法典 第二百零一条); the first full working
    day after it is the one working day; the earliest reopening is the start of business of the
    next working day after that. Issued Wed 2026-11-25 → Thu is the day → Fri 2026-11-27 09:00.
    """
    full_day = calendar.next_working_day(issued_at.date())
    reopening_day = calendar.next_working_day(full_day)
    return datetime.combine(reopening_day, hours.start, issued_at.tzinfo)


class _Checklist:
    """Collects steps with the project's terminology (招标人/采购人 …) filled in."""

    def __init__(self, situation: Situation) -> None:
        self.situation = situation
        self.steps: list[Step] = []
        self.warnings: list[str] = []
        self.words = terms(situation.project_type)

    def add(
        self,
        kind: StepKind,
        clause: str,
        text: str,
        by: tuple[Role, ...] = (),
        to: tuple[Role, ...] = (),
    ) -> None:
        self.steps.append(Step(kind, text.format(**self.words), clause, by, to))

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def _check_times(s: Situation, now: datetime) -> None:
    if s.started_at and s.resolved_at and s.resolved_at < s.started_at:
        raise UserError("故障恢复时间早于故障发生时间", field="resolved_at")
    if s.plan is not None and s.plan not in (1, 2, 3):
        raise UserError(f"方案只能是 1、2 或 3，收到 {s.plan}", field="plan")


def _settle_within_2h(s: Situation, now: datetime, out: _Checklist) -> bool | None:
    """The clock settles within_2h when it can (PLAN.md, Decisions)."""
    estimate = s.within_2h
    line = two_hour_line(s)
    if line is None:
        return estimate
    if s.resolved_at is not None:
        actual = s.resolved_at <= line
        if estimate is not None and estimate != actual:
            out.warn(
                f"按故障发生（{format_dt(s.started_at)}）与恢复（{format_dt(s.resolved_at)}）"
                f"时间，故障{'已' if actual else '未'}在2小时内解决，与填报的预计不符，以实际时间为准"
            )
        return actual
    if now > line:
        if estimate is True:
            out.warn(
                f"已过2小时节点（{format_dt(line)}）仍未恢复，按“2小时内无法解决”处理，"
                "不再采用技术人员的预计"
            )
        return False
    return estimate


def _settle_fixed_before_deadline(s: Situation, now: datetime, out: _Checklist) -> bool | None:
    """Prep: with the bid deadline known, the clock settles fixed_before_deadline (4.1.x)."""
    estimate = s.fixed_before_deadline
    deadline = s.bid_deadline
    if deadline is None:
        return estimate
    if s.resolved_at is not None:
        actual = s.resolved_at <= deadline
    elif now > deadline:
        actual = False
    else:
        return estimate
    if estimate is not None and estimate != actual:
        out.warn(
            f"按投标截止时间（{format_dt(deadline)}）与恢复时间，故障"
            f"{'已' if actual else '未'}在投标截止时间前修复，与填报的情况不符，以实际时间为准"
        )
    return actual


def decide(
    situation: Situation,
    now: datetime,
    *,
    calendar: WorkCalendar | None = None,
    hours: BusinessHours | None = None,
) -> Decision:
    """What the emergency plan says for ``situation`` at ``now``."""
    s = situation
    _check_times(s, now)
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
        self.out = _Checklist(self.s)

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
        record_clause = RECORD_CLAUSES[self.stage]
        signers = SIGNATORIES[self.stage]
        who = "、".join(role_label(r, self.s.project_type) for r in signers)
        self.out.add(
            StepKind.RECORD,
            record_clause,
            "{agency}将突发情况的原因、经过、解决措施等进行书面记录，由" + who + "签字确认",
            by=(R.AGENCY,),
        )
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
            steps=tuple(self.out.steps),
            earliest_new_time=earliest,
            suggested_new_time=suggested,
            two_hour_line=two_hour_line(self.s) if self.stage is not Stage.PREP else None,
            # 4.1.x turn on the bid deadline (投标截止时间): the prep checklist shows it.
            bid_deadline=self.s.bid_deadline if self.stage is Stage.PREP else None,
            within_2h=within_2h,
            fixed_before_deadline=fixed,
            now=self.now,
            warnings=tuple(self.out.warnings),
        )

    def _check_year(self, *moments: datetime) -> None:
        for year in sorted({m.year for m in moments}):
            if self.calendar.is_estimated(year):
                self.out.warn(
                    f"{year} 年的国务院节假日安排尚未收录，工作日按推定计算，"
                    "请核对官方通知（可用节假日日历文件补充）"
                )

    def _check_new_time(self, earliest: datetime | None, what: str) -> None:
        new_time = self.s.new_time
        if new_time is None:
            return
        if earliest is not None and new_time < earliest:
            self.out.warn(
                f"拟定的新{what}时间 {format_dt(new_time)} 早于最早合法时间 {format_dt(earliest)}"
            )
        if not self.hours.contains(new_time, self.calendar):
            self._check_year(new_time)
            self.out.warn(f"拟定的新{what}时间 {format_dt(new_time)} 不在工作日的工作时间内")

    def _call_property_staff(self) -> None:
        # 4.1.3, 4.2.3, 5.3 say it in the same words.
        self.out.add(
            StepKind.CALL,
            self.clause,
            "{agency}会同见证人员及时通知物业楼层服务人员，迅速查找停电原因，尽快恢复供电",
            by=(R.AGENCY, R.WITNESS),
            to=(R.PROPERTY_STAFF,),
        )

    def _check_onset(self) -> None:
        started = self.s.started_at
        if (
            started is not None
            and self.s.resolved_at is None
            and started > self.now + timedelta(minutes=5)
        ):
            self.out.warn(
                f"故障发生时间 {format_dt(started)} 晚于当前时间 {format_dt(self.now)}，请核对"
            )

    # ----------------------------------------------------------------- 4.1 preparation

    def prep(self) -> Decision:
        s, out, clause = self.s, self.out, self.clause
        if s.plan is not None:
            raise PlanNotAllowedError(
                "开标准备阶段不适用三种方案：方案仅适用于开标过程中和评标环节2小时内无法解决的故障"
                f"（依据 {clause_label('4.2.1')}、{clause_label('5.1')}）",
                field="plan",
            )
        fixed = _settle_fixed_before_deadline(s, self.now, out)
        self._check_onset()
        if self.fault is Fault.NETWORK:
            out.add(
                StepKind.CALL,
                clause,
                "{agency}会同见证人员及时通知综合交易保障人员，由保障人员迅速判断、检查、排除网络故障",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SUPPORT_STAFF,),
            )
            out.add(
                StepKind.TRY,
                clause,
                "{agency}尝试使用无线、移动数据等其它应急网络进行开标准备，并确认到场{bidders}能否网上签到",
                by=(R.AGENCY,),
            )
        elif self.fault is Fault.SYSTEM:
            out.add(
                StepKind.CALL,
                clause,
                "{agency}会同见证人员及时通知电子交易系统管理人员和系统开发公司技术人员，"
                "由系统管理人员会同技术人员迅速判断、及时排除系统故障",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            )
        else:
            self._call_property_staff()

        if fixed is True:
            if self.fault is Fault.SYSTEM:
                return self._prep_parties_decide(fixed)
            out.add(
                StepKind.DECIDE,
                clause,
                "故障已在投标截止时间前修复，按计划正常开标",
                by=(R.AGENCY,),
            )
            return self._finish(Outcome.PROCEED, fixed=fixed)

        if self.fault is Fault.NETWORK:
            fallback, sign_in = s.fallback_works, s.bidders_can_sign_in
            if fallback is True and sign_in is True:
                # 4.1.1: 若更换为无线、移动数据及其它应急网络可正常开标……可按计划正常开标
                out.add(
                    StepKind.DECIDE,
                    clause,
                    "更换应急网络后可正常开标，到场{bidders}可网上签到：按计划正常开标",
                    by=(R.AGENCY,),
                )
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
        self.out.add(
            StepKind.DECIDE,
            self.clause,
            "系统故障在投标截止时间前可修复：由{agency}会同{tenderer}研究决定是否延期开标",
            by=(R.AGENCY, R.TENDERER),
        )
        self.out.add(
            StepKind.PUBLISH,
            self.clause,
            "如决定延期开标，由{agency}会同{tenderer}出具延迟开标公告，在原公告页面发布，"
            "新的开标时间原则上在公告发布2小时之后",
            by=(R.AGENCY, R.TENDERER),
        )
        documents: tuple[Document, ...] = ()
        earliest = suggested = None
        if self.s.notice_published_at is not None:
            documents = (Document.DELAY_NOTICE,)
            earliest, suggested = self._delay_notice_time()
        return self._finish(
            Outcome.PARTIES_DECIDE,
            documents=documents,
            earliest=earliest,
            suggested=suggested,
            fixed=fixed,
        )

    def _delay_notice_time(self) -> tuple[datetime | None, datetime | None]:
        published = self.s.notice_published_at
        if published is None:
            self.out.add(
                StepKind.PUBLISH,
                self.clause,
                "新的开标时间原则上应在延迟开标公告发布2小时之后（公告发布后即可算出最早时间）",
                by=(R.AGENCY, R.TENDERER),
            )
            self._check_new_time(None, "开标")
            return None, None
        earliest = earliest_after_delay_notice(published)
        suggested = None
        self.out.add(
            StepKind.PUBLISH,
            self.clause,
            f"延迟开标公告于 {format_dt(published)} 发布：新的开标时间原则上不早于 {format_dt(earliest)}",
            by=(R.AGENCY, R.TENDERER),
        )
        if not self.hours.contains(earliest, self.calendar):
            self._check_year(earliest)
            suggested = self.hours.next_slot(earliest, self.calendar)
            self._check_year(suggested)
            self.out.warn(
                f"最早时间 {format_dt(earliest)} 不在工作日的工作时间"
                f"（{self.hours.start:%H:%M}–{self.hours.end:%H:%M}）内，"
                f"建议改为 {format_dt(suggested)}"
            )
        self._check_new_time(earliest, "开标")
        return earliest, suggested

    def _prep_delay_notice(self, fixed: bool) -> Decision:
        restored = {Fault.NETWORK: "网络", Fault.SYSTEM: "系统服务", Fault.POWER: "供电"}[
            self.fault
        ]
        self.out.add(
            StepKind.PUBLISH,
            self.clause,
            "由{agency}会同{tenderer}出具延迟开标公告",
            by=(R.AGENCY, R.TENDERER),
        )
        self.out.add(
            StepKind.PUBLISH,
            self.clause,
            f"待{restored}恢复后，由{{agency}}在原公告页面发布延迟开标公告，提示新的开标时间",
            by=(R.AGENCY,),
        )
        earliest, suggested = self._delay_notice_time()
        return self._finish(
            Outcome.DELAY_NOTICE,
            documents=(Document.DELAY_NOTICE,),
            earliest=earliest,
            suggested=suggested,
            fixed=fixed,
        )

    # ----------------------------------------------------------------- 4.2 opening, 5 evaluation

    def in_session(self) -> Decision:
        s, out, clause, stage = self.s, self.out, self.clause, self.stage
        opening = stage is Stage.OPENING
        allowed = allowed_plans(stage, self.fault)
        if s.plan is not None and s.plan not in allowed:
            raise PlanNotAllowedError(
                f"{STAGE_LABELS[stage]}电子交易系统故障只能选择方案二或方案三，不能选择方案{s.plan}"
                f"（依据 {clause_label(clause)}）",
                field="plan",
            )
        within = _settle_within_2h(s, self.now, out)
        self._check_onset()
        work = "开标" if opening else "{evaluation}"

        if self.fault is Fault.NETWORK:
            out.add(
                StepKind.CALL,
                clause,
                "{agency}会同见证人员及时通知综合交易保障人员，迅速判断、检查、排除网络故障"
                if opening
                else "由综合交易保障人员迅速判断、检查、排除网络故障",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SUPPORT_STAFF,),
            )
            out.add(
                StepKind.CALL,
                clause,
                "必要时保障人员会同电子交易系统管理人员和系统开发公司技术人员共同排除故障",
                by=(R.SUPPORT_STAFF,),
                to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            )
            out.add(
                StepKind.TRY,
                clause,
                "{agency}尝试使用无线、移动数据等其它应急网络继续开标"
                if opening
                else "保障人员尝试使用无线等其它应急网络继续{evaluation}",
                by=(R.AGENCY,) if opening else (R.SUPPORT_STAFF,),
            )
            out.add(
                StepKind.TRY,
                clause,
                "尝试简单维修，看能否快速排除故障",
                by=(R.SUPPORT_STAFF,),
            )
            fallback, quick_fix = s.fallback_works, s.quick_fix_works
            if fallback is True or quick_fix is True:
                how = "更换应急网络后可正常进行" if fallback else "经简单维修已快速排除故障"
                out.add(
                    StepKind.DECIDE,
                    clause,
                    f"{how}：在见证人员见证下，按计划正常{work}",
                    by=(R.AGENCY, R.WITNESS),
                )
                return self._finish(Outcome.PROCEED, within_2h=within)
            if fallback is None or quick_fix is None:
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
            out.add(
                StepKind.DECIDE,
                clause,
                f"更换网络和简单维修后仍无法正常{work}：由{{agency}}与{{tenderer}}协商，"
                "在见证人员见证下，视情确定处置措施",
                by=(R.AGENCY, R.TENDERER),
            )
        elif self.fault is Fault.SYSTEM:
            out.add(
                StepKind.CALL,
                clause,
                "及时通知综合交易保障人员、电子交易系统管理人员和系统开发公司技术人员，"
                "由保障人员会同系统管理人员和技术人员迅速判断、共同排除故障",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SUPPORT_STAFF, R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            )
            out.add(
                StepKind.KEEP,
                clause,
                "期间技术人员应做好{bid_files}的数据保密和完整性",
                by=(R.VENDOR_TECHNICIAN,),
            )
        else:
            self._call_property_staff()

        if within is None:
            return self._finish(Outcome.NEED_INPUT, missing=(Fact.WITHIN_2H,), within_2h=within)
        if within:
            return self._wait_and_resume()
        return self._choose_plan(allowed)

    def _wait_and_resume(self) -> Decision:
        out, clause = self.out, self.clause
        documents: tuple[Document, ...] = ()
        if self.stage is Stage.OPENING:
            out.add(
                StepKind.TELL,
                clause,
                "故障在2小时内可以解决：{agency}在见证人员见证下，向现场{bidders}说明情况，"
                "待故障修复后继续开标",
                by=(R.AGENCY,),
                to=(R.BIDDERS,),
            )
            self._expert_fees()
        else:
            out.add(
                StepKind.TELL,
                clause,
                "故障在2小时内可以解决：{agency}在见证人员见证下，及时向{experts}说明情况，"
                "要求{experts}在{evaluation}休息区域等候，待故障修复后继续{evaluation}",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
            )
            # 5.1 spells out fees, early leavers and confidentiality while waiting; 5.2 and 5.3
            # say only "wait"; 5.5 covers fees and replacement draws in every evaluation case.
            detail = "5.1"
            out.add(
                StepKind.KEEP,
                detail,
                "等候期间{fee}按时计取",
                by=(R.AGENCY,),
            )
            out.add(
                StepKind.KEEP,
                detail,
                "{experts}有特殊情况确实不能继续{evaluation}的，签署不对外泄露任何{evaluation}信息和"
                "内容的承诺后予以补抽，{fee}按实际{evaluation}时间计取和支付；"
                "{agency}不得以任何理由少计或不支付{fee}",
                by=(R.AGENCY,),
            )
            out.add(
                StepKind.KEEP,
                detail,
                "故障修复期间，各方做好投标信息和{experts}信息的保密工作",
                by=(R.TENDERER, R.AGENCY, R.WITNESS),
            )
            self._expert_fees()
            if self.s.expert_left_early:
                documents = (Document.CONFIDENTIALITY_COMMITMENT,)
        return self._finish(Outcome.WAIT_AND_RESUME, documents=documents, within_2h=True)

    def _expert_fees(self) -> None:
        fee_clause = FEE_CLAUSES[self.stage]
        self.out.add(
            StepKind.KEEP,
            fee_clause,
            "已抽取的{experts}到达{evaluation}现场后，由{agency}按规定给付{experts}费；"
            "{experts}有特殊情况确实不能继续{evaluation}的，予以补抽",
            by=(R.AGENCY,),
        )

    def _choose_plan(self, allowed: tuple[int, ...]) -> Decision:
        s, out, clause, stage = self.s, self.out, self.clause, self.stage
        plan_clause = PLAN_CLAUSES[stage]
        opening = stage is Stage.OPENING
        line = two_hour_line(s)
        when = f"（2小时节点 {format_dt(line)}）" if line else ""
        out.add(
            StepKind.KEEP,
            plan_clause,
            f"故障在2小时内无法解决{when}：{{tenderer}}和{{agency}}做好"
            f"{'投标' if opening else '{evaluation}'}信息和{{experts}}信息的保密工作，"
            "由{agency}根据{tenderer}的意见做好后续工作",
            by=(R.TENDERER, R.AGENCY),
        )
        names = "、".join(PLAN_LABELS[p].split("：")[0] for p in allowed)
        out.add(
            StepKind.DECIDE,
            clause,
            f"由{{tenderer}}在{names}中选择一种，并报监管部门备案",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
        )
        self._expert_fees()
        documents: tuple[Document, ...] = (Document.FILING_REPORT,)
        earliest: datetime | None = None
        if s.plan is None:
            return self._finish(
                Outcome.CHOOSE_PLAN,
                missing=(Fact.PLAN,),
                documents=documents,
                allowed=allowed,
                within_2h=False,
            )
        out.add(
            StepKind.FILE,
            clause,
            f"已选择{PLAN_LABELS[s.plan]}，报监管部门备案",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
        )
        if opening:
            documents, earliest = self._opening_plan(s.plan, plan_clause, documents)
        else:
            documents = self._evaluation_plan(s.plan, plan_clause, documents)
        return self._finish(
            Outcome.CHOOSE_PLAN,
            documents=documents,
            allowed=allowed,
            plan=s.plan,
            earliest=earliest,
            within_2h=False,
        )

    def _report_to_leaders(self, clause: str) -> None:
        self.out.add(
            StepKind.CALL,
            clause,
            "见证人员向本部门负责人和局分管领导报告情况",
            by=(R.WITNESS,),
            to=(R.DEPARTMENT_HEAD, R.BUREAU_LEADER),
        )

    def _opening_plan(
        self, plan: int, c: str, documents: tuple[Document, ...]
    ) -> tuple[tuple[Document, ...], datetime | None]:
        out = self.out
        if plan == 1:
            self._report_to_leaders(c)
            out.add(
                StepKind.DECIDE,
                c,
                "由部门负责人联系具备开评标条件的分大厅、分中心安排开评标室，保障项目继续开标需要",
                by=(R.DEPARTMENT_HEAD,),
            )
            out.add(
                StepKind.TELL,
                c,
                "{experts}到齐后，由{tenderer}、{agency}组织专家、监管部门人员、见证人员"
                "一同前往新开、评标地点",
                by=(R.TENDERER, R.AGENCY),
                to=(R.EXPERTS, R.SUPERVISOR),
            )
            return documents, None
        if plan == 2:
            out.add(
                StepKind.TELL,
                c,
                "{tenderer}、{agency}在严格做好开评标信息保密工作的情况下，可安排{experts}至休息地点"
                "等候，待故障修复后继续在原地点开标、评标",
                by=(R.TENDERER, R.AGENCY),
                to=(R.EXPERTS,),
            )
            return documents, None
        out.add(
            StepKind.PUBLISH,
            c,
            "{tenderer}出具延期开标的书面补充公告，经监管部门备案后现场公布",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR, R.BIDDERS),
        )
        out.add(
            StepKind.PUBLISH,
            c,
            "待故障修复后，由{agency}将补充公告原文发布至交易服务系统原公告页面，提示新的开标时间",
            by=(R.AGENCY,),
        )
        earliest = None
        issued = self.s.supplement_issued_at
        if issued is None:
            out.add(
                StepKind.PUBLISH,
                c,
                "重新开标时间自发出补充公告之日起不少于1个工作日（发出当日不计，"
                "公告发出后即可算出最早时间）",
                by=(R.TENDERER,),
            )
        else:
            earliest = earliest_reopening(issued, self.calendar, self.hours)
            self._check_year(issued, earliest)
            out.add(
                StepKind.PUBLISH,
                c,
                f"补充公告于 {format_dt(issued)} 发出；重新开标时间不少于1个工作日（发出当日不计）："
                f"最早 {format_dt(earliest)}",
                by=(R.TENDERER,),
            )
        self._check_new_time(earliest, "开标")
        out.add(
            StepKind.KEEP,
            "4.4",
            "择期另行开标的，{experts}需重新抽取",
            by=(R.AGENCY,),
            to=(R.EXPERTS,),
        )
        return (*documents, Document.SUPPLEMENTARY_NOTICE), earliest

    def _evaluation_plan(
        self, plan: int, c: str, documents: tuple[Document, ...]
    ) -> tuple[Document, ...]:
        out = self.out
        fees = "故障修复期间继续按时计取{fee}，{agency}不得以任何理由少计或不支付{fee}"
        if plan == 1:
            self._report_to_leaders(c)
            out.add(
                StepKind.DECIDE,
                c,
                "由部门负责人联系具备{evaluation}条件的分大厅、分中心安排开评标室，保障继续{evaluation}需要",
                by=(R.DEPARTMENT_HEAD,),
            )
            out.add(
                StepKind.TELL,
                c,
                "由{agency}组织{experts}、监管部门人员、见证人员一同前往新{evaluation}地点",
                by=(R.AGENCY,),
                to=(R.EXPERTS, R.SUPERVISOR),
            )
            out.add(StepKind.KEEP, c, fees, by=(R.AGENCY,))
            return documents
        if plan == 2:
            self._report_to_leaders(c)
            out.add(
                StepKind.PUBLISH,
                c,
                "{agency}在{tenderer}指导、监管部门监督和见证人员见证下，尽快制订开评标区域封闭方案，"
                "确定{experts}封闭地点，封闭开评标室",
                by=(R.AGENCY,),
                to=(R.SUPERVISOR,),
            )
            out.add(
                StepKind.TELL,
                c,
                "由{agency}组织{experts}、监管部门人员和见证人员一起前往封闭地点休息等候，"
                "待故障修复后继续{evaluation}",
                by=(R.AGENCY,),
                to=(R.EXPERTS, R.SUPERVISOR),
            )
            out.add(StepKind.KEEP, c, fees, by=(R.AGENCY,))
            return (*documents, Document.CLOSURE_PLAN)
        out.add(
            StepKind.PUBLISH,
            c,
            "{tenderer}签署择期{evaluation}的书面文件，并经监管部门备案",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
        )
        out.add(
            StepKind.KEEP,
            c,
            "{agency}在监管部门监督和见证人员见证下，组织{experts}签署不对外泄露任何与{evaluation}"
            "有关信息和内容的承诺",
            by=(R.AGENCY,),
            to=(R.EXPERTS,),
        )
        out.add(
            StepKind.DECIDE,
            c,
            "{tenderer}根据故障修复情况确定新的{evaluation}时间，重新抽取{experts}（须回避原{experts}）",
            by=(R.TENDERER,),
        )
        out.add(
            StepKind.KEEP,
            "5.5",
            "择期另行{evaluation}的，{experts}需重新抽取",
            by=(R.AGENCY,),
        )
        self._check_new_time(None, "{evaluation}".format(**out.words))
        return (*documents, Document.EVALUATION_RESCHEDULE, Document.CONFIDENTIALITY_COMMITMENT)

"""The emergency plan as a table a reviewer at the centre can read in order: 4.1.1 … 5.5.

Every step the engine can put on a checklist is worded here, once, with the clause it rests on,
who does it and whom it reaches. ``decide`` holds only the flows (第四条（一）、（二）、第五条) and
picks steps from this table by key; ``docs/plan.md`` is generated from it
(``uv run python scripts/plan_doc.py``) and kept current by a golden test.

Words in braces are filled in when the step is used: the project's terms (``{tenderer}`` is
招标人 or 采购人, ``{experts}`` 评标专家 or 评审专家 …, see ``labels.terms``) and the moments and
names of the case (``{published}``, ``{earliest}`` …, see ``VALUES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from qdplan_cli.plan.model import Document, Role, Stage, StepKind

R = Role
K = StepKind


@dataclass(frozen=True)
class Wording:
    """One step as the plan words it."""

    key: str
    kind: StepKind
    text: str
    when: str  # 何种情况下列入清单（docs/plan.md 用）
    by: tuple[Role, ...] = ()
    to: tuple[Role, ...] = ()
    if_needed: bool = False  # 必要时: the roles in ``to`` are called only when needed
    analogy: bool = False  # the clause is applied by analogy (参照), a reading of ours


@dataclass(frozen=True)
class Clause:
    id: str  # 4.1.1 … 5.5 (PLAN.md)
    label: str  # 第四条（一）1 …
    title: str
    steps: tuple[Wording, ...]
    plans: tuple[int, ...] = ()  # the emergency plans the tenderer may choose among
    documents: tuple[tuple[Document, str], ...] = ()  # (document, when)

    def step(self, key: str) -> Wording:
        for wording in self.steps:
            if wording.key == key:
                return wording
        raise KeyError(f"{self.id}: no step {key!r}")


# What the case-dependent placeholders stand for (docs/plan.md shows them so).
VALUES: Final = {
    "plan_name": "所选方案",
    "filed": "备案时间",
    "published": "公告发布时间",
    "earliest": "最早时间",
    "issued": "补充公告发出时间",
    "full_day": "完整工作日",
    "resolved": "实际修复时间",
    "new_day": "新的开标日期",
    "signers": "签字人",
    "reason": "例外理由",
}


# ---------------------------------------------------------------- shared wordings
# The plan repeats itself from clause to clause; so does the table, clause by clause.


def _call_property_staff() -> Wording:  # 4.1.3, 4.2.3, 5.3 say it in the same words
    return Wording(
        "call",
        K.CALL,
        "{agency}会同见证人员及时通知物业楼层服务人员，迅速查找停电原因，尽快恢复供电",
        "出现断电故障时",
        by=(R.AGENCY, R.WITNESS),
        to=(R.PROPERTY_STAFF,),
    )


def _delay_notice(restored: str, when: str) -> tuple[Wording, ...]:
    """4.1.1–4.1.3 end alike: 出具延迟开标公告 … 原则上新的开标时间应在延迟开标公告发布2小时之后."""
    return (
        Wording(
            "delay_notice",
            K.PUBLISH,
            "由{agency}会同{tenderer}出具延迟开标公告",
            when,
            by=(R.AGENCY, R.TENDERER),
        ),
        Wording(
            "publish_notice",
            K.PUBLISH,
            f"待{restored}恢复后，由{{agency}}在原公告页面发布延迟开标公告，提示新的开标时间",
            when,
            by=(R.AGENCY,),
        ),
        Wording(
            "notice_time_pending",
            K.PUBLISH,
            "新的开标时间原则上应在延迟开标公告发布2小时之后（公告发布后即可算出最早时间）",
            "公告尚未发布",
            by=(R.AGENCY, R.TENDERER),
        ),
        Wording(
            "notice_time",
            K.PUBLISH,
            "延迟开标公告于 {published} 发布：新的开标时间原则上不早于 {earliest}（发布2小时之后）",
            "公告已发布",
            by=(R.AGENCY, R.TENDERER),
        ),
        Wording(
            "notice_stands",
            K.RECORD,
            "延迟开标公告已于 {published} 发布：照常延迟开标，不因故障随后修复而撤销",
            "公告已发布，此后故障修复或判断改变（解读：已作出的决定不撤销）",
            by=(R.AGENCY,),
        ),
    )


def _wait_opening() -> Wording:  # 4.2.1, 4.2.2, 4.2.3
    return Wording(
        "wait",
        K.TELL,
        "故障在2小时内可以解决的：{agency}在见证人员见证下，向现场{bidders}说明情况，"
        "待故障修复后继续开标",
        "故障在2小时内可以解决",
        by=(R.AGENCY,),
        to=(R.BIDDERS,),
    )


def _wait_evaluation() -> Wording:  # 5.1, 5.2, 5.3
    return Wording(
        "wait",
        K.TELL,
        "故障在2小时内可以解决的：{agency}在见证人员见证下，及时向{experts}说明情况，"
        "要求{experts}在{evaluation}休息区域等候，待故障修复后继续{evaluation}",
        "故障在2小时内可以解决",
        by=(R.AGENCY,),
        to=(R.EXPERTS,),
    )


def _network_session(work: str, opening: bool) -> tuple[Wording, ...]:
    """4.2.1 and 5.1, first two paragraphs: call, try, go on or consult."""
    if opening:
        call = Wording(
            "call",
            K.CALL,
            "{agency}会同见证人员及时通知综合交易保障人员，迅速判断、检查、排除网络故障",
            "发生故障时",
            by=(R.AGENCY, R.WITNESS),
            to=(R.SUPPORT_STAFF,),
        )
        helpers = "必要时保障人员会同电子交易系统管理人员和系统开发公司技术人员共同排除故障"
        fallback = Wording(
            "try_fallback",
            K.TRY,
            "{agency}尝试使用无线、移动数据等其它应急网络继续开标",
            "发生故障时",
            by=(R.AGENCY,),
        )
        network = "无线、移动数据等应急网络"
    else:
        # 5.1 names no one who calls: 由保障人员迅速判断、检查、排除网络故障.
        call = Wording(
            "call",
            K.CALL,
            "由综合交易保障人员迅速判断、检查、排除网络故障",
            "发生故障时",
            to=(R.SUPPORT_STAFF,),
        )
        helpers = "必要时保障人员会同电子交易系统管理人员和系统开发公司技术人员共同排除故障"
        fallback = Wording(
            "try_fallback",
            K.TRY,
            "保障人员尝试使用无线等其它应急网络继续{evaluation}",
            "发生故障时",
            by=(R.SUPPORT_STAFF,),
        )
        network = "无线等应急网络"
    return (
        call,
        Wording(
            "call_if_needed",
            K.CALL,
            helpers,
            "必要时",
            by=(R.SUPPORT_STAFF,),
            to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            if_needed=True,
        ),
        fallback,
        Wording(
            "try_fix",
            K.TRY,
            "尝试简单维修，看能否快速排除故障",
            "发生故障时",
            by=(R.SUPPORT_STAFF,),
        ),
        Wording(
            "proceed_fallback",
            K.DECIDE,
            f"更换为{network}可正常{work}的：在见证人员见证下，可按计划正常{work}",
            "更换应急网络后可正常进行",
            by=(R.AGENCY, R.WITNESS),
        ),
        Wording(
            "proceed_fix",
            K.DECIDE,
            f"经简单维修可快速排除故障的：在见证人员见证下，可按计划正常{work}",
            "经简单维修可快速排除故障",
            by=(R.AGENCY, R.WITNESS),
        ),
        Wording(
            "consult",
            K.DECIDE,
            f"更换网络或简单维修后仍无法正常{work}：由{{agency}}与{{tenderer}}协商，"
            "在见证人员见证下，视情确定处置措施",
            "更换网络和简单维修都不奏效",
            by=(R.AGENCY, R.TENDERER),
        ),
    )


def _system_session(work: str) -> tuple[Wording, ...]:  # 4.2.2, 5.2: no notifier named
    return (
        Wording(
            "call",
            K.CALL,
            "由综合交易保障人员会同电子交易系统管理人员和系统开发公司技术人员迅速判断、共同排除故障",
            f"电子交易系统无法登录或服务异常，无法正常{work}",
            to=(R.SUPPORT_STAFF, R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
        ),
        Wording(
            "keep_data",
            K.KEEP,
            "期间技术人员应做好{bid_files}的数据保密和完整性",
            "故障期间",
            by=(R.VENDOR_TECHNICIAN,),
        ),
    )


def _choose(text: str) -> Wording:
    return Wording(
        "choose",
        K.DECIDE,
        text,
        "故障在2小时内无法解决",
        by=(R.TENDERER,),
        to=(R.SUPERVISOR,),
    )


_CHOOSE_ONE_OF_THREE = _choose("{tenderer}可以在下列三种方案中选择一种解决方案，并报监管部门备案")
_CHOOSE_TWO_OR_THREE = _choose(
    "系统故障较严重，在2小时内无法解决的：由{tenderer}在前述三种方案中选择方案二或方案三，"
    "并报监管部门备案"
)
_CHOOSE_ANY = _choose(
    "故障较严重，在2小时内无法解决的：由{tenderer}在前述三种方案中选择一种并报监管部门备案"
)


def _beyond(work_info: str) -> Wording:
    """4.2.1 / 5.1 third paragraph: confidentiality and the agency acting on the tenderer's word."""
    return Wording(
        "beyond",
        K.KEEP,
        f"故障在2小时内无法解决：{{tenderer}}和{{agency}}做好{work_info}和{{experts}}信息的保密工作，"
        "由{agency}根据{tenderer}的意见做好后续工作",
        "故障在2小时内无法解决",
        by=(R.TENDERER, R.AGENCY),
    )


def _after_choice() -> tuple[Wording, ...]:
    """What follows a choice: filing; a commitment stands; the report of 方案一 (and 5.1 方案二)."""
    return (
        Wording(
            "filed",
            K.FILE,
            "已选择{plan_name}，报监管部门备案",
            "已选择方案",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
        ),
        Wording(
            "stands",
            K.FILE,
            "已选择{plan_name}，于 {filed} 报监管部门备案（公布）：照常执行，不因故障随后修复而撤销",
            "方案已备案或已公布（解读：已作出的决定不撤销）",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
        ),
        Wording(
            "report",
            K.CALL,
            "见证人员向本部门负责人和局分管领导报告情况",
            "方案一（评标环节另含方案二）",
            by=(R.WITNESS,),
            to=(R.DEPARTMENT_HEAD, R.BUREAU_LEADER),
        ),
    )


def _record(clause_signers: str) -> Wording:
    return Wording(
        "record",
        K.RECORD,
        "{agency}将突发情况的原因、经过、解决措施等进行书面记录，由{signers}签字确认",
        f"每一起突发情况（{clause_signers}签字）",
        by=(R.AGENCY,),
    )


_ACTUAL_TIMES = Wording(
    "actual_times",
    K.RECORD,
    "书面记录如实写明故障实际修复时间：{resolved}（已作出的决定照常执行）",
    "决定已作出后故障修复（解读）",
    by=(R.AGENCY,),
)


# ---------------------------------------------------------------- the table

CLAUSES: Final[tuple[Clause, ...]] = (
    Clause(
        "4.1.1",
        "第四条（一）1",
        "开标准备阶段：网络或设备软硬件故障",
        (
            Wording(
                "call",
                K.CALL,
                "{agency}会同见证人员及时通知综合交易保障人员，由保障人员迅速判断、检查、排除网络故障",
                "代理机构无法使用有线网络进行开标准备",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SUPPORT_STAFF,),
            ),
            Wording(
                "try",
                K.TRY,
                "{agency}尝试使用无线、移动数据等其它应急网络进行开标准备，并确认到场{bidders}能否网上签到",
                "发生故障时",
                by=(R.AGENCY,),
            ),
            Wording(
                "proceed_fallback",
                K.DECIDE,
                "更换为无线、移动数据等应急网络可正常开标，到场{bidders}可网上签到的：可按计划正常开标",
                "应急网络可用且投标人可签到",
                by=(R.AGENCY,),
            ),
            Wording(
                "proceed_fixable",
                K.DECIDE,
                "在{deadline}前可修复故障的，可按计划正常开标",
                "判断能在截止时间前修复",
                by=(R.AGENCY,),
            ),
            Wording(
                "proceed_fixed",
                K.DECIDE,
                "故障已于 {resolved} 修复，在{deadline}之前：可按计划正常开标",
                "已在截止时间前修复",
                by=(R.AGENCY,),
            ),
            *_delay_notice(
                "网络",
                "更换网络后仍无法进行开标准备，或到场投标人员无法网上签到，影响按时开标",
            ),
        ),
        documents=((Document.DELAY_NOTICE, "出具延迟开标公告时"),),
    ),
    Clause(
        "4.1.2",
        "第四条（一）2",
        "开标准备阶段：电子交易系统故障或系统服务异常",
        (
            Wording(
                "call",
                K.CALL,
                "{agency}会同见证人员及时通知电子交易系统管理人员和系统开发公司技术人员，"
                "由系统管理人员会同技术人员迅速判断、及时排除系统故障",
                "代理机构无法进行开标准备，或潜在投标人无法网上签到",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            ),
            Wording(
                "parties_decide",
                K.DECIDE,
                "系统故障在{deadline}前可修复的：由{agency}会同{tenderer}研究决定是否延期开标",
                "判断能在截止时间前修复，或已修复",
                by=(R.AGENCY, R.TENDERER),
            ),
            Wording(
                "parties_delay",
                K.PUBLISH,
                "如决定延期开标，由{agency}会同{tenderer}出具延迟开标公告，在原公告页面发布，"
                "新的开标时间原则上在公告发布2小时之后",
                "判断能在截止时间前修复，或已修复",
                by=(R.AGENCY, R.TENDERER),
            ),
            *_delay_notice("系统服务", "在截止时间前无法修复"),
        ),
        documents=((Document.DELAY_NOTICE, "出具延迟开标公告时"),),
    ),
    Clause(
        "4.1.3",
        "第四条（一）3",
        "开标准备阶段：断电",
        (
            _call_property_staff(),
            Wording(
                "proceed_fixable",
                K.DECIDE,
                "在{deadline}前可修复的，应按计划正常开标",
                "判断能在截止时间前修复",
                by=(R.AGENCY,),
            ),
            Wording(
                "proceed_fixed",
                K.DECIDE,
                "供电已于 {resolved} 恢复，在{deadline}之前：应按计划正常开标",
                "已在截止时间前修复",
                by=(R.AGENCY,),
            ),
            *_delay_notice("供电", "在截止时间后修复"),
        ),
        documents=((Document.DELAY_NOTICE, "出具延迟开标公告时"),),
    ),
    Clause(
        "4.2.1",
        "第四条（二）1",
        "开标过程中：网络或设备软硬件故障；三种方案",
        (
            *_network_session("开标", opening=True),
            _wait_opening(),
            _beyond("{bid_info}"),
            _CHOOSE_ONE_OF_THREE,
            *_after_choice(),
            Wording(
                "plan1_room",
                K.DECIDE,
                "由部门负责人联系具备开评标条件的分大厅、分中心安排开评标室，保障项目继续开标需要",
                "方案一",
                by=(R.DEPARTMENT_HEAD,),
            ),
            Wording(
                "plan1_move",
                K.TELL,
                "{experts}到齐后，由{tenderer}、{agency}组织专家、监管部门人员、见证人员"
                "一同前往新开、评标地点",
                "方案一",
                by=(R.TENDERER, R.AGENCY),
                to=(R.EXPERTS, R.SUPERVISOR),
            ),
            Wording(
                "plan2_wait",
                K.TELL,
                "{tenderer}、{agency}在严格做好开评标信息保密工作的情况下，可安排{experts}"
                "至休息地点等候，待故障修复后继续在原地点开标、评标",
                "方案二",
                by=(R.TENDERER, R.AGENCY),
                to=(R.EXPERTS,),
            ),
            Wording(
                "plan3_supplement",
                K.PUBLISH,
                "{tenderer}出具延期开标的书面补充公告，经监管部门备案后现场公布",
                "方案三",
                by=(R.TENDERER,),
                to=(R.SUPERVISOR, R.BIDDERS),
            ),
            Wording(
                "plan3_republish",
                K.PUBLISH,
                "待故障修复后，由{agency}将补充公告原文发布至交易服务系统原公告页面，"
                "提示新的开标时间",
                "方案三",
                by=(R.AGENCY,),
            ),
            Wording(
                "plan3_time_pending",
                K.PUBLISH,
                "重新开标时间原则上自发出补充公告之日起不少于1个工作日（发出当日不计，"
                "公告发出后即可算出最早时间）",
                "方案三，补充公告尚未发出",
                by=(R.TENDERER,),
            ),
            Wording(
                "plan3_time",
                K.PUBLISH,
                "补充公告 {issued} 发出，当日不计；{full_day}为完整工作日，最早 {earliest}",
                "方案三，补充公告已发出",
                by=(R.TENDERER,),
            ),
        ),
        plans=(1, 2, 3),
        documents=(
            (Document.FILING_REPORT, "故障在2小时内无法解决，选择方案"),
            (Document.SUPPLEMENTARY_NOTICE, "方案三"),
        ),
    ),
    Clause(
        "4.2.2",
        "第四条（二）2",
        "开标过程中：电子交易系统无法登录或系统服务异常",
        (*_system_session("开标"), _wait_opening(), _CHOOSE_TWO_OR_THREE),
        plans=(2, 3),
        documents=((Document.FILING_REPORT, "故障在2小时内无法解决，选择方案二或方案三"),),
    ),
    Clause(
        "4.2.3",
        "第四条（二）3",
        "开标过程中：断电",
        (_call_property_staff(), _wait_opening(), _CHOOSE_ANY),
        plans=(1, 2, 3),
        documents=((Document.FILING_REPORT, "故障在2小时内无法解决，选择方案"),),
    ),
    Clause(
        "4.3",
        "第四条（三）",
        "开标环节的书面记录",
        (_record("开标准备阶段：招标人、代理机构；开标过程中另加见证人员"), _ACTUAL_TIMES),
        documents=((Document.INCIDENT_RECORD, "每一起突发情况"),),
    ),
    Clause(
        "4.4",
        "第四条（四）",
        "开标环节的专家费用、补抽与重新抽取",
        (
            Wording(
                "fees",
                K.KEEP,
                "已抽取的{experts}到达{evaluation}现场后，由{agency}按规定给付{experts}费；"
                "{experts}有特殊情况确实不能继续{evaluation}的，予以补抽",
                "开标过程中，等候或选择方案时",
                by=(R.AGENCY,),
            ),
            Wording(
                "redraw",
                K.KEEP,
                "择期另行开标的，{experts}需重新抽取",
                "方案三",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
            ),
            Wording(
                "prep_other_day",
                K.KEEP,
                "新的开标时间在 {new_day}，已是另一日（择期另行开标）：已抽取并到达现场的{experts}"
                "按规定给付{experts}费，{experts}需重新抽取",
                "开标准备阶段延迟开标，新的开标时间在以后日期（解读）",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
            ),
            Wording(
                "prep_maybe_other_day",
                K.KEEP,
                "如新的开标时间改在以后日期（择期另行开标）：已抽取并到达现场的{experts}按规定给付"
                "{experts}费，{experts}需重新抽取",
                "开标准备阶段延迟开标，新的开标日期未定（解读）",
                by=(R.AGENCY,),
            ),
        ),
    ),
    Clause(
        "5.1",
        "第五条 1",
        "评标环节：网络或设备软硬件故障；三种方案",
        (
            *_network_session("{evaluation}", opening=False),
            _wait_evaluation(),
            Wording(
                "fee_running",
                K.KEEP,
                "等候期间{fee}按时计取",
                "故障在2小时内可以解决",
                by=(R.AGENCY,),
            ),
            Wording(
                "leaving",
                K.KEEP,
                "{experts}有特殊情况确实不能继续{evaluation}的，签署不对外泄露任何{evaluation}信息和"
                "内容的承诺后予以补抽，{fee}按实际{evaluation}时间计取和支付；"
                "{agency}不得以任何理由少计或不支付{fee}",
                "故障在2小时内可以解决",
                by=(R.AGENCY,),
            ),
            Wording(
                "secrecy",
                K.KEEP,
                "故障修复期间，各方做好{bid_info}和{experts}信息的保密工作",
                "故障在2小时内可以解决",
                by=(R.TENDERER, R.AGENCY, R.WITNESS),
            ),
            _beyond("{evaluation}信息"),
            _CHOOSE_ONE_OF_THREE,
            *_after_choice(),
            Wording(
                "plan1_room",
                K.DECIDE,
                "由部门负责人联系具备{evaluation}条件的分大厅、分中心安排开评标室，"
                "保障继续{evaluation}需要",
                "方案一",
                by=(R.DEPARTMENT_HEAD,),
            ),
            Wording(
                "plan1_move",
                K.TELL,
                "由{agency}组织{experts}、监管部门人员、见证人员一同前往新{evaluation}地点",
                "方案一",
                by=(R.AGENCY,),
                to=(R.EXPERTS, R.SUPERVISOR),
            ),
            Wording(
                "plan_fees",
                K.KEEP,
                "故障修复期间继续按时计取{fee}，{agency}不得以任何理由少计或不支付{fee}",
                "方案一、方案二",
                by=(R.AGENCY,),
            ),
            Wording(
                "leaving_by_analogy",
                K.KEEP,
                "专家确实不能继续的，签保密承诺后补抽，按实际时间计费",
                "方案一、方案二中等候超过2小时（参照适用，解读）",
                by=(R.AGENCY,),
                analogy=True,
            ),
            Wording(
                "plan2_closure",
                K.PUBLISH,
                "{agency}在{tenderer}指导、监管部门监督和见证人员见证下，尽快制订开评标区域封闭方案，"
                "确定{experts}封闭地点，封闭开评标室",
                "方案二",
                by=(R.AGENCY,),
                to=(R.SUPERVISOR,),
            ),
            Wording(
                "plan2_move",
                K.TELL,
                "由{agency}组织{experts}、监管部门人员和见证人员一起前往封闭地点休息等候，"
                "待故障修复后继续{evaluation}",
                "方案二",
                by=(R.AGENCY,),
                to=(R.EXPERTS, R.SUPERVISOR),
            ),
            Wording(
                "plan3_decision",
                K.PUBLISH,
                "{tenderer}签署择期{evaluation}的书面文件，并经监管部门备案",
                "方案三",
                by=(R.TENDERER,),
                to=(R.SUPERVISOR,),
            ),
            Wording(
                "plan3_commitment",
                K.KEEP,
                "{agency}在监管部门监督和见证人员见证下，组织{experts}签署不对外泄露任何与"
                "{evaluation}有关信息和内容的承诺",
                "方案三",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
            ),
            Wording(
                "plan3_new_time",
                K.DECIDE,
                "{tenderer}根据故障修复情况确定新的{evaluation}时间，重新抽取{experts}"
                "（须回避原{experts}）",
                "方案三",
                by=(R.TENDERER,),
            ),
        ),
        plans=(1, 2, 3),
        documents=(
            (Document.FILING_REPORT, "故障在2小时内无法解决，选择方案"),
            (Document.CLOSURE_PLAN, "方案二"),
            (Document.EVALUATION_RESCHEDULE, "方案三"),
            (Document.CONFIDENTIALITY_COMMITMENT, "方案三；专家等候期间确实不能继续评标"),
        ),
    ),
    Clause(
        "5.2",
        "第五条 2",
        "评标环节：电子交易系统无法登录或系统服务异常",
        (*_system_session("{evaluation}"), _wait_evaluation(), _CHOOSE_TWO_OR_THREE),
        plans=(2, 3),
        documents=((Document.FILING_REPORT, "故障在2小时内无法解决，选择方案二或方案三"),),
    ),
    Clause(
        "5.3",
        "第五条 3",
        "评标环节：断电",
        (_call_property_staff(), _wait_evaluation(), _CHOOSE_ANY),
        plans=(1, 2, 3),
        documents=((Document.FILING_REPORT, "故障在2小时内无法解决，选择方案"),),
    ),
    Clause(
        "5.4",
        "第五条（三）",
        "评标环节的书面记录",
        (_record("招标人、代理机构、见证人员"), _ACTUAL_TIMES),
        documents=((Document.INCIDENT_RECORD, "每一起突发情况"),),
    ),
    Clause(
        "5.5",
        "第五条（四）",
        "评标环节的专家费用、补抽与重新抽取",
        (
            Wording(
                "fees",
                K.KEEP,
                "已抽取的{experts}到达{evaluation}现场后，由{agency}按规定给付{experts}费；"
                "{experts}有特殊情况确实不能继续{evaluation}的，予以补抽",
                "评标环节，等候或选择方案时",
                by=(R.AGENCY,),
            ),
            Wording(
                "redraw",
                K.KEEP,
                "择期另行{evaluation}的，{experts}需重新抽取",
                "方案三",
                by=(R.AGENCY,),
            ),
        ),
    ),
)

BY_ID: Final = {clause.id: clause for clause in CLAUSES}

# The clause of the written record and of expert fees, per stage (4.3 / 5.4; 4.4 / 5.5).
RECORD_CLAUSES: Final = {Stage.PREP: "4.3", Stage.OPENING: "4.3", Stage.EVALUATION: "5.4"}
FEE_CLAUSES: Final = {Stage.PREP: "4.4", Stage.OPENING: "4.4", Stage.EVALUATION: "5.5"}
# 4.2.1 and 5.1 define the three plans that 4.2.2/4.2.3 and 5.2/5.3 refer to (前述三种方案).
PLAN_CLAUSES: Final = {Stage.OPENING: "4.2.1", Stage.EVALUATION: "5.1"}


def wording(clause: str, key: str) -> Wording:
    return BY_ID[clause].step(key)

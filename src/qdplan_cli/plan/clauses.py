"""The emergency plan as a table a reviewer at the centre can read in order: 4.1.1 … 5.5.

Every step the engine can put on a checklist is worded here, once, with the clause it rests on,
who does it and whom it reaches. ``decide`` holds only the flows (第四条（一）、（二）、第五条) and
picks steps from this table by key; ``docs/plan.md`` is generated from it
(``uv run python scripts/plan_doc.py``) and kept current by a golden test.

Words in braces are filled in when the step is used: the project's terms (``{tenderer}`` is
招标人 or 采购人, ``{experts}`` 评标专家 or 评审专家 …, see ``labels.terms``) and the moments and
names of the case (``{published}``, ``{earliest}`` …, see ``VALUES``).

A wording keeps the plan's modal words — 可, 应, 原则上, 及时, 必要时 — as the plan says them, and
carries the plan's own sentence(s) it renders (``source``, verbatim), so a test can hold the two
side by side. A step that is not the plan's word for this case is marked as a reading (解读):
``reading`` names it (README, “我们对预案的理解”), and ``analogy`` (参照) says it applies another
clause's sentences here, ``cites`` naming that clause.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    analogy: bool = False  # 参照: the words of clause ``cites`` applied here by analogy
    reading: str = ""  # 解读: the name of our reading when the step is not the plan's own word
    source: tuple[str, ...] = ()  # the plan's sentence(s) this step renders, verbatim
    cites: str = ""  # the clause whose words these are, when not the clause listing the step


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


# ---------------------------------------------------------------- our readings
# Each reading has a name; README's “我们对预案的理解” lists every one of them (a test checks).

READ_STANDS: Final = "已作出的决定不撤销"
READ_PARTIES_DELAY: Final = "系统故障在截止前修复而决定延期"
READ_PREP_OTHER_DAY: Final = "开标准备阶段延迟到以后日期"
READ_ONE_WORKING_DAY: Final = "“不少于1个工作日”的算法"
READ_WAIT_DUTIES: Final = "等候期间的计费、补抽与保密"
READ_BEYOND: Final = "2小时内无法解决时的保密与后续工作"
READ_LONG_WAIT_LEAVER: Final = "等候超过2小时的专家离开"


# ---------------------------------------------------------------- shared wordings
# The plan repeats itself from clause to clause; so does the table, clause by clause.


def _call_property_staff() -> Wording:  # 4.1.3, 4.2.3, 5.3 say it in the same words
    return Wording(
        "call",
        K.CALL,
        "{agency}应会同见证人员及时通知物业楼层服务人员，迅速查找停电原因，尽快恢复供电",
        "出现断电故障时",
        by=(R.AGENCY, R.WITNESS),
        to=(R.PROPERTY_STAFF,),
        source=("代理机构应会同见证人员及时通知物业楼层服务人员，迅速查找停电原因，尽快恢复供电",),
    )


_NOTICE_MINIMUM = "原则上新的开标时间应在延迟开标公告发布2小时之后"


def _delay_notice(restored: str, when: str) -> tuple[Wording, ...]:
    """4.1.1–4.1.3 end alike: 出具延迟开标公告 … 原则上新的开标时间应在延迟开标公告发布2小时之后."""
    return (
        Wording(
            "delay_notice",
            K.PUBLISH,
            "由{agency}会同{tenderer}出具延迟开标公告",
            when,
            by=(R.AGENCY, R.TENDERER),
            source=("由代理机构会同招标人出具延迟开标公告",),
        ),
        Wording(
            "publish_notice",
            K.PUBLISH,
            f"待{restored}恢复后，由{{agency}}在原公告页面发布延迟开标公告，提示新的开标时间",
            when,
            by=(R.AGENCY,),
            source=(f"待{restored}恢复后由代理机构在原公告页面发布延迟开标公告，提示新的开标时间",),
        ),
        Wording(
            "notice_time_pending",
            K.PUBLISH,
            "原则上新的开标时间应在延迟开标公告发布2小时之后（公告发布后即可算出原则上的最早时间）",
            "公告尚未发布",
            by=(R.AGENCY, R.TENDERER),
            source=(_NOTICE_MINIMUM,),
        ),
        Wording(
            "notice_time",
            K.PUBLISH,
            "延迟开标公告于 {published} 发布：原则上新的开标时间应在发布2小时之后，最早 {earliest}",
            "公告已发布",
            by=(R.AGENCY, R.TENDERER),
            source=(_NOTICE_MINIMUM,),
        ),
        Wording(
            "notice_stands",
            K.RECORD,
            "延迟开标公告已于 {published} 发布：照常延迟开标，不因故障随后修复而撤销",
            "公告已发布，此后故障修复或判断改变",
            by=(R.AGENCY,),
            reading=READ_STANDS,
        ),
    )


def _wait_opening(prefix: str = "") -> Wording:  # 4.2.1, 4.2.2 (系统故障…), 4.2.3
    return Wording(
        "wait",
        K.TELL,
        f"{prefix}故障在2小时内可以解决的：{{agency}}应在见证人员见证下，向现场{{bidders}}说明情况，"
        "待故障修复后继续开标",
        "故障在2小时内可以解决",
        by=(R.AGENCY,),
        to=(R.BIDDERS,),
        source=(
            f"{prefix}故障在2小时内可以解决的，代理机构应在见证人员见证下，向现场投标人员说明情况",
            "待故障修复后继续开标",
        ),
    )


_WAIT_EVALUATION_SOURCE = (
    "故障在2小时内可以解决的，代理机构应在见证人员见证下，及时向评标专家说明情况，"
    "要求评标专家在评标休息区域等候，待故障修复后继续评标"
)


def _wait_evaluation() -> Wording:  # 5.1, 5.2, 5.3
    return Wording(
        "wait",
        K.TELL,
        "故障在2小时内可以解决的：{agency}应在见证人员见证下，及时向{experts}说明情况，"
        "要求{experts}在{evaluation}休息区域等候，待故障修复后继续{evaluation}",
        "故障在2小时内可以解决",
        by=(R.AGENCY,),
        to=(R.EXPERTS,),
        source=(_WAIT_EVALUATION_SOURCE,),
    )


def _network_session(opening: bool) -> tuple[Wording, ...]:
    """4.2.1 and 5.1, first two paragraphs: call, try, go on or consult."""
    work, plain = ("开标", "开标") if opening else ("{evaluation}", "评标")
    if opening:
        call = Wording(
            "call",
            K.CALL,
            "{agency}会同见证人员及时通知综合交易保障人员，迅速判断、检查、排除网络故障",
            "发生故障时",
            by=(R.AGENCY, R.WITNESS),
            to=(R.SUPPORT_STAFF,),
            source=("由代理机构会同见证人员，及时通知保障人员，迅速判断、检查、排除网络故障",),
        )
        helpers = Wording(
            "call_if_needed",
            K.CALL,
            "必要时保障人员会同电子交易系统管理人员和系统开发公司技术人员共同排除故障",
            "必要时",
            by=(R.SUPPORT_STAFF,),
            to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            if_needed=True,
            source=("必要时保障人员会同系统管理人员和技术人员共同排除故障",),
        )
        fallback = Wording(
            "try_fallback",
            K.TRY,
            "{agency}可尝试使用无线、移动数据等其它应急网络继续开标",
            "发生故障时",
            by=(R.AGENCY,),
            source=("代理机构可尝试使用无线、移动数据等其它应急网络继续开标",),
        )
        network = "无线、移动数据等其它应急网络"
        network_source = "若更换为无线、移动数据及其它应急网络可正常开标"
    else:
        # 5.1 names no one who calls: 由保障人员迅速判断、检查、排除网络故障.
        call = Wording(
            "call",
            K.CALL,
            "由综合交易保障人员迅速判断、检查、排除网络故障",
            "发生故障时",
            to=(R.SUPPORT_STAFF,),
            source=("由保障人员迅速判断、检查、排除网络故障",),
        )
        helpers = Wording(
            "call_if_needed",
            K.CALL,
            "必要时保障人员会同电子交易系统管理人员和系统开发公司技术人员共同排除故障",
            "必要时",
            by=(R.SUPPORT_STAFF,),
            to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
            if_needed=True,
            source=("必要时会同系统管理人员和技术人员共同排除故障",),
        )
        fallback = Wording(
            "try_fallback",
            K.TRY,
            "保障人员可尝试使用无线等其它应急网络继续{evaluation}",
            "发生故障时",
            by=(R.SUPPORT_STAFF,),
            source=("保障人员可尝试使用无线等其它应急网络继续评标",),
        )
        network = "无线等其它应急网络"
        network_source = "若更换为无线及其它应急网络可正常评标"
    return (
        call,
        helpers,
        fallback,
        Wording(
            "try_fix",
            K.TRY,
            "经简单维修，看是否可快速排除故障",
            "发生故障时",
            by=(R.SUPPORT_STAFF,),
            source=("经简单维修可快速排除故障的",),
        ),
        Wording(
            "proceed_fallback",
            K.DECIDE,
            f"更换为{network}可正常{work}的：在见证人员见证下，可按计划正常{work}",
            "更换应急网络后可正常进行",
            by=(R.AGENCY, R.WITNESS),
            source=(network_source, f"在见证人员见证下，可按计划正常{plain}"),
        ),
        Wording(
            "proceed_fix",
            K.DECIDE,
            f"经简单维修可快速排除故障的：在见证人员见证下，可按计划正常{work}",
            "经简单维修可快速排除故障",
            by=(R.AGENCY, R.WITNESS),
            source=(f"经简单维修可快速排除故障的，在见证人员见证下，可按计划正常{plain}",),
        ),
        Wording(
            "consult",
            K.DECIDE,
            f"更换网络或简单维修后仍无法正常{work}：由{{agency}}与{{tenderer}}协商，"
            "在见证人员见证下，视情确定处置措施",
            "更换网络和简单维修都不奏效",
            by=(R.AGENCY, R.TENDERER),
            source=(
                f"仍无法正常{plain}的，由代理机构与招标人协商",
                "在见证人员见证下，视情确定处置措施",
            ),
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
            source=("由保障人员会同系统管理人员和技术人员迅速判断、共同排除故障",),
        ),
        Wording(
            "keep_data",
            K.KEEP,
            "期间技术人员应做好{bid_files}的数据保密和完整性",
            "故障期间",
            by=(R.VENDOR_TECHNICIAN,),
            source=("期间，技术人员应做好投标文件的数据保密和完整性",),
        ),
    )


def _choose(text: str, source: str) -> Wording:
    return Wording(
        "choose",
        K.DECIDE,
        text,
        "故障在2小时内无法解决",
        by=(R.TENDERER,),
        to=(R.SUPERVISOR,),
        source=(source,),
    )


_CHOOSE_ONE_OF_THREE = _choose(
    "{tenderer}可以在下列三种方案中选择一种解决方案，并报监管部门备案",
    "招标人可以在下列三种方案中选择一种解决方案，并报监管部门备案",
)
_CHOOSE_TWO_OR_THREE = _choose(
    "系统故障较严重，在2小时内无法解决的：由{tenderer}在前述三种方案中选择方案二或方案三，"
    "并报监管部门备案",
    "较严重，在2小时内无法解决的，由招标人在前述三种方案中选择方案二或方案三，并报监管部门备案",
)
_CHOOSE_ANY = _choose(
    "故障较严重，在2小时内无法解决的：由{tenderer}在前述三种方案中选择一种并报监管部门备案",
    "故障较严重，在2小时内无法解决的，由招标人在前述三种方案中选择一种并报监管部门备案",
)


def _beyond(opening: bool, borrowed: bool = False) -> Wording:
    """4.2.1 / 5.1 third paragraph: confidentiality and the agency acting on the tenderer's word.

    4.2.2, 4.2.3, 5.2 and 5.3 say only “选择方案并备案”: there the sentence is 4.2.1's (5.1's),
    applied by analogy (``borrowed``)."""
    info, plain = ("{bid_info}", "投标信息") if opening else ("{evaluation}信息", "评标信息")
    return Wording(
        "beyond",
        K.KEEP,
        f"故障在2小时内无法解决：{{tenderer}}和{{agency}}应做好{info}和{{experts}}信息的保密工作，"
        "由{agency}根据{tenderer}的意见做好后续工作",
        "故障在2小时内无法解决",
        by=(R.TENDERER, R.AGENCY),
        source=(
            f"招标人和代理机构应做好{plain}和评标专家信息的保密工作，并由代理机构根据招标人的意见，"
            "做好后续工作",
        ),
        analogy=borrowed,
        reading=READ_BEYOND if borrowed else "",
        cites=("4.2.1" if opening else "5.1") if borrowed else "",
    )


def _after_choice() -> tuple[Wording, ...]:
    """What follows a choice: filing; a commitment stands; the report of 方案一."""
    return (
        Wording(
            "filed",
            K.FILE,
            "已选择{plan_name}，报监管部门备案",
            "已选择方案",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
            source=("并报监管部门备案",),
        ),
        Wording(
            "stands",
            K.FILE,
            "已选择{plan_name}，于 {filed} 报监管部门备案（公布）：照常执行，不因故障随后修复而撤销",
            "方案已备案或已公布",
            by=(R.TENDERER,),
            to=(R.SUPERVISOR,),
            reading=READ_STANDS,
        ),
        Wording(
            "report",
            K.CALL,
            "见证人员向本部门负责人和局分管领导报告情况",
            "方案一",
            by=(R.WITNESS,),
            to=(R.DEPARTMENT_HEAD, R.BUREAU_LEADER),
            source=("见证人员向本部门负责人和局分管领导报告情况",),
        ),
    )


def _record(clause_signers: str) -> Wording:
    return Wording(
        "record",
        K.RECORD,
        "{agency}应将突发情况的原因、经过、解决措施等进行书面记录，由{signers}签字确认",
        f"每一起突发情况（{clause_signers}签字）",
        by=(R.AGENCY,),
        source=("代理机构应将突发情况的原因、经过、解决措施等进行书面记录",),
    )


_ACTUAL_TIMES = Wording(
    "actual_times",
    K.RECORD,
    "书面记录如实写明故障实际修复时间：{resolved}（已作出的决定照常执行）",
    "决定已作出后故障修复",
    by=(R.AGENCY,),
    reading=READ_STANDS,
)


def _wait_duties_5_1(borrowed: bool) -> tuple[Wording, ...]:
    """5.1's sentences for the wait of under 2 hours. 5.2 and 5.3 say only “wait, then go on”:
    there they are 5.1's words applied by analogy (``borrowed``)."""
    own = (
        Wording(
            "fee_running",
            K.KEEP,
            "期间{fee}按时计取",
            "故障在2小时内可以解决",
            by=(R.AGENCY,),
            source=("期间评标费按时计取",),
        ),
        Wording(
            "leaving",
            K.KEEP,
            "{experts}有特殊情况确实不能继续{evaluation}的，签署不对外泄露任何{evaluation}信息和"
            "内容的承诺后予以补抽，{fee}按实际{evaluation}时间计取和支付；"
            "{agency}不得以任何理由少计或不支付{fee}",
            "故障在2小时内可以解决",
            by=(R.AGENCY,),
            source=(
                "评标专家有特殊情况确实不能继续评标的，在签署不对外泄露任何评标信息和内容的承诺后，"
                "予以补抽专家，评标费按实际评标时间计取和支付",
                "招标代理机构不得以任何理由少计或不支付评标费",
            ),
        ),
        Wording(
            "secrecy",
            K.KEEP,
            "故障修复期间，各方应做好{bid_info}和{experts}信息的保密工作",
            "故障在2小时内可以解决",
            by=(R.TENDERER, R.AGENCY, R.WITNESS),
            source=("故障修复期间，各方应做好投标信息和评标专家信息的保密工作",),
        ),
    )
    if not borrowed:
        return own
    return tuple(replace(w, analogy=True, reading=READ_WAIT_DUTIES, cites="5.1") for w in own)


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
                "{agency}应会同见证人员及时通知综合交易保障人员，由保障人员迅速判断、检查、排除网络故障",
                "代理机构无法使用有线网络进行开标准备",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SUPPORT_STAFF,),
                source=(
                    "代理机构应会同",
                    "及时通知综合交易保障人员",
                    "由保障人员迅速判断、检查、排除网络故障",
                ),
            ),
            Wording(
                "try",
                K.TRY,
                "{agency}可尝试使用无线、移动数据等其它应急网络进行开标准备",
                "发生故障时",
                by=(R.AGENCY,),
                source=("代理机构可尝试使用无线、移动数据等其它应急网络进行开标准备",),
            ),
            Wording(
                "proceed_fallback",
                K.DECIDE,
                "更换为无线、移动数据等其它应急网络可正常开标，到场{bidders}可网上签到的："
                "可按计划正常开标",
                "应急网络可用且投标人可签到",
                by=(R.AGENCY,),
                source=("若更换为无线、移动数据及其它应急网络可正常开标", "可按计划正常开标"),
            ),
            Wording(
                "proceed_fixable",
                K.DECIDE,
                "在{deadline}前可修复故障的，可按计划正常开标",
                "判断能在截止时间前修复",
                by=(R.AGENCY,),
                source=("在投标截止时间前可修复故障的，可按计划正常开标",),
            ),
            Wording(
                "proceed_fixed",
                K.DECIDE,
                "故障已于 {resolved} 修复，在{deadline}之前：可按计划正常开标",
                "已在截止时间前修复",
                by=(R.AGENCY,),
                source=("可按计划正常开标",),
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
                "{agency}应会同见证人员及时通知电子交易系统管理人员和系统开发公司技术人员，"
                "由系统管理人员会同技术人员迅速判断、及时排除系统故障",
                "代理机构无法进行开标准备，或潜在投标人无法网上签到",
                by=(R.AGENCY, R.WITNESS),
                to=(R.SYSTEM_ADMIN, R.VENDOR_TECHNICIAN),
                source=(
                    "代理机构应会同交易见证人员及时通知电子交易系统管理人员",
                    "由系统管理人员会同技术人员迅速判断、及时排除系统故障",
                ),
            ),
            Wording(
                "parties_decide",
                K.DECIDE,
                "系统故障在{deadline}前可修复的：由{agency}会同{tenderer}研究决定是否延期开标",
                "判断能在截止时间前修复，或已修复",
                by=(R.AGENCY, R.TENDERER),
                source=(
                    "系统故障在投标截止时间前可修复的，由代理机构会同招标人研究决定是否延期开标",
                ),
            ),
            Wording(
                "parties_delay",
                K.PUBLISH,
                "如决定延期开标，由{agency}会同{tenderer}出具延迟开标公告，在原公告页面发布，"
                "原则上新的开标时间应在延迟开标公告发布2小时之后",
                "判断能在截止时间前修复，或已修复",
                by=(R.AGENCY, R.TENDERER),
                source=("由代理机构会同招标人出具延迟开标公告", _NOTICE_MINIMUM),
                analogy=True,
                reading=READ_PARTIES_DELAY,
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
                source=("在投标截止时间前可修复的，应按计划正常开标",),
            ),
            Wording(
                "proceed_fixed",
                K.DECIDE,
                "供电已于 {resolved} 恢复，在{deadline}之前：应按计划正常开标",
                "已在截止时间前修复",
                by=(R.AGENCY,),
                source=("应按计划正常开标",),
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
            *_network_session(opening=True),
            _wait_opening(),
            _beyond(opening=True),
            _CHOOSE_ONE_OF_THREE,
            *_after_choice(),
            Wording(
                "plan1_room",
                K.DECIDE,
                "由部门负责人联系具备开评标条件的分大厅、分中心安排开评标室，保障项目继续开标需要",
                "方案一",
                by=(R.DEPARTMENT_HEAD,),
                source=(
                    "由部门负责人联系具备开评标条件的分大厅、分中心安排开评标室，保障项目继续开标需要",
                ),
            ),
            Wording(
                "plan1_move",
                K.TELL,
                "{experts}到齐后，由{tenderer}、{agency}组织专家、监管部门人员、见证人员"
                "一同前往新开、评标地点",
                "方案一",
                by=(R.TENDERER, R.AGENCY),
                to=(R.EXPERTS, R.SUPERVISOR),
                source=(
                    "评标专家到齐后，由招标人、代理机构组织专家、监管部门人员、见证人员一同前往新开、评标地点",
                ),
            ),
            Wording(
                "plan2_wait",
                K.TELL,
                "{tenderer}、{agency}在严格做好开评标信息保密工作的情况下，可安排{experts}"
                "至休息地点等候，待故障修复后继续在原地点开标、评标",
                "方案二",
                by=(R.TENDERER, R.AGENCY),
                to=(R.EXPERTS,),
                source=(
                    "招标人、代理机构在严格做好开评标信息保密工作的情况下，可安排评标专家至休息地点等候，"
                    "待故障修复后继续在原地点开标、评标",
                ),
            ),
            Wording(
                "plan3_supplement",
                K.PUBLISH,
                "{tenderer}出具延期开标的书面补充公告，经监管部门备案后现场公布",
                "方案三",
                by=(R.TENDERER,),
                to=(R.SUPERVISOR, R.BIDDERS),
                source=("招标人出具延期开标的书面补充公告，经监管部门备案后现场公布",),
            ),
            Wording(
                "plan3_republish",
                K.PUBLISH,
                "待故障修复后，由{agency}将补充公告原文发布至交易服务系统原公告页面，"
                "提示新的开标时间",
                "方案三",
                by=(R.AGENCY,),
                source=(
                    "待故障修复后，由代理机构原文发布至交易服务系统原公告页面，提示新的开标时间",
                ),
            ),
            Wording(
                "plan3_reopen",
                K.DECIDE,
                "后期根据重新确定的时间和地点开标、评标",
                "方案三",
                by=(R.TENDERER, R.AGENCY),
                source=("后期根据重新确定的时间和地点开标、评标",),
            ),
            Wording(
                "plan3_time_pending",
                K.PUBLISH,
                "原则上重新开标时间自发出补充公告之日起不少于1个工作日"
                "（公告发出后即可算出原则上的最早时间）",
                "方案三，补充公告尚未发出",
                by=(R.TENDERER,),
                source=("原则上重新开标时间自发出补充通知之日起不少于1个工作日",),
            ),
            Wording(
                "plan3_time",
                K.PUBLISH,
                "补充公告 {issued} 发出，当日不计；{full_day}为完整工作日，原则上最早 {earliest}",
                "方案三，补充公告已发出",
                by=(R.TENDERER,),
                source=("原则上重新开标时间自发出补充通知之日起不少于1个工作日",),
                reading=READ_ONE_WORKING_DAY,
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
        (
            *_system_session("开标"),
            _wait_opening("系统"),
            _beyond(opening=True, borrowed=True),
            _CHOOSE_TWO_OR_THREE,
        ),
        plans=(2, 3),
        documents=((Document.FILING_REPORT, "故障在2小时内无法解决，选择方案二或方案三"),),
    ),
    Clause(
        "4.2.3",
        "第四条（二）3",
        "开标过程中：断电",
        (
            _call_property_staff(),
            _wait_opening(),
            _beyond(opening=True, borrowed=True),
            _CHOOSE_ANY,
        ),
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
                source=(
                    "已抽取的评标专家到达评标现场后，由招标代理机构按规定给付评标专家费",
                    "评标专家有特殊情况确实不能继续评标的，予以补抽专家",
                ),
            ),
            Wording(
                "redraw",
                K.KEEP,
                "择期另行开标的，{experts}需重新抽取",
                "方案三",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
                source=("择期另行开标的，评标专家需重新抽取",),
            ),
            Wording(
                "prep_other_day",
                K.KEEP,
                "新的开标时间在 {new_day}，已是另一日（视为择期另行开标）：已抽取并到达现场的{experts}"
                "按规定给付{experts}费，{experts}需重新抽取",
                "开标准备阶段延迟开标，新的开标时间在以后日期",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
                source=("择期另行开标的，评标专家需重新抽取",),
                reading=READ_PREP_OTHER_DAY,
            ),
            Wording(
                "prep_maybe_other_day",
                K.KEEP,
                "如新的开标时间改在以后日期（视为择期另行开标）：已抽取并到达现场的{experts}按规定给付"
                "{experts}费，{experts}需重新抽取",
                "开标准备阶段延迟开标，新的开标日期未定",
                by=(R.AGENCY,),
                source=("择期另行开标的，评标专家需重新抽取",),
                reading=READ_PREP_OTHER_DAY,
            ),
        ),
    ),
    Clause(
        "5.1",
        "第五条 1",
        "评标环节：网络或设备软硬件故障；三种方案",
        (
            *_network_session(opening=False),
            _wait_evaluation(),
            *_wait_duties_5_1(borrowed=False),
            _beyond(opening=False),
            _CHOOSE_ONE_OF_THREE,
            *_after_choice(),
            Wording(
                "plan1_room",
                K.DECIDE,
                "由部门负责人联系具备{evaluation}条件的分大厅、分中心安排开评标室，"
                "保障继续{evaluation}需要",
                "方案一",
                by=(R.DEPARTMENT_HEAD,),
                source=(
                    "由部门负责人联系具备评标条件的分大厅、分中心安排开评标室，保障继续评标需要",
                ),
            ),
            Wording(
                "plan1_move",
                K.TELL,
                "由{agency}组织{experts}、监管部门人员、见证人员一同前往新{evaluation}地点",
                "方案一",
                by=(R.AGENCY,),
                to=(R.EXPERTS, R.SUPERVISOR),
                source=("由代理机构组织评标专家、监管部门人员、见证人员一同前往新评标地点",),
            ),
            Wording(
                "plan_fees",
                K.KEEP,
                "故障修复期间继续按时计取{fee}，{agency}不得以任何理由少计或不支付{fee}",
                "方案一、方案二",
                by=(R.AGENCY,),
                source=(
                    "故障修复期间继续按时计取评标费，代理机构不得以任何理由少计或不支付评标费",
                ),
            ),
            Wording(
                "leaving_by_analogy",
                K.KEEP,
                "专家确实不能继续的，签保密承诺后补抽，按实际时间计费",
                "方案一、方案二中等候超过2小时",
                by=(R.AGENCY,),
                analogy=True,
                reading=READ_LONG_WAIT_LEAVER,
                source=(
                    "评标专家有特殊情况确实不能继续评标的，在签署不对外泄露任何评标信息和内容的承诺后，"
                    "予以补抽专家，评标费按实际评标时间计取和支付",
                ),
            ),
            Wording(
                "plan2_report",
                K.CALL,
                "见证人员及时向本部门负责人和局分管领导报告情况",
                "方案二",
                by=(R.WITNESS,),
                to=(R.DEPARTMENT_HEAD, R.BUREAU_LEADER),
                source=("见证人员及时向本部门负责人和局分管领导报告情况",),
            ),
            Wording(
                "plan2_closure",
                K.PUBLISH,
                "{agency}在{tenderer}指导、监管部门监督和见证人员见证下，尽快制订开评标区域封闭方案，"
                "确定{experts}封闭地点，封闭开评标室",
                "方案二",
                by=(R.AGENCY,),
                to=(R.SUPERVISOR,),
                source=(
                    "代理机构在招标人指导、监管部门监督和见证人员见证下，尽快制订开评标区域封闭方案，"
                    "确定评标专家封闭地点，封闭开评标室",
                ),
            ),
            Wording(
                "plan2_move",
                K.TELL,
                "由{agency}组织{experts}、监管部门人员和见证人员一起前往封闭地点休息等候，"
                "待故障修复后继续{evaluation}",
                "方案二",
                by=(R.AGENCY,),
                to=(R.EXPERTS, R.SUPERVISOR),
                source=(
                    "由代理机构组织评标专家、监管部门人员、和见证人员一起前往封闭地点休息等候，"
                    "待故障修复后继续评标",
                ),
            ),
            Wording(
                "plan3_decision",
                K.PUBLISH,
                "{tenderer}签署择期{evaluation}的书面文件，并经监管部门备案",
                "方案三",
                by=(R.TENDERER,),
                to=(R.SUPERVISOR,),
                source=("招标人签署择期评标的书面文件并经监管部门备案",),
            ),
            Wording(
                "plan3_commitment",
                K.KEEP,
                "{agency}在监管部门监督和见证人员见证下，组织{experts}签署不对外泄露任何与"
                "{evaluation}有关信息和内容的承诺",
                "方案三",
                by=(R.AGENCY,),
                to=(R.EXPERTS,),
                source=(
                    "代理机构在监管部门监督和见证人员见证下，组织评标专家签署不对外泄露任何与评标有关"
                    "信息和内容的承诺",
                ),
            ),
            Wording(
                "plan3_new_time",
                K.DECIDE,
                "{tenderer}根据故障修复情况确定新的{evaluation}时间，重新抽取{experts}"
                "（须回避原{experts}）",
                "方案三",
                by=(R.TENDERER,),
                source=(
                    "招标人根据故障修复情况确定新的评标时间，重新抽取评标专家（须回避原评标专家）",
                ),
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
        (
            *_system_session("{evaluation}"),
            _wait_evaluation(),
            *_wait_duties_5_1(borrowed=True),
            _beyond(opening=False, borrowed=True),
            _CHOOSE_TWO_OR_THREE,
        ),
        plans=(2, 3),
        documents=((Document.FILING_REPORT, "故障在2小时内无法解决，选择方案二或方案三"),),
    ),
    Clause(
        "5.3",
        "第五条 3",
        "评标环节：断电",
        (
            _call_property_staff(),
            _wait_evaluation(),
            *_wait_duties_5_1(borrowed=True),
            _beyond(opening=False, borrowed=True),
            _CHOOSE_ANY,
        ),
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
                source=(
                    "已抽取的评标专家到达评标现场后，由代理机构按规定给付评标专家费",
                    "评标专家有特殊情况确实不能继续评标的，予以补抽专家",
                ),
            ),
            Wording(
                "redraw",
                K.KEEP,
                "择期另行{evaluation}的，{experts}需重新抽取",
                "方案三",
                by=(R.AGENCY,),
                source=("择期另行评标的，评标专家需重新抽取",),
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

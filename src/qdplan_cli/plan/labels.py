"""The one table of Chinese labels: roles (with the 政府采购 variants), stages, faults, outcomes,
documents and clause citations. Nothing else in the code spells these words."""

from __future__ import annotations

from typing import Final

from qdplan_cli.plan.model import Document, Fact, Fault, Outcome, ProjectType, Role, Stage, Step

STAGE_LABELS: Final = {
    Stage.PREP: "开标准备阶段",
    Stage.OPENING: "开标过程中",
    Stage.EVALUATION: "评标环节",
}

FAULT_LABELS: Final = {
    Fault.NETWORK: "网络或设备软硬件故障",
    Fault.SYSTEM: "电子交易系统故障（无法登录或服务异常）",
    Fault.POWER: "断电",
}

FAULT_SHORT: Final = {Fault.NETWORK: "网络故障", Fault.SYSTEM: "系统故障", Fault.POWER: "停电"}

PROJECT_TYPE_LABELS: Final = {
    ProjectType.CONSTRUCTION: "建设工程",
    ProjectType.PROCUREMENT: "政府采购",
}

OUTCOME_LABELS: Final = {
    Outcome.PROCEED: "按计划正常进行",
    Outcome.PARTIES_DECIDE: "由代理机构会同招标人研究决定是否延期开标",
    Outcome.DELAY_NOTICE: "出具延迟开标公告",
    Outcome.WAIT_AND_RESUME: "说明情况，等候修复后继续",
    Outcome.CHOOSE_PLAN: "由招标人选择应急方案并报监管部门备案",
    Outcome.NEED_INPUT: "尚缺情况，需要确认",
}

DOCUMENT_LABELS: Final = {
    Document.INCIDENT_RECORD: "开评标突发情况书面记录",
    Document.DELAY_NOTICE: "延迟开标公告",
    Document.SUPPLEMENTARY_NOTICE: "延期开标书面补充公告",
    Document.EVALUATION_RESCHEDULE: "择期评标书面文件",
    Document.FILING_REPORT: "应急处置方案备案表",
    # 5.1 方案二 names it 开评标区域封闭方案 (PLAN.md says 评标区域封闭方案; the text wins).
    Document.CLOSURE_PLAN: "开评标区域封闭方案",
    Document.CONFIDENTIALITY_COMMITMENT: "评标专家保密承诺书",
}

# Templates that are not decision documents: the paper outputs (qdplan fees/pack/checklist).
# (label, public?)
PAPER_TEMPLATES: Final = {
    "expert_fee_sheet": ("评标专家劳务费计算表（render、fees --out）", False),
    "paper_pack": ("开评标应急卡片（qdplan pack）", True),
    "checklist": ("一页处置清单（qdplan checklist）", True),
}

FACT_LABELS: Final = {
    Fact.STAGE: "所处环节",
    Fact.FAULT: "故障类型",
    Fact.FALLBACK_WORKS: "更换无线、移动数据等其它应急网络后能否正常进行",
    Fact.QUICK_FIX_WORKS: "经简单维修能否快速排除故障",
    Fact.FIXED_BEFORE_DEADLINE: "能否在投标截止时间前修复",
    Fact.BIDDERS_CAN_SIGN_IN: "到场投标人能否网上签到",
    Fact.WITHIN_2H: "故障能否在2小时内解决",
    Fact.PLAN: "选择的应急方案",
}

# The plans' names differ by stage (4.2.1 opening, 5.1 evaluation); documents use the stage's own.
_PLAN_NAMES: Final = {
    Stage.OPENING: {
        1: "方案一：另行选择地点继续开评标",
        2: "方案二：原地点继续开评标",
        3: "方案三：另行择期开评标",
    },
    Stage.EVALUATION: {
        1: "方案一：另行选择地点继续{evaluation}",
        2: "方案二：原地点继续{evaluation}",
        3: "方案三：另行择期{evaluation}",
    },
}
PLAN_NUMERALS: Final = {1: "方案一", 2: "方案二", 3: "方案三"}
# Stage-neutral short names (the timeline, where one answer can outlive a change of stage).
PLAN_SHORT: Final = {1: "方案一（另行选择地点）", 2: "方案二（原地点）", 3: "方案三（另行择期）"}


def plan_label(
    plan: int,
    stage: Stage | None,
    project_type: ProjectType = ProjectType.CONSTRUCTION,
) -> str:
    """``方案二：原地点继续评标`` — the name the plan gives it at ``stage`` (opening when unknown)."""
    names = _PLAN_NAMES[Stage.EVALUATION if stage is Stage.EVALUATION else Stage.OPENING]
    return names[plan].format(**terms(project_type))


def stage_label(stage: Stage, project_type: ProjectType = ProjectType.CONSTRUCTION) -> str:
    """The stage in the project's words (评标环节 → 评审环节 in 政府采购)."""
    return STAGE_LABELS[stage].replace("评标", terms(project_type)["evaluation"])


def document_label(doc: Document, project_type: ProjectType = ProjectType.CONSTRUCTION) -> str:
    """A document's title in the project's words (评标专家保密承诺书 → 评审专家保密承诺书)."""
    label = DOCUMENT_LABELS[doc]
    if doc is Document.CONFIDENTIALITY_COMMITMENT:
        return label.replace("评标专家", role_label(Role.EXPERTS, project_type))
    if doc is Document.EVALUATION_RESCHEDULE:
        return label.replace("评标", terms(project_type)["evaluation"])
    return label


# Role labels: (建设工程, 政府采购).
_ROLE_LABELS: Final = {
    Role.TENDERER: ("招标人", "采购人"),
    Role.AGENCY: ("招标代理机构", "采购代理机构"),
    Role.WITNESS: ("见证人员", "见证人员"),
    Role.SUPPORT_STAFF: ("综合交易保障人员", "综合交易保障人员"),
    Role.SYSTEM_ADMIN: ("电子交易系统管理人员", "电子交易系统管理人员"),
    Role.VENDOR_TECHNICIAN: ("系统开发公司技术人员", "系统开发公司技术人员"),
    Role.PROPERTY_STAFF: ("物业楼层服务人员", "物业楼层服务人员"),
    Role.DEPARTMENT_HEAD: ("本部门负责人", "本部门负责人"),
    Role.BUREAU_LEADER: ("局分管领导", "局分管领导"),
    Role.SUPERVISOR: ("监管部门", "监管部门"),
    Role.BIDDERS: ("投标人", "供应商"),
    Role.EXPERTS: ("评标专家", "评审专家"),
}


# Shorter names for a narrow screen (the status block shortens the role, never the number).
_ROLE_SHORT: Final = {
    Role.SUPPORT_STAFF: "保障人员",
    Role.SYSTEM_ADMIN: "系统管理人员",
    Role.VENDOR_TECHNICIAN: "开发公司技术人员",
    Role.PROPERTY_STAFF: "物业人员",
    Role.DEPARTMENT_HEAD: "部门负责人",
    Role.BUREAU_LEADER: "分管领导",
}


def role_short(role: Role, project_type: ProjectType = ProjectType.CONSTRUCTION) -> str:
    """The role in as few characters as still name it (``保障人员``); else its full label."""
    return _ROLE_SHORT.get(role) or role_label(role, project_type)


def role_label(role: Role, project_type: ProjectType = ProjectType.CONSTRUCTION) -> str:
    construction, procurement = _ROLE_LABELS[role]
    return procurement if project_type is ProjectType.PROCUREMENT else construction


def outcome_label(outcome: Outcome, project_type: ProjectType = ProjectType.CONSTRUCTION) -> str:
    """The outcome in the project's own words (招标人 → 采购人 in 政府采购)."""
    return OUTCOME_LABELS[outcome].replace("招标人", role_label(Role.TENDERER, project_type))


# 第五条 1 names only 无线等其它应急网络 (第四条 adds 移动数据): the evaluation stage's own words.
_EVALUATION_FALLBACK: Final = "更换无线等其它应急网络后能否正常{evaluation}"


def fact_label(
    fact: Fact,
    project_type: ProjectType = ProjectType.CONSTRUCTION,
    stage: Stage | None = None,
) -> str:
    """A fact in the project's own words (投标截止时间 → 响应文件提交截止时间 …) and, where the
    stages word it differently, the stage's (第五条 1: 无线等其它应急网络)."""
    words = terms(project_type)
    if fact is Fact.FALLBACK_WORKS and stage is Stage.EVALUATION:
        return _EVALUATION_FALLBACK.format(**words)
    return (
        FACT_LABELS[fact]
        .replace("投标截止时间", words["deadline"])
        .replace("招标人", words["tenderer"])
        .replace("投标人", words["bidders"])
    )


def terms(project_type: ProjectType) -> dict[str, str]:
    """Words that differ between 建设工程 and 政府采购, for step texts and document templates."""
    procurement = project_type is ProjectType.PROCUREMENT
    return {
        "tenderer": role_label(Role.TENDERER, project_type),
        "agency": role_label(Role.AGENCY, project_type),
        "bidders": role_label(Role.BIDDERS, project_type),
        "experts": role_label(Role.EXPERTS, project_type),
        "evaluation": "评审" if procurement else "评标",
        "fee": "评审费" if procurement else "评标费",
        "bid_files": "响应文件" if procurement else "投标文件",
        # Document wording (render): the notice's addressee and the original announcement.
        "addressee": "各供应商" if procurement else "各潜在投标人",
        "announcement": "采购公告" if procurement else "招标公告",
        "procurement_docs": "采购文件" if procurement else "招标文件",
        "deadline": "响应文件提交截止时间" if procurement else "投标截止时间",
        "bid_info": "响应文件信息" if procurement else "投标信息",
        "project_type": PROJECT_TYPE_LABELS[project_type],
    }


# The plan every document cites (its title as published).
PLAN_TITLE: Final = "青岛市公共资源电子交易系统开评标应急预案"

# Clause ids of PLAN.md → how the citation reads.
CLAUSE_LABELS: Final = {
    "3": "第三条",
    "4.1.1": "第四条（一）1",
    "4.1.2": "第四条（一）2",
    "4.1.3": "第四条（一）3",
    "4.2.1": "第四条（二）1",
    "4.2.2": "第四条（二）2",
    "4.2.3": "第四条（二）3",
    "4.3": "第四条（三）",
    "4.4": "第四条（四）",
    "5.1": "第五条 1",
    "5.2": "第五条 2",
    "5.3": "第五条 3",
    "5.4": "第五条（三）",
    "5.5": "第五条（四）",
    "6": "第六条",
}


def clause_label(clause: str) -> str:
    return CLAUSE_LABELS.get(clause, clause)


def step_citation(step: Step) -> str:
    """How a checklist line cites its clause wherever it is shown: ``参照 第五条 1`` when it
    applies that clause's words by analogy, ``解读 第四条（四）`` when it is another reading of
    ours, the bare clause (``第四条（一）1``) when it is the plan's own word."""
    cite = clause_label(step.clause)
    if step.analogy:
        return f"参照 {cite}"
    if step.reading:
        return f"解读 {cite}"
    return cite


WEEKDAYS: Final = ("一", "二", "三", "四", "五", "六", "日")

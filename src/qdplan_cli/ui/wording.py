"""What the wizard and the incident commands say on screen: questions, menu entries, hints.

The plan's own vocabulary (stages, faults, roles, plans, clause names) is ``plan.labels``; this
is the console's wording around it.
"""

from typing import Final

from qdplan_cli.plan.fields import DETAIL_KEYS, FIELDS, PROJECT, Shown, field
from qdplan_cli.plan.model import Fact

# The incident wizard's questions: (question, one-line hint of what the plan says about it),
# from the field table. ``{tenderer}``, ``{bidders}``, ``{evaluation}`` … are filled in with
# ``terms(project_type)``.
FACT_QUESTIONS: Final = {
    fact: (field(fact.value).question, field(fact.value).hint) for fact in Fact
}

# The evaluation stage asks in 第五条 1's own words: 保障人员可尝试使用无线等其它应急网络 (no
# 移动数据, which is 第四条's).
EVALUATION_QUESTIONS: Final = {
    Fact.FALLBACK_WORKS: (
        "更换无线等其它应急网络后，能否正常{evaluation}？",
        "预案：保障人员可尝试使用无线等其它应急网络；可正常{evaluation}的，在见证人员见证下，"
        "可按计划正常{evaluation}",
    ),
}

YES_NO: Final = ("能", "不能")

# Who judges whether the fault can be solved within 2 hours: those the plan calls to fix it.
JUDGES: Final = {
    "network": "综合交易保障人员",
    "system": "系统管理人员和技术人员",
    "power": "物业楼层服务人员",
}

WIZARD: Final = {
    "back": "← 返回上一步",
    "resolved": "故障已排除（记录排除时间，清单定格）",
    "log": "记录一条进展（写入时间线）",
    "plan_system_only": "；电子交易系统故障只能选方案二或方案三（{clause}）",
    "refresh": "刷新清单（按当前时间重新判断）",
    # The hub's entries for a time or reason recorded when it comes (the field table's).
    **{f.key: f.menu for f in FIELDS if f.menu},
    **{f"{f.key}_input": f.question for f in FIELDS if f.menu},
    "keep_current": "直接回车保持 {value}",
    "keep_empty": "直接回车不填",
    "details": "填写原因、经过、解决措施（书面记录用）",
    "done": "退出（稍后可用 {prog} incident --resume {id} 继续）",
    "hub": "下一步做什么？",
    "instruction": "（↑↓ 选择，回车确认）",
    "project_keep": "沿用：{summary}",
    "project_keep_file": "使用项目文件：{summary}",
    "project_keep_last": "沿用上一个事件的项目：{summary}",
    "project_edit_offered": "以此为底稿修改项目信息",
    "recorded": "已记录：{text}",
    "tick": "勾选已完成的步骤（记录完成时间）",
    "tick_question": "哪一步已完成？（√ 为已勾选，选中可更正）",
    "tick_when": "何时完成？",
    "tick_fix_question": "此步骤已记为 {at} 完成：",
    "tick_fix_time": "更正完成时间",
    "tick_undo": "撤销勾选（记错了，尚未完成）",
    "time_input": "时间（如 09:40 或 2026-12-08 09:40；Esc 返回）：",
    "full": "查看完整清单（较长时分页，按 q 返回）",
    "resolved_when": "故障何时排除？",
    "resolved_before_onset": "排除时间早于故障发生时间（{at}），未记录",
    "resolved_fix": "更正故障排除记录（已记为 {at}）",
    "resolved_fix_question": "更正故障排除记录：",
    "resolved_fix_time": "更正排除时间",
    "resolved_undo": "撤销：故障其实尚未排除",
    "attendance": "记录专家到达、结束时间（专家劳务费用）",
    "attendance_recorded": "（已记录 {groups} 条，共 {people} 人）",
    "attendance_count": "同一时间到达、结束的专家人数（回车为 1；Esc 返回）：",
    "attendance_arrived": "专家何时到达{evaluation}现场？",
    "attendance_left": "专家何时结束（离开）？",
    "attendance_evaluated": "这些专家是否已开始{evaluation}？",
    "evaluated": "已开始{evaluation}",
    "not_evaluated": "到场但未能{evaluation}",
    "at_onset": "故障发生时（{time}）",
    "attendance_order": "结束时间早于到达时间，未记录",
    "expert_left_order": "到达时间晚于离开时间：请重新选择该专家的到达时间",
    "expert_left": "专家因特殊情况提前离开（签署保密承诺、补抽）",
    "expert_left_recorded": "（已记录）",
    "expert_left_when": "该专家何时离开？",
    "expert_left_arrived": "该专家何时到达？",
    "expert_left_replaced": "是否已补抽专家？",
    "expert_left_commitment": "该专家是否已签署不对外泄露评审信息的承诺？",
    "yes_signed": "已签署",
    "not_signed": "尚未签署",
    "expert_replaced": "为提前离开的专家记录补抽（{count} 位尚未补抽）",
    "expert_replaced_which": "为哪位离开的专家补抽？",
    "expert_replaced_item": "{left} 离开的专家",
    "expert_commitment": "记录离开的专家已签署承诺（{count} 位尚未签署）",
    "expert_commitment_which": "哪位离开的专家已签署承诺？",
    "yes_replaced": "已补抽",
    "not_yet": "尚未补抽",
    "not_created": "已中断。尚未回答任何问题，没有创建事件记录。",
    "project_edit": "修改项目信息",
    "project_new": "新项目（现在填写）",
    "project_now": "现在填写项目信息",
    "project_later": "稍后填写（出具文书前在菜单中补填）",
    "project_later_kind": "稍后填写（{kind}项目；出具文书前在菜单中补填）",
    "project_fill": "填写项目信息（出具文书前需要）",
    "project_missing": "尚未填写项目信息：出具文书前请补填（{prog} incident --resume {id}，菜单中“填写项目信息”）",
    "project_question": "哪个项目？",
    "project_first": "填写项目信息（回车跳过不清楚的项）",
    "started_question": "故障何时发生？",
    "started_now": "刚刚（{time}）",
    "started_keep": "保持 {time}",
    "started_other": "输入其他时间…",
    "started_input": "故障发生时间（如 2026-12-08 09:12 或 09:12）：",
    "log_input": "进展内容（如：已通知保障人员张三）：",
    "created": "已创建事件 {id}。每个回答都已立即保存；按 Ctrl-C 可随时中断。",
    "out_of_order": "与预案顺序不符：{text}",
    "plan3_filed_at": "方案三·经监管部门备案：记录备案时间",
    "plan_later": "暂不选择（{tenderer}尚未决定；先回到菜单）",
    "plan_after_line": "已过2小时节点（{line}），不再询问“能否在2小时内解决”：转入应急方案，由{tenderer}选择",
    "resume": "继续处理事件 {id}：{summary}",
    "interrupted": "已中断。已回答的内容都已保存。继续处理：{prog} incident --resume {id}",
    "finished": "事件 {id} 已保存。查看：{prog} show {id}；导出案例文件：{prog} export {id} --out case.toml",
    "line_passed": "离开期间已过2小时节点（{line}），故障仍未排除：按预案转入应急方案，{tenderer}可以选择。",
    "already_resolved": "此事件的故障已于 {at} 排除，清单按排除时定格。",
    "no_tty": "没有可交互的终端（标准输入不是终端），无法逐项提问；请改用 qdplan incident --case 案例文件.toml --no-input",
    "need_fact": "缺少“{label}”，无法给出完整处置；请在案例文件 [incident] 中填写 {key}",
}

# The wizard's question for each ``[project]`` key it asks (the field table's).
PROJECT_FIELD_PROMPTS: Final = {f.key: f.question for f in PROJECT if Shown.WIZARD in f.shown}

# The written record's free texts (4.3, 5.4: 原因、经过、解决措施), as the wizard asks them.
DETAIL_PROMPTS: Final = {
    key: (field(key).label, field(key).question)
    for key in DETAIL_KEYS
    if Shown.WIZARD in field(key).shown
}

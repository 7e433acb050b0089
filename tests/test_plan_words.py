"""Issue 25: the plan's words, to the letter — 可, 应, 原则上, 及时, 必要时 — and every reading of
ours marked as one (参照 / 解读) wherever a step is shown.

The plan's Chinese text is shipped here as ``tests/data/plan_seed.txt`` (a verbatim copy of the
seed the project is specified from), so these tests need nothing outside the repository. The
clause table carries, for each step, the plan's sentence(s) it renders (``Wording.source``); the
guard holds the two side by side.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from qdplan_cli.documents.cards import checklist_context, pack_context
from qdplan_cli.documents.contexts import NoticeTime, build_context
from qdplan_cli.plan.clauses import BY_ID, CLAUSES, VALUES, Clause, Wording
from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.labels import fact_label, outcome_label, terms
from qdplan_cli.plan.model import Fact, Fault, Outcome, ProjectType, Situation, Stage
from qdplan_cli.plan.plan_doc import plan_markdown
from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.casefile import load_case

from .conftest import DATA, Result
from .renderkit import text_of

Run = Callable[..., Result]

SEED = DATA / "plan_seed.txt"
README = Path(__file__).resolve().parent.parent / "README.md"
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=shanghai())  # type: ignore[misc]


# ---------------------------------------------------------------- the plan's text, by clause

# The modal words the plan uses; 应 is not the 应 of 应急 (emergency), 响应 or 供应.
MODALS = {
    "可": re.compile("可"),
    "应": re.compile("(?<![响供相对])应(?!急)"),
    "原则上": re.compile("原则上"),
    "及时": re.compile("及时"),
    "必要时": re.compile("必要时"),
}


def modal_counts(text: str) -> Counter[str]:
    return Counter({word: len(rx.findall(text)) for word, rx in MODALS.items()})


def seed_sections() -> dict[str, str]:
    """The seed's text of each clause id of PLAN.md (4.1.1 … 5.5), split on its own headings:
    第四条 / 第五条, （1）（2）（三）（四）, and the items 1．2．3．."""
    sections: dict[str, list[str]] = {}
    article = sub = ""
    current = ""
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("第四条"):
            article, sub, current = "4", "", ""
            continue
        if line.startswith("第五条"):
            article, sub, current = "5", "", ""
            continue
        if line.startswith("第六条"):
            break
        if not article:
            continue
        if line.startswith("（1）"):
            sub, current = "1", ""
            continue
        if line.startswith("（2）"):
            sub, current = "2", ""
            continue
        if line.startswith("（三）"):
            current = f"{article}.3" if article == "4" else "5.4"
        elif line.startswith("（四）"):
            current = f"{article}.4" if article == "4" else "5.5"
        elif m := re.match(r"([123])．", line):
            current = f"4.{sub}.{m.group(1)}" if article == "4" else f"5.{m.group(1)}"
        if current:
            sections.setdefault(current, []).append(line)
    return {cid: "\n".join(lines) for cid, lines in sections.items()}


SECTIONS = seed_sections()


def rendered(w: Wording, project_type: ProjectType) -> str:
    return w.text.format(**terms(project_type), **{k: f"〈{v}〉" for k, v in VALUES.items()})


def steps() -> list[tuple[Clause, Wording]]:
    return [(c, w) for c in CLAUSES for w in c.steps]


def step_id(item: tuple[Clause, Wording]) -> str:
    return f"{item[0].id}:{item[1].key}"


def test_the_shipped_seed_is_split_into_every_clause_of_the_table() -> None:
    assert set(SECTIONS) == {c.id for c in CLAUSES}
    assert SECTIONS["4.1.1"].startswith("1．交易大厅开标室出现网络")
    assert SECTIONS["4.2.1"].endswith("不少于1个工作日）。")
    assert SECTIONS["5.4"].startswith("（三）") and SECTIONS["5.5"].startswith("（四）")


@pytest.mark.skipif(not SHARED_SEED.is_dir(), reason="../shared is not beside this checkout")
def test_the_shipped_seed_is_the_specification_s_own_text() -> None:
    (seed,) = SHARED_SEED.glob("*.txt")
    assert SEED.read_bytes() == seed.read_bytes()


@pytest.mark.parametrize("item", steps(), ids=step_id)
def test_a_step_quotes_the_plan_verbatim_from_the_clause_it_cites(
    item: tuple[Clause, Wording],
) -> None:
    clause, w = item
    if not w.reading:
        assert w.source, "a step in the plan's own words names the sentence it renders"
    assert not w.analogy or w.reading, "参照 is a reading of ours: it is named"
    text = SECTIONS[w.cites or clause.id]
    for fragment in w.source:
        assert fragment in text, f"not in {w.cites or clause.id}: {fragment}"


@pytest.mark.parametrize("item", steps(), ids=step_id)
def test_every_modal_word_of_the_plan_s_sentence_is_in_the_step_or_it_is_a_reading(
    item: tuple[Clause, Wording],
) -> None:
    """The guard: 可, 应, 原则上, 及时, 必要时 in the sentence a step renders are in the step's
    text (as often as the plan says them), unless the step is marked as a reading."""
    _, w = item
    if w.reading:
        return
    wanted = modal_counts("\n".join(w.source))
    for project_type in ProjectType:
        have = modal_counts(rendered(w, project_type))
        lost = {word: n - have[word] for word, n in wanted.items() if have[word] < n}
        assert not lost, f"{rendered(w, project_type)} drops {lost} of {w.source}"


@pytest.mark.parametrize("clause", [c.id for c in CLAUSES])
def test_every_modal_word_of_a_clause_is_rendered_by_some_step(clause: str) -> None:
    """Each 可/应/原则上/及时/必要时 of the clause's text lies in a sentence some step renders in
    the plan's words (a dropped 及时 cannot hide in a sentence no step quotes)."""
    text = SECTIONS[clause]
    covered = [False] * len(text)
    for c, w in steps():
        if (w.cites or c.id) != clause or w.reading:
            continue
        for fragment in w.source:
            for m in re.finditer(re.escape(fragment), text):
                covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    missing = [
        text[max(0, m.start() - 12) : m.end() + 12]
        for rx in MODALS.values()
        for m in rx.finditer(text)
        if not all(covered[m.start() : m.end()])
    ]
    assert not missing, missing


def test_every_reading_is_in_the_readme_list_with_its_clause() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## 我们对预案的理解", 1)[1].split("\n## ", 1)[0]
    for _, w in steps():
        if w.reading:
            assert f"**{w.reading}**" in section, w.reading
            line = next(x for x in section.splitlines() if f"**{w.reading}**" in x)
            assert "第" in line  # the entry names the clause it rests on


# ---------------------------------------------------------------- 1. borrowed sentences marked

EVAL_SYSTEM_WAIT = Situation(stage=Stage.EVALUATION, fault=Fault.SYSTEM, within_2h=True)


@pytest.mark.parametrize("fault", [Fault.SYSTEM, Fault.POWER])
def test_point_1_5_1_s_waiting_sentences_in_5_2_and_5_3_are_marked_by_analogy(
    fault: Fault,
) -> None:
    decision = decide(
        Situation(stage=Stage.EVALUATION, fault=fault, within_2h=True), at(2026, 12, 8, 10)
    )
    borrowed = [s for s in decision.steps if s.clause == "5.1"]
    texts = " ".join(s.text for s in borrowed)
    assert "按时计取" in texts and "补抽" in texts and "保密工作" in texts
    assert borrowed and all(s.analogy and s.reading for s in borrowed)
    own = decide(
        Situation(
            stage=Stage.EVALUATION,
            fault=Fault.NETWORK,
            fallback_works=False,
            quick_fix_works=False,
            within_2h=True,
        ),
        at(2026, 12, 8, 10),
    )
    assert not any(s.analogy for s in own.steps if s.clause == "5.1"), "5.1's own wait"


@pytest.mark.parametrize(
    ("stage", "fault", "source"),
    [
        (Stage.OPENING, Fault.SYSTEM, "4.2.1"),
        (Stage.OPENING, Fault.POWER, "4.2.1"),
        (Stage.EVALUATION, Fault.SYSTEM, "5.1"),
        (Stage.EVALUATION, Fault.POWER, "5.1"),
    ],
)
def test_point_1_the_confidentiality_sentence_beyond_2h_is_borrowed_and_marked(
    stage: Stage, fault: Fault, source: str
) -> None:
    decision = decide(Situation(stage=stage, fault=fault, within_2h=False), at(2026, 12, 8, 12))
    step = next(s for s in decision.steps if "保密工作" in s.text and "后续工作" in s.text)
    assert step.clause == source and step.analogy and step.reading


def test_point_1_the_marks_show_in_the_terminal_json_checklist_and_documents(run: Run) -> None:
    argv = ["decide", "--stage", "evaluation", "--fault", "system", "--within-2h"]
    out = run(*argv).out
    assert "参照 第五条 1" in out
    data = json.loads(run(*argv, "--json").out)
    borrowed = [s for s in data["steps"] if s["clause"] == "5.1"]
    assert len(borrowed) == 3
    assert all(s["by_analogy"] and s["reading"] for s in borrowed)
    assert all(s["clause_label"] == "参照 第五条 1" and s["reading_note"] for s in borrowed)
    decision = decide(EVAL_SYSTEM_WAIT, at(2026, 12, 8, 10))
    lines = checklist_context(decision, contacts={}, title="t", project={})["steps"]
    assert {line["clause"] for line in lines if "按时计取" in line["text"]} == {"参照 第五条 1"}
    # The documents' variables (decision.steps[]) carry the mark and the reading's name.
    case = load_case(DATA / "evaluation-system-wait.toml")
    moment = at(2026, 12, 10, 15)
    context = build_context(
        case, decide(case.situation, moment), NoticeTime(None, None, ""), moment
    )
    marked = [s for s in context["decision"]["steps"] if s["clause"] == "参照 第五条 1"]
    assert len(marked) == 3 and all(s["reading"] == "等候期间的计费、补抽与保密" for s in marked)


def test_point_1_docs_plan_md_lists_the_borrowed_sentences_under_5_2_and_5_3() -> None:
    text = plan_markdown()
    for clause in ("## 5.2", "## 5.3"):
        part = text.split(clause, 1)[1].split("\n## ", 1)[0]
        assert part.count("参照 第五条 1 适用") == 4  # fees, leaver, secrecy, beyond 2 h
    part = text.split("## 4.2.2", 1)[1].split("\n## ", 1)[0]
    assert "参照 第四条（二）1 适用" in part


# ---------------------------------------------------------------- 2. 可尝试 stays a may


@pytest.mark.parametrize(
    ("clause", "key"), [("4.1.1", "try"), ("4.2.1", "try_fallback"), ("5.1", "try_fallback")]
)
def test_point_2_the_emergency_network_is_may_try(clause: str, key: str) -> None:
    assert "可尝试使用" in BY_ID[clause].step(key).text


def test_point_2_the_engine_says_may_try_at_every_network_fault() -> None:
    for stage in Stage:
        decision = decide(Situation(stage=stage, fault=Fault.NETWORK), at(2026, 12, 8, 8))
        assert any("可尝试使用" in s.text for s in decision.steps), stage


# ---------------------------------------------------------------- 3. 原则上, not 最早合法


def test_point_3_the_warning_names_the_minimum_in_principle() -> None:
    s = Situation(
        stage=Stage.PREP,
        fault=Fault.POWER,
        fixed_before_deadline=False,
        notice_published_at=at(2026, 12, 8, 10),
        new_time=at(2026, 12, 8, 11),
    )
    warnings = " ".join(decide(s, at(2026, 12, 8, 10, 30)).warnings)
    assert "早于原则上的最早时间" in warnings and "合法" not in warnings


def edited_case(tmp_path: Path, name: str, edit: Callable[[str], str]) -> Path:
    """An example case of tests/data, edited, written to ``tmp_path``."""
    path = tmp_path / name
    path.write_text(edit((DATA / name).read_text(encoding="utf-8")), encoding="utf-8")
    return path


def without_new_time(case: str) -> str:
    return re.sub(r"(?m)^new_time = .*\n", "", case)


def test_point_3_render_and_the_readme_say_in_principle(run: Run, tmp_path: Path) -> None:
    path = edited_case(tmp_path, "prep-power-delay.toml", without_new_time)
    result = run("render", "--case", str(path), "--out", str(tmp_path / "out"), "--earliest")
    assert result.code == 0, result.err
    assert "原则上的最早时间" in result.out and "合法" not in result.out
    assert "合法" not in run("render", "--help").out
    assert "最早合法" not in README.read_text(encoding="utf-8")


def test_point_3_the_notices_fill_in_rule_says_in_principle(run: Run, tmp_path: Path) -> None:
    for name, doc in (
        ("opening-network-plan3.toml", "supplementary_notice"),
        ("prep-power-delay.toml", "delay_notice"),
    ):
        path = edited_case(tmp_path, name, without_new_time)
        out = tmp_path / name.removesuffix(".toml")
        result = run("render", "--case", str(path), "--out", str(out), "--only", doc)
        assert result.code == 0, result.err
        # Issue 22: the rule is told to the witness on screen; the public notice carries only
        # the line to fill in, no drafting note.
        assert "原则上" in result.out, doc
        assert "填写" not in text_of(out / f"{doc}.docx"), doc


def test_point_3_a_document_refused_for_an_earlier_time_says_in_principle(
    run: Run, tmp_path: Path
) -> None:
    def early(case: str) -> str:
        case = re.sub(r"(?m)^new_time = .*$", "new_time = 2026-12-03T10:41:00", case)
        return re.sub(r"(?m)^override_reason = .*\n", "", case)

    path = edited_case(tmp_path, "prep-power-delay.toml", early)
    result = run("render", "--case", str(path), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "早于原则上的最早时间" in result.err and "合法" not in result.err


# ---------------------------------------------------------------- 4. 第五条 1's own words


def test_point_4_the_evaluation_stage_asks_about_its_own_emergency_network() -> None:
    label = fact_label(Fact.FALLBACK_WORKS, ProjectType.CONSTRUCTION, Stage.EVALUATION)
    assert "无线等其它应急网络" in label and "移动数据" not in label
    assert "移动数据" in fact_label(Fact.FALLBACK_WORKS, ProjectType.CONSTRUCTION, Stage.OPENING)


def test_point_4_pack_card_7_does_not_borrow_4_s_mobile_data() -> None:
    now = at(2026, 12, 8, 9)
    card7 = pack_context(now, contacts={}, hall="大厅")["cards"][6]
    assert card7["clause"] == "第五条 1"
    text = json.dumps(card7, ensure_ascii=False)
    assert "移动数据" not in text and "无线等其它应急网络" in card7["questions"][0]["text"]


# ---------------------------------------------------------------- 5. 及时


def test_point_5_the_witness_reports_promptly_under_5_1_plan_2() -> None:
    s = Situation(stage=Stage.EVALUATION, fault=Fault.POWER, within_2h=False, plan=2)
    texts = [st.text for st in decide(s, at(2026, 12, 8, 12)).steps]
    assert "见证人员及时向本部门负责人和局分管领导报告情况" in texts
    plan1 = [st.text for st in decide(replace(s, plan=1), at(2026, 12, 8, 12)).steps]
    assert "见证人员向本部门负责人和局分管领导报告情况" in plan1  # 方案一 says no 及时


# ---------------------------------------------------------------- 6. the record form's outcomes


def test_point_6_the_hand_filled_record_offers_4_1_2_s_own_outcome(
    run: Run, tmp_path: Path
) -> None:
    context = pack_context(at(2026, 12, 8, 9), contacts={}, hall="大厅")
    assert "由代理机构会同招标人研究决定是否延期开标" in context["outcomes"]
    result = run("pack", "--out", str(tmp_path), "--now", "2026-12-08 09:00")
    assert result.code == 0, result.err
    form = text_of(tmp_path / "emergency_pack.docx").split("开评标突发情况书面记录", 1)[1]
    decisions = form.split("处置决定", 1)[1].split("谁签字", 1)[0]
    for outcome in Outcome:
        if outcome not in (Outcome.NEED_INPUT, Outcome.CHOOSE_PLAN):
            assert f"□{outcome_label(outcome)}" in decisions


# ---------------------------------------------------------------- 7. a dropped plan says so


@pytest.mark.parametrize("stage", [Stage.OPENING, Stage.EVALUATION])
@pytest.mark.parametrize("works", ["fallback_works", "quick_fix_works"])
def test_point_7_a_plan_chosen_but_not_filed_gives_way_with_a_word(
    stage: Stage, works: str
) -> None:
    facts = {"fallback_works": False, "quick_fix_works": False, works: True}
    s = Situation(stage=stage, fault=Fault.NETWORK, plan=2, within_2h=False, **facts)
    decision = decide(s, at(2026, 12, 8, 12))
    assert decision.outcome is Outcome.PROCEED
    assert any("方案二" in w and "plan_filed_at" in w for w in decision.warnings)
    filed = decide(
        Situation(
            stage=stage,
            fault=Fault.NETWORK,
            plan=2,
            within_2h=False,
            plan_filed_at=at(2026, 12, 8, 11, 30),
            **facts,
        ),
        at(2026, 12, 8, 12),
    )
    assert filed.outcome is Outcome.CHOOSE_PLAN  # a filed plan stands (issue 11)


# ---------------------------------------------------------------- 8. 方案三's new place


def test_point_8_the_plan_3_checklist_names_the_new_place(run: Run, tmp_path: Path) -> None:
    s = Situation(
        stage=Stage.OPENING,
        fault=Fault.NETWORK,
        fallback_works=False,
        quick_fix_works=False,
        within_2h=False,
        plan=3,
    )
    decision = decide(s, at(2026, 12, 8, 12))
    assert "后期根据重新确定的时间和地点开标、评标" in [st.text for st in decision.steps]
    project = {"venue": "第2开标室"}
    moved = checklist_context(
        decision, contacts={}, title="t", project=project, new_venue="西海岸分中心1号开标室"
    )
    assert moved["reopening_venue"] == "西海岸分中心1号开标室（变更）"
    same = checklist_context(decision, contacts={}, title="t", project=project)
    assert same["reopening_venue"] == "第2开标室（原地点，不变）"
    path = edited_case(
        tmp_path,
        "opening-network-plan3.toml",
        lambda case: case.replace(
            "[incident]\n", '[incident]\nnew_venue = "西海岸分中心1号开标室"\n'
        ),
    )
    out = tmp_path / "checklist.docx"
    result = run("checklist", "--case", str(path), "--out", str(out), "--now", "2026-12-08 12:00")
    assert result.code == 0, result.err
    assert "重新开标的地点（补充公告载明）：西海岸分中心1号开标室（变更）" in text_of(out)


# ---------------------------------------------------------------- 9. a reading marked in JSON


def test_point_9_a_prep_delay_to_another_day_is_a_reading_in_the_json(run: Run) -> None:
    data = json.loads(
        run(
            "decide",
            "--stage",
            "prep",
            "--fault",
            "power",
            "--not-fixed-before-deadline",
            "--json",
            "--now",
            "2026-12-08 09:30",
        ).out
    )
    step = next(s for s in data["steps"] if s["clause"] == "4.4")
    assert "择期另行开标" in step["text"]
    assert step["reading"] is True and step["by_analogy"] is False
    assert step["clause_label"] == "解读 第四条（四）"
    assert step["reading_note"] == "开标准备阶段延迟到以后日期"
    plain = next(s for s in data["steps"] if s["clause"] == "4.1.3")
    assert plain["reading"] is False and plain["reading_note"] is None

"""The status block at 80 columns: names and numbers of whom to reach are never cut (the people
wrap within the six lines, or the role is shortened), and a 必要时 step says so at its start."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.errors import PlanNotAllowedError
from qdplan_cli.plan.model import Fault, ProjectType, Role, Situation, Stage
from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.incident import numbered_steps
from qdplan_cli.ui.status import StatusInput, people_lines, status_lines, width_of

START = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())
# The longest names a contacts file is likely to hold: four-character compound surnames with
# given names, and numbers with an extension.
LONGEST = {
    role: [(f"欧阳司马诸葛{i}号", f"0532-8111{i:04d}-8{i:03d}")] for i, role in enumerate(Role)
}
PHONES = {phone for people in LONGEST.values() for _, phone in people}


def situations() -> list[tuple[Situation, datetime]]:
    out = []
    for stage, fault, ptype, within, plan, minutes, fallback in itertools.product(
        Stage, Fault, ProjectType, (None, True, False), (None, 1, 2, 3), (10, 130), (None, False)
    ):
        situation = Situation(
            stage=stage,
            fault=fault,
            project_type=ptype,
            within_2h=within,
            plan=plan,
            fallback_works=fallback,
            quick_fix_works=fallback,
            bidders_can_sign_in=True if fallback is None else None,
            started_at=START,
            bid_deadline=START + timedelta(minutes=30) if stage is Stage.PREP else None,
        )
        out.append((situation, START + timedelta(minutes=minutes)))
    return out


def test_no_line_at_80_columns_cuts_a_number_or_drops_a_person_of_a_shown_step() -> None:
    seen = 0
    for situation, now in situations():
        try:
            decision = decide(situation, now)
        except PlanNotAllowedError:
            continue
        steps = {n: step for n, _, step in numbered_steps(decision)}
        lines = [text for _, text in status_lines(StatusInput(decision, {}, LONGEST), now, 79)]
        block = "\n".join(lines)
        assert 1 <= len(lines) <= 6, block
        assert all(width_of(line) <= 79 for line in lines), block
        for phone in PHONES:
            # A number is on screen whole or not at all: no prefix of it ends a line.
            for line in lines:
                if phone not in line:
                    assert not any(line.endswith(phone[:k]) for k in range(4, len(phone))), block
        for line in lines:
            if not line.startswith("下一步 "):
                continue
            number = int(line.removeprefix("下一步 ").split(".")[0])
            step = steps[number]
            if step.if_needed:
                assert line.startswith(f"下一步 {number}. 必要时"), block
            roles = step.to if step.kind.value == "call" and step.to else (step.by or step.to)
            for role in roles:
                if role in LONGEST:
                    # Everyone the shown step reaches is on screen with the whole number.
                    assert LONGEST[role][0][1] in block, (role, block)
            seen += 1
    assert seen > 200


def test_the_second_caller_of_4_2_1_keeps_its_number_and_its_when_needed() -> None:
    # Opening, network: step 2 calls the system administrator and the vendor's technician,
    # 必要时 (第四条（二）1). Both numbers were cut at 80 columns, and 必要时 with them.
    situation = Situation(stage=Stage.OPENING, fault=Fault.NETWORK, started_at=START)
    lines = [
        text
        for _, text in status_lines(StatusInput(decide(situation, START), {}, LONGEST), START, 79)
    ]
    block = "\n".join(lines)
    assert "下一步 2. 必要时" in block
    for role in (Role.SYSTEM_ADMIN, Role.VENDOR_TECHNICIAN):
        assert LONGEST[role][0][1] in block, block


def test_people_wrap_onto_lines_or_lose_the_role_never_the_number() -> None:
    people = [
        (Role.SUPPORT_STAFF, "欧阳振华", "0532-81110001"),
        (Role.SYSTEM_ADMIN, "司马东方", "0532-81110002"),
        (Role.VENDOR_TECHNICIAN, "诸葛明远", "13800000003"),
    ]
    wide = people_lines(people, ProjectType.CONSTRUCTION, 160, 2)
    assert wide == [
        "  电话：综合交易保障人员 欧阳振华 0532-81110001；电子交易系统管理人员 司马东方 "
        "0532-81110002；系统开发公司技术人员 诸葛明远 13800000003"
    ]
    narrow = people_lines(people, ProjectType.CONSTRUCTION, 79, 1)
    assert narrow == [
        "  电话：欧阳振华 0532-81110001；司马东方 0532-81110002；诸葛明远 13800000003"
    ]
    two = people_lines(people, ProjectType.CONSTRUCTION, 60, 2)
    assert len(two) == 2 and all(width_of(line) <= 60 for line in two)
    assert all(phone in "".join(two) for _, _, phone in people)
    # A name longer than the screen: cut before the number, never the number.
    (line,) = people_lines(
        [(Role.SUPERVISOR, "名" * 60, "0532-81110009")], ProjectType.CONSTRUCTION, 40, 1
    )
    assert line.endswith(" 0532-81110009") and width_of(line) <= 40

"""Incidents recorded by an earlier release fold and verify: ``tests/data/compat/qdplan-6ebeae5.db``
was written by the release at commit 6ebeae5 (``tests/data/compat/make_store.py``), before the
typed incident: every kind of event it wrote reads, nothing is reported damaged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from qdplan_cli.plan.fields import Act
from qdplan_cli.plan.model import Fault, ProjectType, Stage
from qdplan_cli.plan.times import SHANGHAI
from qdplan_cli.record.incident import decide_incident, load, steps_of
from qdplan_cli.record.store import Store

from .conftest import DATA, Clock, Result

Run = Callable[..., Result]
OLD_STORE = DATA / "compat" / "qdplan-6ebeae5.db"


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 12, 8, hour, minute, tzinfo=SHANGHAI)


def test_a_store_of_the_earlier_release_verifies_and_folds_whole(
    run: Run, clock: Clock, qdplan_home: Path, tmp_path: Path
) -> None:
    qdplan_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OLD_STORE, qdplan_home / "qdplan.db")
    clock.now = at(16, 0)
    verified = run("verify")
    assert verified.code == 0, verified.out
    with Store.open() as store:
        ids = store.incident_ids()
        incidents = {i: load(store, i) for i in ids}
    assert len(incidents) == 4
    assert all(i.damaged == [] for i in incidents.values())
    opening, evaluation, wizard, aside = (incidents[i] for i in ids)

    # A case import, ticks under the old hash ids, a corrected resolution.
    assert opening.situation.plan == 3 and opening.resolved_at == at(12, 5)
    assert Act.SUPPLEMENT_ISSUED in opening.acts
    decision = decide_incident(opening, clock.now)
    ticked = [
        s for s in steps_of(opening, decision) if s.done_at is not None and s.settled_by is None
    ]
    assert len(ticked) == 2  # both old ticks still settle their steps
    long_text = max((s.text for s in ticked), key=len)
    assert len(long_text) > 60
    assert f"已完成：{long_text.rstrip('。；')}" in [e.text for e in opening.case().timeline]

    # A case with [[attendance]].
    assert evaluation.situation.stage is Stage.EVALUATION and evaluation.attendance
    assert evaluation.experts_present == max(
        sum(a.count for a in evaluation.attendance), len(evaluation.state.experts)
    )

    # The wizard's events: answers corrected, a project edit, a filing, experts.
    s = wizard.situation
    assert (s.stage, s.fault, s.within_2h, s.plan) == (Stage.EVALUATION, Fault.SYSTEM, False, 2)
    assert s.plan_filed_at == at(13, 58) and Act.PLAN_FILED in wizard.acts
    assert wizard.project.type is ProjectType.PROCUREMENT
    assert wizard.project.agency == "青岛某某招标咨询有限公司"
    (leaver,) = wizard.leavers
    assert leaver.commitment is True and leaver.replaced_at is not None  # as that release wrote
    assert [a.count for a in wizard.attendance] == [5, 1]
    assert wizard.state.cause == "系统服务异常"

    assert aside.discarded == "误操作创建的测试记录"

    # Each reads on: listed, exported, decided from its export.
    listed = run("list", "--all", "--json")
    assert listed.code == 0 and listed.err == ""
    for n, incident_id in enumerate(ids[:3]):
        exported = run("export", incident_id)
        assert exported.code == 0, exported.err
        case = tmp_path / f"{n}.toml"
        case.write_text(exported.out, encoding="utf-8")
        assert run("decide", "--case", str(case), "--json").code == 0

"""Build ``qdplan-6ebeae5.db``: a store recorded by the release at commit 6ebeae5 (before the
typed incident), for ``tests/incident/test_compat.py``. Run once with that release's code:

    git worktree add /tmp/qdplan-6ebeae5 6ebeae5
    PYTHONPATH=/tmp/qdplan-6ebeae5/src python tests/data/compat/make_store.py OUT_DIR

Every kind of event that release writes is here: case imports (quiet answers, details, the
timeline, a whole ``[[attendance]]``, the resolution), the wizard's answers and corrections, a
project edit, ticks under the old hash ids with their 60-character texts, an attendance line, an
expert who left early, a corrected resolution, a discard.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

out = Path(sys.argv[1]).resolve()
os.environ["QDPLAN_HOME"] = str(out)
os.environ["QDPLAN_CONFIG"] = str(out / "no-config.toml")
DATA = Path(__file__).resolve().parents[1]

from qdplan_cli import runtime  # noqa: E402
from qdplan_cli.__main__ import main  # noqa: E402
from qdplan_cli.plan.times import shanghai  # noqa: E402
from qdplan_cli.record import events as E  # noqa: E402
from qdplan_cli.record.incident import decide_incident, load, numbered_steps  # noqa: E402
from qdplan_cli.record.store import Store  # noqa: E402

now = datetime(2026, 12, 8, 9, 15, tzinfo=shanghai())


def clock() -> datetime:
    return now


runtime.clock = clock  # type: ignore[assignment]


def run(*argv: str) -> None:
    try:
        main(list(argv))
    except SystemExit as exc:
        assert exc.code in (0, None), (argv, exc.code)


# 1. A case import (opening, network, 方案三), then a log, two ticks (one long step) and a
#    resolution corrected once.
run("incident", "--case", str(DATA / "opening-network-plan3.toml"), "--no-input")
now += timedelta(minutes=5)
run("log", "已通知保障人员张三")
with Store.open() as store:
    (first,) = store.incident_ids()
    decision = decide_incident(load(store, first), now)
    long_step = next(n for n, _, s in numbered_steps(decision) if len(s.text) > 60)
run("tick", "1")
run("tick", str(long_step))
now += timedelta(hours=3)
run("resolve", "--at", "2026-12-08 12:00")
run("resolve", "--at", "2026-12-08 12:05")

# 2. A case with [[attendance]] and an early leaver (evaluation, system), imported whole.
run("incident", "--case", str(DATA / "evaluation-system-leaver.toml"), "--no-input")

# 3. The wizard's events, written as that release's wizard writes them: the answers, a project
#    edit, a filing, an attendance line, an expert who left, the record's texts.
start = datetime(2026, 12, 8, 13, 40, tzinfo=shanghai())
project = {"name": "青岛某某学校设备采购", "number": "QDCG-2026-0001", "type": "procurement"}
with Store.open() as store:
    wizard = store.create_incident(start, [E.created_event(start, project, start, "wizard")], start)
    for event in (
        E.answer_event(start, "stage", "evaluation", None),
        E.answer_event(start, "fault", "system", None),
        E.answer_event(start, "within_2h", True, None),
        E.answer_event(start + timedelta(minutes=5), "within_2h", False, True),
        E.answer_event(start + timedelta(minutes=6), "plan", 2, None),
        E.answer_event(
            start + timedelta(minutes=20), "plan_filed_at", start + timedelta(minutes=18), None
        ),
        E.project_event(start, {**project, "agency": "青岛某某招标咨询有限公司"}, project),
        E.attendance_event(start, start - timedelta(hours=1), start + timedelta(hours=4), 5),
        E.expert_left_event(
            start + timedelta(minutes=30),
            start + timedelta(minutes=30),
            start - timedelta(hours=1),
            replacement=True,
        ),
        E.details_event(start, {"cause": "系统服务异常", "measures": "封闭评标"}, {}),
    ):
        store.append(wizard, event, start + timedelta(minutes=40))

# 4. An incident set aside.
run("incident", "--case", str(DATA / "prep-power-delay.toml"), "--no-input")
with Store.open() as store:
    aside = store.incident_ids()[-1]
run("discard", aside, "--reason", "误操作创建的测试记录")
print(out / "qdplan.db")

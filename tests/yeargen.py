"""A generated year of incidents in a local store, for the archive and review tests and benches.

Deterministic (a seeded ``random.Random``); made with the record's own event builders, so the
events are exactly what the wizard and ``incident --case`` write.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from qdplan_cli.plan.model import Fault, ProjectType, Stage
from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.casefile import Project
from qdplan_cli.record.events import (
    answer_event,
    created_event,
    details_event,
    log_event,
    resolved_event,
)
from qdplan_cli.record.store import NewEvent, Store

STAGES = (Stage.PREP, Stage.OPENING, Stage.EVALUATION)
FAULTS = (Fault.NETWORK, Fault.SYSTEM, Fault.POWER)


def incident_events(
    rng: random.Random, year: int, *, events: int | None = None, resolved: bool = True
) -> tuple[datetime, list[NewEvent]]:
    tz = shanghai()
    day = datetime(year, 1, 1, tzinfo=tz) + timedelta(days=rng.randrange(365))
    started = day.replace(hour=rng.randrange(8, 16), minute=rng.randrange(60))
    stage = rng.choice(STAGES)
    fault = rng.choice(FAULTS)
    duration = timedelta(minutes=rng.choice((10, 25, 40, 70, 95, 130, 180, 260)))
    within = duration <= timedelta(hours=2)
    project = Project(
        name=f"青岛市某某工程{rng.randrange(1000):03d}标段",
        number=f"QD-{year}-{rng.randrange(10000):04d}",
        type=ProjectType(rng.choice(("construction", "procurement"))),
        opening_time=started.replace(minute=0),
    )
    out = [
        created_event(started, project, started, "wizard"),
        answer_event(started, "stage", stage.value, None),
        answer_event(started, "fault", fault.value, None),
    ]
    if stage is not Stage.PREP:
        out.append(answer_event(started, "within_2h", within, None))
    if stage is not Stage.PREP and not within:
        plan = rng.choice((2, 3) if fault is Fault.SYSTEM else (1, 2, 3))
        out.append(answer_event(started + timedelta(hours=2), "plan", plan, None))
        if rng.random() < 0.85:
            out.append(log_event(started + timedelta(hours=2, minutes=10), "已报监管部门备案"))
    details: dict[str, str] = {
        "cause": "交换机故障",
        "course": "见证人员记录",
        "measures": "更换设备",
    }
    plan_3 = any(e.data and e.data.get("field") == "plan" and e.data.get("value") == 3 for e in out)
    if stage is Stage.OPENING and plan_3:
        issued = started + timedelta(hours=2, minutes=30)
        details["supplement_issued_at"] = issued.isoformat()
        days = rng.choice((1, 2, 3, 4))
        details["new_time"] = (issued + timedelta(days=days)).replace(hour=9, minute=0).isoformat()
    elif stage is Stage.PREP or rng.random() < 0.3:
        published = started + timedelta(minutes=rng.randrange(10, 60))
        lead = timedelta(minutes=rng.choice((90, 120, 150, 240)))
        details["notice_published_at"] = published.isoformat()
        details["new_time"] = (published + lead).isoformat()
    if rng.random() < 0.1:
        details.pop("cause")
    out.append(details_event(started + timedelta(minutes=5), details, {}))
    if stage is Stage.EVALUATION:
        names = [f"专家{i}" for i in range(rng.randrange(3, 8))]
        out.append(
            NewEvent("details", started, "", {"incident": {}, "confidential": {"experts": names}})
        )
    total = events if events is not None else rng.randrange(8, 14)
    moment = started
    while len(out) < total - (1 if resolved else 0):
        moment += timedelta(minutes=1)
        out.append(log_event(moment, f"现场记录第 {len(out)} 条：通知有关人员"))
    if resolved:
        out.append(resolved_event(started + duration, started + duration, None))
    return started, out


def generate_year(
    store: Store,
    year: int,
    count: int,
    *,
    seed: int = 2026,
    events: int | None = None,
    unresolved: float = 0.05,
) -> list[str]:
    rng = random.Random(seed)
    ids = []
    for _ in range(count):
        started, made = incident_events(
            rng, year, events=events, resolved=rng.random() >= unresolved
        )
        ids.append(store.create_incident(started, made, started))
    return ids

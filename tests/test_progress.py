"""Steps that know when they are done: ``record.incident.open_steps`` (the console and ``watch``
read it) settles a step by its tick or by the act that fulfils it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.fields import Act
from qdplan_cli.plan.model import Role
from qdplan_cli.plan.progress import legacy_step_id
from qdplan_cli.plan.times import SHANGHAI
from qdplan_cli.record.casefile import Project
from qdplan_cli.record.events import answer_event, created_event, tick_event
from qdplan_cli.record.incident import Incident, load, open_steps
from qdplan_cli.record.store import NewEvent, Store

ONSET = datetime(2026, 12, 8, 9, 10, tzinfo=SHANGHAI)


def record(
    tmp_path: Path, *answers: tuple[str, object], extra: list[NewEvent] | None = None
) -> Incident:
    events = [created_event(ONSET, Project(name="某工程"), ONSET, "test")]
    events += [answer_event(ONSET, key, value, None) for key, value in answers]
    with Store.open(tmp_path) as store:
        incident_id = store.create_incident(ONSET, [*events, *(extra or [])], ONSET)
        return load(store, incident_id)


def keys(incident: Incident, now: datetime) -> list[str]:
    return [s.key for s in open_steps(incident, decide(incident.situation, now))]


def test_recording_the_filing_settles_the_step_报监管部门备案(tmp_path: Path) -> None:
    answers = (("stage", "opening"), ("fault", "network"), ("fallback_works", False))
    answers += (("quick_fix_works", False), ("within_2h", False), ("plan", 2))
    later = ONSET + timedelta(hours=3)
    before = record(tmp_path / "a", *answers)
    assert "4.2.1:filed" in keys(before, later)
    filed = record(tmp_path / "b", *answers, ("plan_filed_at", ONSET + timedelta(hours=2)))
    steps = open_steps(filed, decide(filed.situation, later))
    assert "4.2.1:filed" not in [s.key for s in steps]
    assert "4.2.1:stands" not in [s.key for s in steps]
    # And the console numbers the open steps as the whole checklist does.
    assert [s.number for s in steps] == sorted(s.number for s in steps)
    assert all(s.text and s.clause for s in steps)


def test_the_publication_settles_发布延迟开标公告(tmp_path: Path) -> None:
    answers = (("stage", "prep"), ("fault", "power"), ("fixed_before_deadline", False))
    now = ONSET + timedelta(hours=1)
    before = record(tmp_path / "a", *answers)
    assert {"4.1.3:delay_notice", "4.1.3:publish_notice"} <= set(keys(before, now))
    published = record(
        tmp_path / "b", *answers, ("notice_published_at", ONSET + timedelta(minutes=30))
    )
    assert published.acts[Act.NOTICE_PUBLISHED] == ONSET + timedelta(minutes=30)
    left = keys(published, now)
    assert "4.1.3:delay_notice" not in left and "4.1.3:publish_notice" not in left


def test_answering_that_the_emergency_network_failed_settles_尝试应急网络(tmp_path: Path) -> None:
    asked = record(tmp_path / "a", ("stage", "opening"), ("fault", "network"))
    assert "4.2.1:try_fallback" in keys(asked, ONSET + timedelta(minutes=5))
    failed = record(
        tmp_path / "b", ("stage", "opening"), ("fault", "network"), ("fallback_works", False)
    )
    left = open_steps(failed, decide(failed.situation, ONSET + timedelta(minutes=5)))
    assert "4.2.1:try_fallback" not in [s.key for s in left]
    assert "4.2.1:try_fix" in [s.key for s in left]  # the simple repair is still to try
    # Each open step says who does it.
    try_fix = next(s for s in left if s.key == "4.2.1:try_fix")
    assert try_fix.actors == (Role.SUPPORT_STAFF,)


def test_a_tick_settles_a_step_by_its_key_and_an_older_tick_by_its_hash_id(
    tmp_path: Path,
) -> None:
    answers = (("stage", "opening"), ("fault", "power"), ("within_2h", True))
    now = ONSET + timedelta(minutes=20)
    plain = record(tmp_path / "a", *answers)
    call = next(
        s for s in open_steps(plain, decide(plain.situation, now)) if s.key.endswith("call")
    )
    done = ONSET + timedelta(minutes=12)
    ticked = record(
        tmp_path / "b", *answers, extra=[tick_event(now, call.key, call.text, done, None)]
    )
    assert call.key not in keys(ticked, now)
    # A record written before steps had keys ticked by a hash of the text: still settled.
    legacy = record(
        tmp_path / "c",
        *answers,
        extra=[tick_event(now, legacy_step_id(call.step), call.text, done, None)],
    )
    assert call.key not in keys(legacy, now)

"""The written record of a stored incident carries its record hash, so the signed paper can be
matched to the database later (``qdplan render --incident ID``, ``qdplan verify ID --hash``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ..renderkit import text_of
from .conftest import DATA, Clock, Result
from .test_record_chain import attack

Run = Callable[..., Result]
NOW = "2026-12-16T10:00"


def stored(run: Run, case: str = "prep-power-delay.toml") -> str:
    result = run("incident", "--case", str(DATA / case), "--no-input")
    assert result.code == 0, result.err
    return re.search(r"事件编号：(\S+)", result.out)[1]  # type: ignore[index]


def test_the_record_shows_the_hash_that_verify_accepts(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    incident = stored(run)
    clock.advance(minutes=10)
    assert run("log", "书面记录打印前最后一条").code == 0
    out = tmp_path / "out"
    result = run("render", "--incident", incident, "--out", str(out), "--now", NOW)
    assert result.code == 0, result.err
    record = text_of(out / "incident_record.docx")
    printed = re.search(r"事件编号：(\S+)\n记录校验码：([0-9a-f]{12})$", record, re.MULTILINE)
    assert printed is not None, record
    assert printed[1] == incident
    printed = re.search(r"记录校验码：([0-9a-f]{12})", record)
    assert printed is not None
    assert f"记录校验码：{printed[1]}" in result.out  # also said on the terminal
    assert "书面记录打印前最后一条" in record  # the record is the stored incident
    assert "记录校验码" not in text_of(out / "delay_notice.docx")
    # The hash on paper is the hash of the chain as stored.
    check = run("verify", incident, "--hash", printed[1])
    assert check.code == 0 and "打印件就是现在的记录" in check.out
    # A later line changes the head; the paper still matches the record as it was.
    clock.advance(minutes=10)
    assert run("log", "签字后补记").code == 0
    later = run("verify", incident, "--hash", printed[1])
    assert later.code == 0 and "此后又追加了 1 条记录" in later.out


def test_rendering_from_a_case_file_has_no_hash_line(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        "render", "--case", str(DATA / "prep-power-delay.toml"), "--out", str(out), "--now", NOW
    )
    assert result.code == 0, result.err
    assert "记录校验码" not in text_of(out / "incident_record.docx")
    assert "记录校验码" not in result.out


def test_a_tampered_incident_is_not_rendered(
    run: Run, clock: Clock, qdplan_home: Path, tmp_path: Path
) -> None:
    incident = stored(run)
    attack(qdplan_home, "UPDATE events SET text = '供电于10时整恢复' WHERE seq = 8")
    out = tmp_path / "out"
    result = run("render", "--incident", incident, "--out", str(out), "--now", NOW)
    assert result.code == 1
    assert "未通过校验" in result.err and "第 8 条" in result.err
    assert not out.exists()


def test_render_needs_exactly_one_source(run: Run, clock: Clock, tmp_path: Path) -> None:
    neither = run("render", "--out", str(tmp_path / "a"))
    assert neither.code == 2 and "--incident" in neither.err
    incident = stored(run)
    both = run(
        "render",
        "--case",
        str(DATA / "prep-power-delay.toml"),
        "--incident",
        incident,
        "--out",
        str(tmp_path / "b"),
    )
    assert both.code == 2 and "二者选一" in both.err
    unknown = run("render", "--incident", "20990101-0000-9", "--out", str(tmp_path / "c"))
    assert unknown.code == 2 and "20990101-0000-9" in unknown.err


def test_the_hash_and_the_rendered_events_come_from_one_snapshot(
    run: Run, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``log`` from another terminal while rendering lands before or after, never between the
    hash and the events read for the record."""
    from qdplan_cli.record import store as store_module
    from qdplan_cli.record.checks import check_incident
    from qdplan_cli.record.events import log_event
    from qdplan_cli.record.store import Store

    # The writer's checkpoints wait for this reader's snapshot, which is held on purpose: they
    # give up at once instead of after CHECKPOINT_WAIT_MS (the write itself is unaffected).
    monkeypatch.setattr(store_module, "CHECKPOINT_WAIT_MS", 1)

    incident = stored(run)
    with Store.open() as reader, reader.snapshot():
        before = len(reader.events(incident))
        with Store.open() as writer:
            writer.append(incident, log_event(clock.now, "另一个终端记下的一笔"), clock.now)
        assert len(reader.events(incident)) == before
        assert len(check_incident(reader, incident).links) == before
    with Store.open() as reader:
        assert len(reader.events(incident)) == before + 1


def test_an_early_leavers_commitment_and_replacement_are_in_the_decision(
    run: Run, clock: Clock, tmp_path: Path
) -> None:
    """Issue 22 point 8: 处置决定 says that an expert who could not stay left, signed the
    commitment, and was replaced (5.1: 签署…承诺后，予以补抽), each with its time; never a name
    (the record is internal, but the leaving is recorded without one)."""
    from datetime import datetime

    from qdplan_cli.plan.times import SHANGHAI
    from qdplan_cli.record import events as E
    from qdplan_cli.record.store import Store

    incident = stored(run, "evaluation-system-wait.toml")  # the fault 13:40–14:55 on 2026-12-10
    left = datetime(2026, 12, 10, 14, 5, tzinfo=SHANGHAI)
    arrived = datetime(2026, 12, 10, 8, 45, tzinfo=SHANGHAI)
    signed, drawn = left.replace(minute=10), left.replace(minute=30)
    clock.now = datetime(2026, 12, 10, 14, 40, tzinfo=SHANGHAI)
    with Store.open() as store:
        store.append(
            incident,
            E.expert_left_event(left, left, arrived, replacement=False, commitment=False),
            clock.now,
        )
        store.append(incident, E.expert_commitment_event(signed, 1, left), clock.now)
        store.append(incident, E.expert_replaced_event(drawn, 1, left), clock.now)
    out = tmp_path / "out"
    result = run("render", "--incident", incident, "--out", str(out), "--now", NOW)
    assert result.code == 0, result.err
    record = text_of(out / "incident_record.docx")
    decided = record.split("三、处置决定")[1].split("四、签字确认")[0].replace("\n", "")
    assert (
        "一名评审专家因特殊情况确实不能继续评审，于2026年12月10日（周四）14:05提前离开；"
        "已于2026年12月10日（周四）14:10签署不对外泄露评审信息的承诺；"
        "已于2026年12月10日（周四）14:30补抽专家。"
    ) in decided
    for name in ("专家甲", "专家乙", "专家丙", "专家丁", "专家戊"):
        assert name not in record


def test_a_case_files_early_leaver_is_in_the_decision_without_invented_times(
    run: Run, tmp_path: Path
) -> None:
    """A case file records the leaving (expert_left_early) but not the acts' times: 处置决定
    says so and points to 经过, where the witness wrote them, rather than leave it out."""
    out = tmp_path / "out"
    case = str(DATA / "evaluation-system-leaver.toml")
    result = run("render", "--case", case, "--out", str(out), "--now", NOW)
    assert result.code == 0, result.err
    record = text_of(out / "incident_record.docx")
    decided = record.split("三、处置决定")[1].split("四、签字确认")[0].replace("\n", "")
    assert "有评标专家提前离开，其签署承诺、补抽专家见经过记录。" in decided
    assert "专家甲" not in record

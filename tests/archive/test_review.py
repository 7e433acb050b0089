"""``qdplan review``: the year's figures (each traced to incident ids), the DOCX with its charts,
the JSON; from the local store and from the archive."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.casefile import Project
from qdplan_cli.record.events import (
    answer_event,
    created_event,
    details_event,
    log_event,
    resolved_event,
)
from qdplan_cli.record.handover import local_chain, review_item
from qdplan_cli.record.review_stats import Item, review
from qdplan_cli.record.store import NewEvent, Store

from ..yeargen import generate_year
from .conftest import ArchiveDb

pytest.importorskip("matplotlib", reason="没有安装 qdplan[centre]（matplotlib）：跳过年度回顾测试")

TZ = shanghai()


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def make(
    store: Store,
    start: datetime,
    *,
    stage: str,
    fault: str,
    minutes: int | None,
    plan: int | None = None,
    notice: tuple[datetime, datetime] | None = None,
    supplement: tuple[datetime, datetime] | None = None,
    experts: int = 0,
    filed: bool = False,
    filed_at: datetime | None = None,
    texts: bool = True,
) -> str:
    events = [
        created_event(start, Project(name="某工程"), start, "wizard"),
        answer_event(start, "stage", stage, None),
        answer_event(start, "fault", fault, None),
    ]
    if plan is not None:
        events.append(answer_event(start, "plan", plan, None))
    details: dict[str, str] = (
        {"cause": "断网", "course": "经过", "measures": "措施"} if texts else {"cause": "断网"}
    )
    if notice:
        details["notice_published_at"], details["new_time"] = (t.isoformat() for t in notice)
    if supplement:
        details["supplement_issued_at"], details["new_time"] = (t.isoformat() for t in supplement)
    if filed_at:
        details["plan_filed_at"] = filed_at.isoformat()
    events.append(details_event(start, details, {}))
    if experts:
        names = [f"保密专家{i}" for i in range(experts)]
        events.append(
            NewEvent("details", start, "", {"incident": {}, "confidential": {"experts": names}})
        )
    if filed:
        events.append(log_event(start, "已报监管部门备案"))
    if minutes is not None:
        end = start + timedelta(minutes=minutes)
        events.append(resolved_event(end, end, None))
    return store.create_incident(start, events, start)


def items(store: Store, hall: str = "中心") -> list[Item]:
    return [review_item(local_chain(store, i, laptop="", hall=hall)) for i in store.incident_ids()]


def by_key(result) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {f.key: f for f in result.figures()}


def test_each_figure_counts_exactly_its_incidents() -> None:
    with Store.open() as store:
        a = make(store, at(3, 2, 9), stage="opening", fault="network", minutes=30)
        b = make(
            store,
            at(3, 9, 10),
            stage="opening",
            fault="system",
            minutes=150,
            plan=3,
            supplement=(at(3, 9, 12, 30), at(3, 10, 9)),
            filed=True,
        )
        c = make(
            store, at(7, 1, 14), stage="evaluation", fault="power", minutes=180, plan=2, experts=5
        )
        d = make(
            store,
            at(7, 2, 9),
            stage="prep",
            fault="power",
            minutes=200,
            notice=(at(7, 2, 9, 10), at(7, 2, 10, 40)),
            texts=False,
        )
        e = make(store, at(12, 30, 9), stage="prep", fault="network", minutes=None)
        make(store, at(12, 30, 9, year=2025), stage="prep", fault="network", minutes=5)
        found = items(store)
    earliest = lambda issued: (issued + timedelta(days=2)).replace(hour=9, minute=0)  # noqa: E731
    result = review(found, 2026, reopening=earliest)
    f = by_key(result)
    assert f["total"].ids == [a, b, c, d, e]  # the 2025 incident is not this year's
    assert f["month.3"].ids == [a, b] and f["month.7"].ids == [c, d] and f["month.12"].ids == [e]
    assert f["stage_fault.opening.system"].ids == [b]
    assert f["stage_fault.prep.power"].ids == [d]
    # Resolved: a 30, b 150, d 200, c 180 → median (low) 150 (b), worst 200 (d).
    assert (f["resolution.median"].value, f["resolution.median"].ids) == (150, [b])
    assert (f["resolution.worst"].value, f["resolution.worst"].ids) == (200, [d])
    # The 2-hour line: opening and evaluation only (d is preparation: no such rule).
    assert f["two_hour.crossed"].ids == [b, c]
    assert f["plan.2"].ids == [c] and f["plan.3"].ids == [b] and f["plan.1"].ids == []
    # 4.1: d's new time is 90 minutes after the notice: under the 2 hours.
    assert f["notice.delay"].ids == [d] and f["notice.delay_short"].ids == [d]
    assert f["notice.delay_lead_median"].value == 90
    # 4.2.1 方案三: reopening 3-10 09:00 is before the earliest (3-11 09:00).
    assert f["notice.supplement_short"].ids == [b]
    assert f["gap.unresolved"].ids == [e]
    assert f["gap.unfiled"].ids == [c]  # b's record says 备案
    assert f["gap.record_texts"].ids == [d]
    # 5 experts × 3 hours waiting.
    assert f["experts.hours"].value == 15.0 and f["experts.hours"].ids == [c]
    assert f["experts.fee"].value == 5 * 400


def test_review_writes_docx_with_charts_and_json_tracing_every_incident(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with Store.open() as store:
        ids = generate_year(store, 2026, 30, seed=11)
        generate_year(store, 2025, 3, seed=12)
    out = tmp_path / "回顾"
    result = run("review", "--year", "2026", "--out", str(out), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    figures = {f["key"]: f for f in data["figures"]}
    assert set(figures["total"]["incidents"]) == set(ids)
    assert sum(figures[f"month.{m}"]["count"] for m in range(1, 13)) == 30
    assert json.loads((out / "年度回顾-2026.json").read_text(encoding="utf-8")) == data
    docx = (out / "年度回顾-2026.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 3 and all(z.read(n).startswith(b"\x89PNG") for n in media)
        body = z.read("word/document.xml").decode("utf-8")
    for incident_id in ids:  # the appendix lists every incident
        assert incident_id.replace("-", "\u2011") in body
    assert "保密" not in body and "专家0" not in body and "专家1" not in body
    assert "附表一" in body and "附表二" in body


def test_review_reads_the_archive_and_keeps_halls_apart(
    archive_db: ArchiveDb, run, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    for n, hall in enumerate(("市中心大厅", "西海岸分中心")):
        monkeypatch.setenv("QDPLAN_HOME", str(tmp_path / f"laptop{n}"))
        config.write_text(f'[hall]\nname = "{hall}"\n', encoding="utf-8")
        with Store.open() as store:
            generate_year(store, 2026, 6 + n, seed=n, unresolved=0)
        assert run("archive", "push", "--all").code == 0
    result = run(
        "review",
        "--year",
        "2026",
        "--source",
        "archive",
        "--hall",
        "西海岸分中心",
        "--out",
        str(tmp_path / "out"),
        "--json",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {r["hall"] for r in data["incidents"]} == {"西海岸分中心"}
    assert len(data["incidents"]) == 7
    everything = run(
        "review", "--year", "2026", "--source", "archive", "--out", str(tmp_path / "all"), "--json"
    )
    assert len(json.loads(everything.out)["incidents"]) == 13
    # Ids from the archive carry the laptop: two laptops' ids never merge.
    assert all("/" in r["id"] for r in json.loads(everything.out)["incidents"])
    unknown = run(
        "review",
        "--year",
        "2026",
        "--source",
        "archive",
        "--hall",
        "没有这个",
        "--out",
        str(tmp_path / "x"),
    )
    assert unknown.code == 2 and "没有场所" in unknown.err


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["review", "--out", "x"], "--year"),
        (["review", "--year", "2026"], "--out"),
        (["review", "--year", "2026", "--out", "x", "--source", "cloud"], "--source"),
        (["review", "--year", "1900", "--out", "x"], "--year"),
    ],
)
def test_review_bad_input_names_the_option(run, argv: list[str], field: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*argv)
    assert result.code == 2 and field in result.err


def test_review_refuses_a_broken_record(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    with Store.open() as store:
        (incident_id,) = generate_year(store, 2026, 1)
        path = store.path
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET text = '改过' WHERE incident_id = ? AND seq = 2", (incident_id,))
    db.commit()
    db.close()
    result = run("review", "--year", "2026", "--out", str(tmp_path / "o"))
    assert result.code == 1 and incident_id in result.err and "第 2 条" in result.err


def test_a_recorded_filing_time_counts_as_filed() -> None:
    """备案 (4.2.1, 5.1): a plan with its filing time recorded is not missing a filing."""
    with Store.open() as store:
        filed = make(
            store,
            at(5, 6, 9),
            stage="opening",
            fault="power",
            minutes=150,
            plan=2,
            filed_at=at(5, 6, 11, 20),
        )
        unfiled = make(store, at(5, 7, 9), stage="opening", fault="power", minutes=150, plan=2)
        found = items(store)
    assert {i.id for i in found} == {filed, unfiled}
    assert by_key(review(found, 2026))["gap.unfiled"].ids == [unfiled]

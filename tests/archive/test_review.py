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
    assert "保密" not in body and "专家0" not in body and "专家1" not in body
    # The DOCX stays short: no incident-by-incident list (that is the xlsx), no "X 至 Y" range.
    assert "附表" in body and "附表二" not in body and " 至 " not in body
    assert "年度回顾-2026.xlsx" in body
    for bad in ("\u2060", "\u2011", "\u200b", "\u00ad", "\ufeff"):  # issue 22: text copies true
        assert bad not in body
    import openpyxl

    book = openpyxl.load_workbook(out / "年度回顾-2026.xlsx", read_only=True)
    rows = list(book["全年事件"].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == [figures["total"]["incidents"][n] for n in range(30)]
    assert not any("保密" in str(v) for r in rows for v in r)


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
    # The director's read-only role: no names, so the chains cannot be re-checked; said so.
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", archive_db.reader_url)
    director = run("review", "--year", "2026", "--source", "archive", "--out", str(tmp_path / "d"))
    assert director.code == 0 and "校验链未重新计算" in director.out, director.err
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", archive_db.confidential_url)
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


def test_review_reports_a_broken_record_and_counts_the_rest(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    with Store.open() as store:
        incident_id, *others = generate_year(store, 2026, 3, unresolved=0)
        path = store.path
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET text = '改过' WHERE incident_id = ? AND seq = 2", (incident_id,))
    db.commit()
    db.close()
    result = run("review", "--year", "2026", "--out", str(tmp_path / "o"), "--json")
    assert result.code == 1 and incident_id in result.err and "第 2 条" in result.err
    figures = {f["key"]: f for f in json.loads(result.out)["figures"]}
    assert sorted(figures["total"]["incidents"]) == sorted(others)


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


def test_a_font_cache_older_than_the_cjk_font_is_rebuilt_once(tmp_path: Path) -> None:
    """matplotlib's font list is cached on first use; a CJK font installed afterwards is not in
    it. The review rebuilds the list once instead of saying 没有找到中文字体 for ever."""
    import os
    import subprocess
    import sys

    from qdplan_cli.documents.charts import CJK_FONTS

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "PYTHONIOENCODING": "utf-8"}
    stale = f"""
import json
from pathlib import Path
import matplotlib
from matplotlib import font_manager as fm
names = {list(CJK_FONTS)!r}
if not any(f.name in names for f in fm.fontManager.ttflist):
    print("NO-CJK-FONT")
else:
    fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if f.name not in names]
    path = Path(matplotlib.get_cachedir()) / f"fontlist-v{{fm.FontManager.__version__}}.json"
    fm.json_dump(fm.fontManager, path)
    print(path)
"""
    made = subprocess.run(
        [sys.executable, "-c", stale], env=env, capture_output=True, text=True, check=True
    )
    if made.stdout.strip() == "NO-CJK-FONT":
        pytest.skip("本机没有安装中文字体")
    cache = Path(made.stdout.strip())
    assert not any(name in cache.read_text(encoding="utf-8") for name in CJK_FONTS)
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from qdplan_cli.documents.charts import cjk_font; print(cjk_font())",
        ],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() in CJK_FONTS
    # The cache file itself was rewritten: the next run finds the font straight away.
    assert any(name in cache.read_text(encoding="utf-8") for name in CJK_FONTS)


def _calc_installed() -> bool:
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    program = Path(soffice).resolve().parent
    return any(program.glob("libsclo.*")) or any(program.glob("sclo.dll"))


@pytest.mark.skipif(not _calc_installed(), reason="LibreOffice Calc is not installed")
def test_the_xlsx_opens_in_libreoffice_calc_and_its_counts_match_the_review(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import csv
    import os
    import subprocess

    from qdplan_cli.record.events import discard_event

    with Store.open() as store:
        ids = generate_year(store, 2026, 40, seed=5)
        last = datetime.fromisoformat(store.raw_events(ids[7])[-1][1])
        store.append(ids[7], discard_event(last, "误建"), last)  # set aside: listed, not counted
    out = tmp_path / "回顾"
    result = run("review", "--year", "2026", "--out", str(out), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    figures = {f["key"]: f for f in data["figures"]}
    figures["discarded"] = data["discarded"]
    profile = tmp_path / "lo-profile"
    converted = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, quote, UTF-8
            "--outdir",
            str(tmp_path / "csv"),
            str(out / "年度回顾-2026.xlsx"),
        ],
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert converted.returncode == 0, converted.stderr
    with (tmp_path / "csv" / "年度回顾-2026.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    column = {name: n for n, name in enumerate(header)}
    discarded = [r for r in rows if r[column["已作废（未计入）"]] == "是"]
    assert len(discarded) == figures["discarded"]["count"] == 1
    rows = [r for r in rows if r not in discarded]
    assert len(rows) == figures["total"]["count"] == 40 - len(discarded)
    assert sorted(r[column["事件编号"]] for r in rows) == sorted(figures["total"]["incidents"])
    for plan, key in (("方案一", "plan.1"), ("方案二", "plan.2"), ("方案三", "plan.3")):
        assert sum(r[column["应急方案"]] == plan for r in rows) == figures[key]["count"]
    assert sum(r[column["超过2小时"]] == "是" for r in rows) == figures["two_hour.crossed"]["count"]
    unresolved = sum(r[column["故障排除（北京时间）"]] == "" for r in rows)
    assert unresolved == figures["gap.unresolved"]["count"]
    fees = sum(float(r[column["等候劳务费估算（元）"]] or 0) for r in rows)
    assert fees == figures["experts.fee"]["value"]
    # Times read back as Beijing date-times, with the date.
    onset = rows[0][column["故障发生（北京时间）"]]
    assert onset.startswith("2026-") and ":" in onset

"""``qdplan archive``: against a real PostgreSQL server (tests/pgserver.py), never a mock."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from qdplan_cli.plan.times import shanghai
from qdplan_cli.record.chain import canonical_content, event_hash, genesis_hash
from qdplan_cli.record.events import EventKind, log_event
from qdplan_cli.record.handover import Chain, local_chain
from qdplan_cli.record.signing import laptop_key
from qdplan_cli.record.store import Store

from ..conftest import Result
from ..yeargen import generate_year
from .conftest import ArchiveDb

README = Path(__file__).resolve().parents[2] / "README.md"


def make_year(count: int, *, unresolved: float = 0.0, seed: int = 7) -> list[str]:
    with Store.open() as store:
        return generate_year(store, 2026, count, seed=seed, unresolved=unresolved)


def counts(db: ArchiveDb) -> tuple[int, int, int]:
    (row,) = db.sql(
        "SELECT (SELECT count(*) FROM qdplan.incidents), (SELECT count(*) FROM qdplan.events), "
        "(SELECT count(*) FROM qdplan.heads)"
    )
    return int(row[0]), int(row[1]), int(row[2])  # type: ignore[call-overload]


def local_events(ids: list[str]) -> int:
    with Store.open() as store:
        return sum(len(store.raw_events(i)) for i in ids)


def test_push_sends_finished_incidents_whole_and_twice_changes_nothing(
    archive_db: ArchiveDb, run
) -> None:
    ids = make_year(4, unresolved=0.0)
    with Store.open() as store:  # one incident still open: not sent
        open_id = store.create_incident(
            store_time(), [log_event(store_time(), "故障仍在处理")], store_time()
        )
    result: Result = run("archive", "push", "--all")
    assert result.code == 0, result.err
    assert "已发送 4 个事件" in result.out and "1 个事件尚未结束" in result.out
    assert counts(archive_db) == (4, local_events(ids), 4)
    rows = archive_db.sql("SELECT DISTINCT hall, laptop FROM qdplan.incidents")
    assert rows[0][0] == "青岛市公共资源交易中心" and str(rows[0][1]).startswith("laptop-")
    # The archive holds every event verbatim: the same hashes, in the same order.
    with Store.open() as store:
        local = [tuple(r) for r in store.raw_events(ids[0])]
    held = archive_db.sql(
        "SELECT seq, at, recorded_at, kind, text, data, prev, hash FROM qdplan.events "
        "WHERE incident_id = %s ORDER BY seq",
        (ids[0],),
    )
    assert held == local
    again = run("archive", "push", "--all")
    assert (
        again.code == 0
        and "已发送 0 个事件" in again.out
        and "4 个事件档案库中已有完整记录" in again.out
    )
    assert counts(archive_db) == (4, local_events(ids), 4)
    refused = run("archive", "push", open_id)
    assert refused.code == 2 and "尚未结束" in refused.err


def store_time():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime(2026, 12, 3, 10, 0, tzinfo=shanghai())


def test_an_incident_that_grew_sends_only_its_new_events(archive_db: ArchiveDb, run) -> None:
    ids = make_year(2)
    assert run("archive", "push", "--all").code == 0
    before = counts(archive_db)
    _log(ids[0])
    result = run("archive", "push", ids[0])
    assert result.code == 0, result.err
    assert "已发送 1 个事件的 1 条新记录" in result.out
    after = counts(archive_db)
    assert after == (before[0], before[1] + 1, before[2] + 1)
    with Store.open() as store:
        head = local_chain(store, ids[0], laptop="x", hall="y").head
    (row,) = archive_db.sql(
        "SELECT chain_head FROM qdplan.incident_heads WHERE incident_id = %s", (ids[0],)
    )
    assert row[0] == head
    assert centre(archive_db, run, "archive", "verify").code == 0


def centre(db: ArchiveDb, run, *args: str) -> Result:  # type: ignore[no-untyped-def]
    """``qdplan *args`` as the centre's confidential reader (the pushing role reads no names)."""
    pushing = os.environ["QDPLAN_ARCHIVE_URL"]
    os.environ["QDPLAN_ARCHIVE_URL"] = db.confidential_url
    try:
        result: Result = run(*args)
    finally:
        os.environ["QDPLAN_ARCHIVE_URL"] = pushing
    return result


def _log(incident_id: str) -> None:
    with Store.open() as store:
        store.append(incident_id, log_event(store_time(), "补记：监管人员已到场"), store_time())


def forged(chain: Chain, seq: int, text: str) -> Chain:
    """The chain as a laptop with an altered copy holds it: event ``seq`` rewritten and every
    hash after it recomputed, so the copy passes its own check."""
    rows = [list(r) for r in chain.rows]
    prev = genesis_hash(chain.incident_id, chain.created_at)
    for row in rows:
        if row[0] == seq:
            row[4] = text
        content = canonical_content(
            chain.incident_id, row[0], row[1], row[2], row[3], row[4], json.loads(row[5])
        )
        row[6], row[7] = prev, event_hash(prev, content)
        prev = row[7]
    return Chain(
        chain.incident_id, chain.created_at, tuple(map(tuple, rows)), prev, chain.laptop, chain.hall
    )


def test_the_archive_refuses_a_forked_chain_naming_the_event(archive_db: ArchiveDb, run) -> None:
    from qdplan_cli.record.archive import Archive

    (incident_id,) = make_year(1)
    assert run("archive", "push", "--all").code == 0
    with Store.open() as store:
        laptop = archive_db.sql("SELECT laptop FROM qdplan.incidents")[0][0]
        chain = local_chain(store, incident_id, laptop=str(laptop), hall="青岛")
    fake = forged(chain, 3, "篡改后的文字")
    assert fake.check().ok  # the altered copy is consistent in itself
    before = counts(archive_db)
    with Archive.connect(archive_db.push_url) as archive:
        result = archive.push([fake], key=laptop_key())
    assert result.incidents == 0
    ((refused_id, why),) = result.refused
    assert refused_id == incident_id and "第 3 条" in why and "分叉" in why
    assert counts(archive_db) == before
    # Grown and forked: the altered copy has one more event; still refused, nothing written.
    extra = (
        chain.length + 1,
        chain.rows[-1][1],
        chain.rows[-1][2],
        "log",
        "新的一条",
        "{}",
        "",
        "",
    )
    grown = Chain(chain.incident_id, chain.created_at, (*chain.rows, extra), "", laptop, "青岛")
    longer = forged(grown, 3, "篡改后的文字")
    with Archive.connect(archive_db.push_url) as archive:
        result = archive.push([longer], key=laptop_key())
    assert result.refused and "第 3 条" in result.refused[0][1]
    assert counts(archive_db) == before


def test_the_server_itself_refuses_an_event_that_does_not_extend_the_chain(
    archive_db: ArchiveDb,
) -> None:
    """Even a client that skips the check cannot append a fork: the trigger refuses it."""
    import psycopg

    (incident_id,) = make_year(1)
    with Store.open() as store:
        chain = local_chain(store, incident_id, laptop="L1", hall="H")
    from qdplan_cli.record.archive import Archive

    with Archive.connect(archive_db.push_url) as archive:
        archive.push([chain], key=laptop_key())
    with psycopg.connect(archive_db.push_url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute(
            "INSERT INTO qdplan.events VALUES ('L1', %s, %s, 'a', 'b', 'log', '', '{}', %s, %s)",
            (incident_id, chain.length + 1, "0" * 64, "1" * 64),
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE qdplan.events SET text = 'x'",
        "DELETE FROM qdplan.events",
        "TRUNCATE qdplan.events CASCADE",
        "UPDATE qdplan.incidents SET hall = 'x'",
        "DELETE FROM qdplan.heads",
    ],
)
def test_archived_events_cannot_be_changed_even_by_the_owner(
    archive_db: ArchiveDb, run, statement: str
) -> None:
    import psycopg

    make_year(1)
    assert run("archive", "push", "--all").code == 0
    before = counts(archive_db)
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        archive_db.sql(statement)
    assert counts(archive_db) == before


def test_the_pushing_role_may_insert_and_select_only(archive_db: ArchiveDb, run) -> None:
    import psycopg

    make_year(1)
    assert run("archive", "push", "--all").code == 0  # as the pushing role
    for statement in (
        "UPDATE qdplan.events SET text = 'x'",
        "DELETE FROM qdplan.events",
        "INSERT INTO qdplan.migrations (number, name) VALUES (99, 'x')",
        "DROP TABLE qdplan.events",
        "ALTER TABLE qdplan.events DISABLE TRIGGER events_append_only",
    ):
        with (
            psycopg.connect(archive_db.push_url) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(statement)
    # On an archive already at this version, init has nothing to do and needs no rights.
    result = run("archive", "init")
    assert result.code == 0 and "无需改动" in result.out


def test_the_readme_documents_the_grants_the_tests_use() -> None:
    from qdplan_cli.record.archive import grants

    text = README.read_text(encoding="utf-8")
    for line in grants(
        "qdplan_archive", "qdplan_push", "qdplan_reader", "qdplan_confidential"
    ).splitlines():
        assert line in text


def test_an_archive_of_a_newer_qdplan_is_refused_untouched(archive_db: ArchiveDb, run) -> None:
    archive_db.sql("INSERT INTO qdplan.migrations (number, name) VALUES (99, 'from_the_future')")
    make_year(2)
    result = run("archive", "push", "--all")
    assert result.code == 2 and "更新版本的 qdplan" in result.err and "第 99 版" in result.err
    assert counts(archive_db) == (0, 0, 0)
    os.environ["QDPLAN_ARCHIVE_URL"] = archive_db.admin_url
    init = run("archive", "init")
    assert init.code == 2 and "没有改动它" in init.err


def test_push_before_init_says_to_run_init(blank_db: ArchiveDb, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", blank_db.admin_url)
    make_year(1)
    result = run("archive", "push", "--all")
    assert result.code == 2 and "qdplan archive init" in result.err


def test_unreachable_server_and_wrong_password_have_an_exit_code_of_their_own(
    archive_db: ArchiveDb, run, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ids = make_year(2)
    before_local = local_events(ids)
    wrong = archive_db.push_url.replace("push-secret", "wrong-password")
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", wrong)
    result = run("archive", "push", "--all")
    assert result.code == 5
    assert "用户名或密码不对" in result.err and "wrong-password" not in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    nowhere = f"postgresql://qdplan_push:x@/qdplan?host={tmp_path}/no-server&port=5432"
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", nowhere)
    result = run("archive", "push", "--all")
    assert result.code == 5 and "连接不上档案库服务器" in result.err
    assert counts(archive_db) == (0, 0, 0)
    assert local_events(ids) == before_local
    monkeypatch.delenv("QDPLAN_ARCHIVE_URL")
    result = run("archive", "push", "--all")
    assert result.code == 2 and "[archive] url" in result.err


def test_config_line_gives_the_archive_address(
    archive_db: ArchiveDb, run, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    url = archive_db.push_url
    monkeypatch.delenv("QDPLAN_ARCHIVE_URL")
    (tmp_path / "config.toml").write_text(
        f'[hall]\nname = "西海岸分中心"\n\n[archive]\nurl = "{url}"\nlaptop = "一号笔记本"\n',
        encoding="utf-8",
    )
    make_year(1)
    result = run("archive", "push", "--all")
    assert result.code == 0
    assert "pgpass" in result.err  # a password in the config file: told where it belongs
    assert archive_db.sql("SELECT hall, laptop FROM qdplan.incidents") == [
        ("西海岸分中心", "一号笔记本")
    ]


def test_an_interrupted_push_leaves_whole_batches_and_the_next_push_goes_on(
    archive_db: ArchiveDb, pg
) -> None:  # type: ignore[no-untyped-def]
    from qdplan_cli.record.archive import Archive, ArchiveUnavailableError

    if not pg.controllable:
        pytest.skip("测试无法停止和启动该 PostgreSQL 服务器（未给出 QDPLAN_TEST_PGDATA）")
    ids = make_year(5)
    key = laptop_key()
    with Store.open() as store:
        chains = [local_chain(store, i, laptop="L1", hall="H") for i in ids]
    stopped: list[int] = []

    def kill_server(batch: int) -> None:
        if batch == 1:
            pg.stop()
            stopped.append(batch)

    try:
        with (
            Archive.connect(archive_db.push_url) as archive,
            pytest.raises(ArchiveUnavailableError) as caught,
        ):
            archive.push(chains, key=key, batch=2, after_batch=kill_server)
    finally:
        if stopped:
            pg.start()
    assert caught.value.exit_code == 5 and "没有写入半截的内容" in str(caught.value)
    # The first batch is there whole; nothing of the second.
    assert counts(archive_db) == (2, sum(c.length for c in chains[:2]), 2)
    with Archive.connect(archive_db.push_url) as archive:
        result = archive.push(chains, key=key, batch=2)
    assert (result.incidents, result.unchanged) == (3, 2)
    assert counts(archive_db) == (5, sum(c.length for c in chains), 5)
    with Archive.connect(archive_db.confidential_url) as archive:
        assert all(r.report.ok and r.signature is None for r in archive.verify())


def test_archive_verify_names_the_first_altered_event(archive_db: ArchiveDb, run) -> None:
    ids = make_year(3)
    assert run("archive", "push", "--all").code == 0
    assert centre(archive_db, run, "archive", "verify").code == 0
    # Someone with the owner's rights lifts the trigger and edits an event in place.
    archive_db.sql(
        "ALTER TABLE qdplan.events DISABLE TRIGGER events_append_only;"
        f"UPDATE qdplan.events SET text = '改过的' WHERE incident_id = '{ids[1]}' AND seq = 4;"
        "ALTER TABLE qdplan.events ENABLE TRIGGER events_append_only;"
    )
    result = centre(archive_db, run, "archive", "verify")
    assert result.code == 1
    assert f"事件 {ids[1]}" in result.out and "第 4 条" in result.out and "改过的" in result.out
    assert "2 个校验通过，1 个校验失败" in result.out


def test_handover_file_round_trip_into_the_archive_and_a_local_store(
    archive_db: ArchiveDb, run, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    ids = make_year(3)
    out = tmp_path / "usb" / "交接.jsonl"
    result = run("archive", "export", *ids[:2], "--out", str(out))
    assert result.code == 0, result.err
    if sys.platform != "win32":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "qdplan-handover"
    # This laptop never pushed: the centre registers its key first (read out by phone).
    refused = run("archive", "import", str(out))
    assert refused.code == 2 and "qdplan archive trust" in refused.err
    assert counts(archive_db) == (0, 0, 0)
    trust_laptop(run)
    # At the centre: into the archive (twice: nothing changes the second time) …
    assert run("archive", "import", str(out)).code == 0
    assert counts(archive_db)[0] == 2
    again = run("archive", "import", str(out))
    assert again.code == 0 and "2 个事件档案库中已有完整记录" in again.out
    # … and into another laptop's local store.
    monkeypatch.setenv("QDPLAN_HOME", str(tmp_path / "centre"))
    result = run("archive", "import", str(out), "--into", "local")
    assert result.code == 0 and "2 个事件" in result.out
    assert run("verify").code == 0
    with Store.open() as store:
        assert store.incident_ids() == ids[:2]


def test_a_tampered_handover_file_is_refused_naming_the_event(
    archive_db: ArchiveDb, run, tmp_path: Path
) -> None:
    ids = make_year(2)
    out = tmp_path / "交接.jsonl"
    assert run("archive", "export", "--all", "--out", str(out)).code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        item = json.loads(line)
        if item.get("incident") == ids[1] and item.get("seq") == 5:
            item["text"] = "事后改写的记录"
            lines[i] = json.dumps(item, ensure_ascii=False)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("archive", "import", str(out))
    assert result.code == 1
    assert (
        f"事件 {ids[1]}" in result.err
        and "第 5 条" in result.err
        and "没有导入任何内容" in result.err
    )
    assert counts(archive_db) == (0, 0, 0)
    broken = tmp_path / "坏.jsonl"
    broken.write_text('{"format": "qdplan-handover", "version": 1}\n{oops\n', encoding="utf-8")
    result = run("archive", "import", str(broken))
    assert result.code == 2 and "第 2 行" in result.err


def test_unknown_event_kinds_travel_untouched(archive_db: ArchiveDb, run) -> None:
    """Kinds a later qdplan adds (ticks, corrections …) are stored verbatim and verified."""
    (incident_id,) = make_year(1)
    from qdplan_cli.record.store import NewEvent

    with Store.open() as store:
        store.append(
            incident_id,
            NewEvent("some_future_kind", store_time(), "新版本的事件", {"x": [1, 2]}),
            store_time() + timedelta(minutes=1),
        )
    assert run("archive", "push", incident_id).code == 0
    assert archive_db.sql(
        "SELECT kind, data FROM qdplan.events WHERE kind = 'some_future_kind'"
    ) == [("some_future_kind", '{"x": [1, 2]}')]
    assert centre(archive_db, run, "archive", "verify").code == 0


def test_a_discarded_incident_is_finished_and_pushed(archive_db: ArchiveDb, run) -> None:
    from qdplan_cli.record.store import NewEvent

    with Store.open() as store:
        incident_id = store.create_incident(
            store_time(),
            [NewEvent(EventKind.DISCARD, store_time(), "误建，作废", {"reason": "误建"})],
            store_time(),
        )
    result = run("archive", "push", incident_id)
    assert result.code == 0 and "已发送 1 个事件" in result.out


def test_finished_means_resolved_or_discarded() -> None:
    from qdplan_cli.record.handover import is_finished

    row = (1, "a", "b", "log", "", "{}", "", "")
    assert not is_finished([row])
    assert is_finished([row, (2, "a", "b", "resolved", "", "{}", "", "")])
    assert is_finished([row, (2, "a", "b", "discard", "", "{}", "", "")])


def test_bad_input_is_named(run) -> None:  # type: ignore[no-untyped-def]
    assert run("archive", "push").code == 2
    result = run("archive", "push", "nope")
    assert result.code == 2 and "nope" in result.err
    result = run("archive", "import", "missing.jsonl")
    assert result.code == 2 and "不存在" in result.err


def trust_laptop(run) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """``archive key`` on this laptop, then ``archive trust`` with what it shows."""
    shown = run("archive", "key")
    assert shown.code == 0, shown.err
    fields = dict(line.split("：", 1) for line in shown.out.splitlines() if "：" in line)
    laptop, public = fields["本机电脑编号"], fields["本机公钥"]
    result = run("archive", "trust", laptop, public)
    assert result.code == 0 and "已登记" in result.out, result.err
    return laptop, public

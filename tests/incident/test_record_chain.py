"""Tamper evidence: every event is hash-chained; ``qdplan verify`` finds and locates each
edit, insertion, removal and reordering made behind the tool's back with sqlite3."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from qdplan_cli.record.store import (
    MIGRATIONS,
    Store,
    canonical_content,
    event_hash,
    genesis_hash,
)

from .conftest import DATA, Clock, Result

Run = Callable[..., Result]


@pytest.fixture
def incident(run: Run, clock: Clock) -> str:
    """A stored incident of 10 events: the prepared case (8) and two logged lines."""
    result = run("incident", "--case", str(DATA / "prep-power-delay.toml"), "--no-input")
    assert result.code == 0, result.err
    incident_id = re.search(r"事件编号：(\S+)", result.out)[1]  # type: ignore[index]
    clock.advance(minutes=5)
    assert run("log", "已通知保障人员张三").code == 0
    clock.advance(minutes=5)
    assert run("log", "保障人员到场").code == 0
    return incident_id


def attack(home: Path, *statements: str) -> None:
    """What someone with the file and sqlite3 does: drop the guards, then rewrite."""
    db = sqlite3.connect(home / "qdplan.db", isolation_level=None)
    for trigger in ("events_no_update", "events_no_delete", "incidents_no_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TRIGGER IF EXISTS incidents_fixed_identity")
    for statement in statements:
        db.execute(statement)
    db.close()


def count(home: Path) -> int:
    db = sqlite3.connect(home / "qdplan.db")
    try:
        return int(db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    finally:
        db.close()


def printed_hash(run: Run, incident_id: str) -> str:
    result = run("verify", incident_id)
    assert result.code == 0, result.out
    return re.search(r"记录校验码：([0-9a-f]{12})", result.out)[1]  # type: ignore[index]


def test_an_untouched_record_verifies(run: Run, incident: str) -> None:
    result = run("verify", incident)
    assert result.code == 0
    assert f"事件 {incident}：校验通过，共 10 条记录" in result.out
    assert "最后一条记于 2026年12月8日（周二）09:25:00" in result.out
    assert run("verify").code == 0  # all incidents


def test_each_event_carries_the_documented_hash(qdplan_home: Path, incident: str) -> None:
    """The chain can be recomputed from the README's definition alone."""
    db = sqlite3.connect(qdplan_home / "qdplan.db")
    created_at, head = db.execute(
        "SELECT created_at, chain_head FROM incidents WHERE id = ?", (incident,)
    ).fetchone()
    prev = genesis_hash(incident, created_at)
    rows = db.execute(
        "SELECT incident_id, seq, at, recorded_at, kind, text, data, prev, hash FROM events "
        "ORDER BY seq"
    ).fetchall()
    db.close()
    import hashlib

    for row in rows:
        content = json.dumps(
            [row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6])],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")
        assert content == canonical_content(*row[:6], json.loads(row[6]))
        expected = hashlib.sha256(prev.encode("ascii") + b"\n" + content).hexdigest()
        assert row[7] == prev and row[8] == expected
        prev = expected
    assert head == prev


@pytest.mark.parametrize(
    ("statements", "where"),
    [
        (["UPDATE events SET text = '物业告知预计11时恢复供电' WHERE seq = 7"], "第 7 条"),
        (["UPDATE events SET at = '2026-12-08T09:40:00+08:00' WHERE seq = 8"], "第 8 条"),
        (
            [
                "UPDATE events SET data = replace(data, '\"value\": false', '\"value\": true') "
                "WHERE seq = 4"
            ],
            "第 4 条",
        ),
        (["UPDATE events SET data = '{not json' WHERE seq = 4"], "第 4 条"),
    ],
    ids=["text", "time", "answer", "garbled"],
)
def test_an_edited_event_is_caught_and_located(
    run: Run, qdplan_home: Path, incident: str, statements: list[str], where: str
) -> None:
    before = run("verify", incident).out
    attack(qdplan_home, *statements)
    result = run("verify", incident)
    assert result.code == 1, before + result.out
    assert "校验失败" in result.out
    assert re.search(
        where + r"（发生于 2026年12月\d+日（周.）[\d:]+，记于 2026年12月8日", result.out
    )
    assert "被改动" in result.out


def test_a_deleted_event_is_caught_and_located(run: Run, qdplan_home: Path, incident: str) -> None:
    attack(qdplan_home, "DELETE FROM events WHERE seq = 6")
    result = run("verify", incident)
    assert result.code == 1
    assert "第 6 条记录被删除" in result.out
    assert "在第 5 条" in result.out and "第 7 条" in result.out


def test_a_deleted_and_renumbered_event_is_caught(
    run: Run, qdplan_home: Path, incident: str
) -> None:
    attack(
        qdplan_home,
        "DELETE FROM events WHERE seq = 6",
        "UPDATE events SET seq = seq - 1 WHERE seq > 6",
    )
    result = run("verify", incident)
    assert result.code == 1
    assert "第 6 条（" in result.out and "校验失败" in result.out


def test_deleting_the_last_events_is_caught(run: Run, qdplan_home: Path, incident: str) -> None:
    attack(qdplan_home, "DELETE FROM events WHERE seq >= 9")
    result = run("verify", incident)
    assert result.code == 1
    assert "最后 2 条记录被删除" in result.out
    assert "登记有 10 条记录" in result.out and "第 8 条" in result.out


def test_an_event_added_at_the_end_is_caught(run: Run, qdplan_home: Path, incident: str) -> None:
    attack(
        qdplan_home,
        "INSERT INTO events (incident_id, seq, at, recorded_at, kind, text, data, prev, hash) "
        "SELECT incident_id, 11, at, recorded_at, 'log', '补记：专家已同意', '{}', hash, hash "
        "FROM events WHERE seq = 10",
    )
    result = run("verify", incident)
    assert result.code == 1
    assert "第 11 条" in result.out and "本工具之外加入" in result.out


def test_an_event_inserted_in_the_middle_is_caught(
    run: Run, qdplan_home: Path, incident: str
) -> None:
    attack(
        qdplan_home,
        "UPDATE events SET seq = seq + 1000 WHERE seq >= 7",
        "UPDATE events SET seq = seq - 999 WHERE seq >= 1000",
        "INSERT INTO events (incident_id, seq, at, recorded_at, kind, text, data, prev, hash) "
        "SELECT incident_id, 7, at, recorded_at, 'log', '已口头告知各投标人', '{}', hash, '' "
        "FROM events WHERE seq = 6",
        "UPDATE incidents SET chain_length = 11",
    )
    assert count(qdplan_home) == 11
    result = run("verify", incident)
    assert result.code == 1
    assert "第 7 条" in result.out and "已口头告知各投标人" in result.out
    assert "插入" in result.out


def test_a_reordered_pair_is_caught(run: Run, qdplan_home: Path, incident: str) -> None:
    attack(
        qdplan_home,
        "UPDATE events SET seq = 100 WHERE seq = 7",
        "UPDATE events SET seq = 7 WHERE seq = 8",
        "UPDATE events SET seq = 8 WHERE seq = 100",
    )
    result = run("verify", incident)
    assert result.code == 1
    assert "第 7 条" in result.out and "调换" in result.out


def test_swapped_texts_are_caught(run: Run, qdplan_home: Path, incident: str) -> None:
    attack(
        qdplan_home,
        "UPDATE events SET text = (SELECT text FROM events WHERE seq = 10) || '#' WHERE seq = 9",
        "UPDATE events SET text = (SELECT text FROM events WHERE seq = 9) WHERE seq = 10",
        "UPDATE events SET text = rtrim(text, '#') WHERE seq = 9",
    )
    result = run("verify", incident)
    assert result.code == 1
    assert "第 9 条" in result.out


def test_a_changed_creation_time_is_caught(run: Run, qdplan_home: Path, incident: str) -> None:
    attack(qdplan_home, "UPDATE incidents SET created_at = '2026-12-08T08:00:00+08:00'")
    result = run("verify", incident)
    assert result.code == 1
    assert "第 1 条" in result.out and "建立" in result.out


def test_a_deleted_incident_leaves_its_events_behind_and_is_caught(
    run: Run, qdplan_home: Path, incident: str
) -> None:
    attack(qdplan_home, f"DELETE FROM incidents WHERE id = '{incident}'")
    result = run("verify")
    assert result.code == 1
    assert f"事件 {incident} 的记录，但该事件已被删除" in result.out


def rewrite_whole_chain(home: Path, incident_id: str, seq: int, text: str) -> None:
    """A thorough forger: edits an event and recomputes every hash and the incident's row."""
    attack(home, f"UPDATE events SET text = '{text}' WHERE seq = {seq}")
    db = sqlite3.connect(home / "qdplan.db", isolation_level=None)
    (created_at,) = db.execute("SELECT created_at FROM incidents").fetchone()
    prev = genesis_hash(incident_id, created_at)
    for row in db.execute(
        "SELECT incident_id, seq, at, recorded_at, kind, text, data FROM events ORDER BY seq"
    ).fetchall():
        digest = event_hash(prev, canonical_content(*row[:6], json.loads(row[6])))
        db.execute("UPDATE events SET prev = ?, hash = ? WHERE seq = ?", (prev, digest, row[1]))
        prev = digest
    db.execute("UPDATE incidents SET chain_head = ?", (prev,))
    db.close()


def rewrite_ledger(home: Path) -> None:
    """The most thorough forger: recomputes the store-wide chain too (README: undetectable
    without the printed hash)."""
    from qdplan_cli.record.chain import ledger_genesis, ledger_hash

    db = sqlite3.connect(home / "qdplan.db", isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS ledger_no_update")
    db.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
    hashes = {(i, s): h for i, s, h in db.execute("SELECT incident_id, seq, hash FROM events")}
    prev = ledger_genesis()
    for n, incident_id, seq, item in db.execute(
        "SELECT n, incident_id, seq, item FROM ledger ORDER BY n"
    ).fetchall():
        item = hashes.get((incident_id, seq), item)
        digest = ledger_hash(prev, n, incident_id, seq, item)
        db.execute(
            "UPDATE ledger SET item = ?, prev = ?, hash = ? WHERE n = ?", (item, prev, digest, n)
        )
        prev = digest
    db.execute("UPDATE store_chain SET head = ?", (prev,))
    db.close()


def test_a_forger_who_recomputes_one_incident_is_caught_by_the_store_chain(
    run: Run, qdplan_home: Path, incident: str
) -> None:
    rewrite_whole_chain(qdplan_home, incident, 7, "物业告知预计11时恢复供电")
    result = run("verify", incident)
    assert result.code == 1
    assert "第 7 条" in result.out and "总链" in result.out


def test_the_printed_hash_catches_a_forger_who_recomputes_the_chain(
    run: Run, qdplan_home: Path, incident: str
) -> None:
    printed = printed_hash(run, incident)
    assert run("verify", incident, "--hash", printed).code == 0
    rewrite_whole_chain(qdplan_home, incident, 7, "物业告知预计11时恢复供电")
    rewrite_ledger(qdplan_home)
    # Every chain now looks intact: that is why the record carries the hash on paper.
    assert run("verify", incident).code == 0
    result = run("verify", incident, "--hash", printed)
    assert result.code == 1
    assert f"打印件上的 {printed} 不是事件 {incident} 任何时候的记录校验码" in result.out


def test_hash_printed_before_later_lines_is_recognised(
    run: Run, clock: Clock, incident: str
) -> None:
    printed = printed_hash(run, incident)
    clock.advance(minutes=30)
    assert run("log", "会后补记：书面记录已签字").code == 0
    result = run("verify", incident, "--hash", printed.upper()[:4] + " " + printed[4:])
    assert result.code == 0, result.out
    assert "与第 10 条记录时的记录一致" in result.out
    assert "此后又追加了 1 条记录" in result.out


def test_hash_option_is_checked(run: Run, incident: str) -> None:
    short = run("verify", incident, "--hash", "3f2a")
    assert short.code == 2 and "--hash" in short.err and "至少 8 位" in short.err
    assert run("verify", incident, "--hash", "zzzzzzzzzzzz").code == 2
    no_id = run("verify", "--hash", "3f2a9c1b0d4e")
    assert no_id.code == 2 and "事件编号" in no_id.err
    wrong = run("verify", incident, "--hash", "000000000000")
    assert wrong.code == 1 and "记录校验码不符" in wrong.out


def test_verify_with_no_incidents_says_so(run: Run) -> None:
    result = run("verify")
    assert result.code == 0 and "还没有任何事件记录" in result.out


def test_an_old_database_gets_its_chain_in_the_migration(qdplan_home: Path, run: Run) -> None:
    """A database written before the chain existed (migration 1 only) is chained when opened,
    and stays append-only afterwards."""
    qdplan_home.mkdir(parents=True)
    db = sqlite3.connect(qdplan_home / "qdplan.db", isolation_level=None)
    db.execute(
        "CREATE TABLE _migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    number, name, first = MIGRATIONS[0]
    first(db)
    db.execute("INSERT INTO _migrations VALUES (?, ?, datetime('now'))", (number, name))
    db.execute("INSERT INTO incidents VALUES ('20261208-0915-1', '2026-12-08T09:15:00+08:00')")
    for seq in (1, 2, 3):
        db.execute(
            "INSERT INTO events (incident_id, seq, at, recorded_at, kind, text, data) "
            "VALUES ('20261208-0915-1', ?, '2026-12-08T09:15:00+08:00', "
            "'2026-12-08T09:16:00+08:00', 'log', ?, '{}')",
            (seq, f"旧记录{seq}"),
        )
    db.close()
    result = run("verify", "20261208-0915-1")
    assert result.code == 0, result.out + result.err
    assert "共 3 条记录" in result.out
    with Store.open() as store:
        assert [n for n, _ in store.migrations()] == [n for n, _, _ in MIGRATIONS]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.db.execute("UPDATE events SET text = 'x'")
        with pytest.raises(sqlite3.DatabaseError):
            store.db.execute("DELETE FROM incidents")
    attack(qdplan_home, "UPDATE events SET text = '旧记录二' WHERE seq = 2")
    assert run("verify", "20261208-0915-1").code == 1


# ----------------------------------------------------------------- the store-wide chain


@pytest.fixture
def two_incidents(
    run: Run, clock: Clock, incident: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """``incident`` (10 events), then a second incident recorded after it (another project:
    the same case file imported again would be the first incident)."""
    clock.advance(minutes=5)
    other = tmp_path_factory.mktemp("case") / "other.toml"
    text = (DATA / "prep-power-delay.toml").read_text(encoding="utf-8")
    other.write_text(text.replace("QDCG-2026-1102", "QDCG-2026-1103"), encoding="utf-8")
    result = run("incident", "--case", str(other), "--no-input")
    assert result.code == 0, result.err
    second = re.search(r"事件编号：(\S+)", result.out)[1]  # type: ignore[index]
    return incident, second


def test_a_removed_tail_with_the_head_rolled_back_is_caught(
    run: Run, qdplan_home: Path, two_incidents: tuple[str, str]
) -> None:
    """Delete the last events of an incident and copy the previous hash into chain_head and
    chain_length: no hashing needed, and the incident's own chain looks intact."""
    first, _ = two_incidents
    attack(
        qdplan_home,
        f"DELETE FROM events WHERE incident_id = '{first}' AND seq >= 9",
        f"UPDATE incidents SET chain_length = 8, chain_head = (SELECT hash FROM events "
        f"WHERE incident_id = '{first}' AND seq = 8) WHERE id = '{first}'",
    )
    result = run("verify", first)
    assert result.code == 1, result.out
    assert "第 9 条记录被删除" in result.out
    assert run("verify").code == 1


def test_a_removed_tail_with_its_ledger_entries_is_caught(
    run: Run, qdplan_home: Path, two_incidents: tuple[str, str]
) -> None:
    first, _ = two_incidents
    attack(
        qdplan_home,
        "DROP TRIGGER ledger_no_delete",
        f"DELETE FROM events WHERE incident_id = '{first}' AND seq >= 9",
        f"DELETE FROM ledger WHERE incident_id = '{first}' AND seq >= 9",
        f"UPDATE incidents SET chain_length = 8, chain_head = (SELECT hash FROM events "
        f"WHERE incident_id = '{first}' AND seq = 8) WHERE id = '{first}'",
    )
    result = run("verify")
    assert result.code == 1, result.out
    assert "总链" in result.out and "被删除" in result.out


def test_a_whole_incident_removed_is_caught(
    run: Run, qdplan_home: Path, two_incidents: tuple[str, str]
) -> None:
    first, second = two_incidents
    attack(
        qdplan_home,
        f"DELETE FROM events WHERE incident_id = '{first}'",
        f"DELETE FROM incidents WHERE id = '{first}'",
    )
    result = run("verify")
    assert result.code == 1, result.out
    assert f"事件 {first} 已被整个删除" in result.out
    # The other incident is intact, and says so.
    assert f"事件 {second}：" in result.out


def test_the_newest_events_removed_with_the_store_head_rolled_back_are_caught_by_the_counter(
    run: Run, qdplan_home: Path, two_incidents: tuple[str, str]
) -> None:
    """Even the store's newest entries, removed with ledger rows and registered heads rolled
    back (no hashing at all): SQLite's own counter remembers."""
    _, second = two_incidents
    attack(
        qdplan_home,
        "DROP TRIGGER ledger_no_delete",
        f"DELETE FROM events WHERE incident_id = '{second}' AND seq = 8",
        "DELETE FROM ledger WHERE n = (SELECT MAX(n) FROM ledger)",
        f"UPDATE incidents SET chain_length = 7, chain_head = (SELECT hash FROM events "
        f"WHERE incident_id = '{second}' AND seq = 7) WHERE id = '{second}'",
        "UPDATE store_chain SET length = length - 1, "
        "head = (SELECT hash FROM ledger ORDER BY n DESC LIMIT 1)",
    )
    result = run("verify", second)
    assert result.code == 1, result.out
    assert "最后 1 项被删除" in result.out

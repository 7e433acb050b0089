"""The archive's trust: signed hand-overs and pushes, names kept from the pushing role, one
identity per incident, all-or-nothing imports, concurrent pushes, damage that does not stop the
rest, connection errors that say what is wrong. Against a real PostgreSQL (tests/pgserver.py)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from qdplan_cli.record.chain import canonical_content, event_hash, genesis_hash
from qdplan_cli.record.signing import laptop_key
from qdplan_cli.record.store import Store

from ..yeargen import generate_year
from .conftest import ArchiveDb
from .test_archive import counts, trust_laptop


def make_year(count: int, *, seed: int = 7) -> list[str]:
    with Store.open() as store:
        return generate_year(store, 2026, count, seed=seed, unresolved=0)


def rehash(lines: list[dict[str, object]], incident: str, *, new_id: str | None = None) -> None:
    """Recompute every hash of ``incident`` in a parsed hand-over file with the published
    formula (and its head), as a forger would after editing it; optionally under ``new_id``."""
    header = next(x for x in lines if x.get("incident") == incident and "chain_head" in x)
    events = [x for x in lines if x.get("incident") == incident and "seq" in x]
    name = new_id or incident
    prev = genesis_hash(name, str(header["created_at"]))
    for item in events:
        item["incident"] = name
        content = canonical_content(
            name,
            item["seq"],
            item["at"],
            item["recorded_at"],
            item["kind"],
            item["text"],
            json.loads(str(item["data"])),
        )
        item["prev"], item["hash"] = prev, event_hash(prev, content)
        prev = str(item["hash"])
    header["incident"], header["chain_head"] = name, prev


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def save(path: Path, lines: list[dict[str, object]]) -> None:
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
    )


def test_a_rehashed_handover_file_is_refused_naming_the_event(
    archive_db: ArchiveDb, run, tmp_path: Path
) -> None:
    ids = make_year(2)
    trust_laptop(run)
    out = tmp_path / "交接.jsonl"
    assert run("archive", "export", "--all", "--out", str(out)).code == 0
    lines = load(out)
    for item in lines:
        if item.get("incident") == ids[1] and item.get("seq") == 3:
            item["text"] = "事后改写的记录"
    rehash(lines, ids[1])
    save(out, lines)
    result = run("archive", "import", str(out))
    assert result.code == 1, result.err
    assert f"事件 {ids[1]}" in result.err and "签名与内容不符" in result.err
    assert "第 " in result.err and "没有导入任何内容" in result.err
    assert counts(archive_db) == (0, 0, 0)
    # Into a local store too: the file's own key does not vouch for the altered events.
    local = run("archive", "import", str(out), "--into", "local")
    assert local.code == 1 and "签名与内容不符" in local.err


@pytest.mark.parametrize("change", ["incident", "hall", "laptop"])
def test_a_forged_handover_file_is_refused(
    archive_db: ArchiveDb, run, tmp_path: Path, change: str
) -> None:
    """Renamed (a new incident id, another hall or laptop) and re-hashed: refused."""
    ids = make_year(1)
    trust_laptop(run)
    out = tmp_path / "交接.jsonl"
    assert run("archive", "export", "--all", "--out", str(out)).code == 0
    lines = load(out)
    if change == "incident":
        rehash(lines, ids[0], new_id="20261231-2359-9")
    else:
        lines[0][change] = "另一个" + str(lines[0][change])
    save(out, lines)
    result = run("archive", "import", str(out))
    assert result.code == 1 and "没有导入任何内容" in result.err, result.err
    assert "签名与内容不符" in result.err and (change == "incident" or ids[0] in result.err)
    assert counts(archive_db) == (0, 0, 0)


def test_a_file_signed_by_another_key_under_a_registered_laptop_is_refused(
    archive_db: ArchiveDb, run, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    make_year(1)
    trust_laptop(run)
    out = tmp_path / "交接.jsonl"
    # Another machine with a copy of the store and the same laptop id, but its own key.
    (tmp_path / "config.toml").write_text(
        '[archive]\nlaptop = "' + _laptop(run) + '"\n', encoding="utf-8"
    )
    (Path(os.environ["QDPLAN_HOME"]) / "laptop-key.pem").unlink()
    assert run("archive", "export", "--all", "--out", str(out)).code == 0
    result = run("archive", "import", str(out))
    assert result.code == 1 and "不是档案库为电脑" in result.err
    assert counts(archive_db) == (0, 0, 0)
    # Pushing with the new key under the registered id is refused as well.
    pushed = run("archive", "push", "--all")
    assert pushed.code == 1 and "另一把公钥" in pushed.err
    assert counts(archive_db) == (0, 0, 0)


def _laptop(run) -> str:  # type: ignore[no-untyped-def]
    out = run("archive", "key").out
    return out.splitlines()[0].split("：", 1)[1]


def test_every_pushed_head_is_signed_and_verified(archive_db: ArchiveDb, run) -> None:
    make_year(3)
    assert run("archive", "push", "--all").code == 0
    rows = archive_db.sql("SELECT signer, signature FROM qdplan.current_heads")
    assert len(rows) == 3 and all(signer and signature for signer, signature in rows)
    assert archive_db.sql("SELECT public_key FROM qdplan.keys") == [(laptop_key().public,)]
    from qdplan_cli.record.archive import Archive

    with Archive.connect(archive_db.confidential_url) as archive:
        assert [r.signature for r in archive.verify()] == [None, None, None]
    # A head whose signature does not match (written by someone with the owner's rights).
    archive_db.sql(
        "ALTER TABLE qdplan.current_heads DISABLE TRIGGER ALL;"
        "UPDATE qdplan.current_heads SET signature = 'AAAA' WHERE incident_id = "
        "(SELECT min(incident_id) FROM qdplan.current_heads)"
    )
    with Archive.connect(archive_db.confidential_url) as archive:
        problems = [r.signature for r in archive.verify() if r.signature]
    assert len(problems) == 1 and "签名与记录不符" in problems[0]


def test_names_are_unreadable_by_the_pushing_role(archive_db: ArchiveDb, run) -> None:
    import psycopg

    make_year(12)  # some at the evaluation stage, with experts' names
    assert run("archive", "push", "--all").code == 0
    with psycopg.connect(archive_db.push_url, autocommit=True) as conn:
        for query in (
            "SELECT data FROM qdplan.events",
            "SELECT text FROM qdplan.events",
            "SELECT * FROM qdplan.events",
            "SELECT data FROM qdplan.events_public",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(query)
        # What chain extension needs is there.
        assert conn.execute("SELECT count(hash) FROM qdplan.events").fetchone() != (0,)
    # The director's role: the records without the names, their number kept.
    with psycopg.connect(archive_db.reader_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT data FROM qdplan.events")
        shown = [
            str(r[0]) for r in conn.execute("SELECT data FROM qdplan.events_public").fetchall()
        ]
    assert not any("专家" in d for d in shown)
    details = [json.loads(d).get("confidential") or {} for d in shown]
    experts = [c["experts"] for c in details if "experts" in c]
    assert experts and all(e and set(e) == {"＊"} for e in experts)
    # The confidential reader reads them.
    with psycopg.connect(archive_db.confidential_url, autocommit=True) as conn:
        data = [str(r[0]) for r in conn.execute("SELECT data FROM qdplan.events").fetchall()]
    assert any("专家0" in d for d in data)


def test_import_into_local_then_push_never_stores_an_incident_twice(
    archive_db: ArchiveDb, run, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    ids = make_year(3)
    assert run("archive", "push", ids[0]).code == 0
    out = tmp_path / "交接.jsonl"
    assert run("archive", "export", "--all", "--out", str(out)).code == 0
    # Another laptop imports the file, adds a line to one incident and pushes everything.
    monkeypatch.setenv("QDPLAN_HOME", str(tmp_path / "other"))
    assert run("archive", "import", str(out), "--into", "local").code == 0
    from qdplan_cli.record.events import log_event

    from .test_archive import store_time

    with Store.open() as store:
        store.append(ids[0], log_event(store_time(), "补记：已通知代理机构"), store_time())
    result = run("archive", "push", "--all")
    assert result.code == 0, result.err
    incidents = archive_db.sql("SELECT incident_id, count(*) FROM qdplan.incidents GROUP BY 1")
    assert sorted(incidents) == sorted((i, 1) for i in ids)
    # The grown incident was extended in place, under the laptop that first pushed it.
    (row,) = archive_db.sql(
        "SELECT chain_length FROM qdplan.current_heads WHERE incident_id = %s", (ids[0],)
    )
    with Store.open() as store:
        assert row[0] == len(store.raw_events(ids[0]))
    assert run("archive", "push", "--all").out.count("已发送 0 个事件") == 1


def test_an_import_into_a_local_store_is_all_or_nothing(run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = make_year(3)
    out = tmp_path / "交接.jsonl"
    assert run("archive", "export", "--all", "--out", str(out)).code == 0
    monkeypatch.setenv("QDPLAN_HOME", str(tmp_path / "other"))
    with Store.open() as store:  # the third id is taken here by another incident
        generate_year(store, 2026, 0)
        from qdplan_cli.record.events import log_event

        from .test_archive import store_time

        store.db.execute(
            "INSERT INTO incidents (id, created_at) VALUES (?, ?)", (ids[2], "2020-01-01T00:00:00")
        )
        del log_event, store_time
    result = run("archive", "import", str(out), "--into", "local")
    assert result.code == 2 and ids[2] in result.err and "没有导入" in result.err
    with Store.open() as store:
        assert store.incident_ids() == [ids[2]]  # nothing of the other two


def test_two_pushes_at_once_serialise(archive_db: ArchiveDb, tmp_path: Path) -> None:
    """Two laptops push the same incidents at the same moment: one waits for the other (the
    advisory lock), neither fails, each incident is stored once."""
    import psycopg

    from qdplan_cli.record.archive import PUSH_LOCK, Archive, PushResult
    from qdplan_cli.record.handover import FINISHED_KINDS

    ids = make_year(4)
    key = laptop_key()
    results: list[PushResult] = []
    errors: list[BaseException] = []

    def push() -> None:
        try:
            with Store.open() as store, Archive.connect(archive_db.push_url) as archive:
                done = store.finished_ids(sorted(FINISHED_KINDS))
                results.append(
                    archive.push_store(
                        store, [i for i in ids if i in done], laptop="L1", hall="H", key=key
                    )
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    # Hold the lock, start both pushes, and wait until both are seen waiting on it.
    with psycopg.connect(archive_db.admin_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (PUSH_LOCK,))
        threads = [threading.Thread(target=push) for _ in range(2)]
        for thread in threads:
            thread.start()
        with psycopg.connect(archive_db.admin_url, autocommit=True) as watcher:
            while True:
                (waiting,) = watcher.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                ).fetchone() or (0,)
                if waiting == 2:
                    break
                watcher.execute("SELECT pg_sleep(0.05)")  # poll the server, not a fixed wait
        holder.execute("SELECT pg_advisory_unlock(%s)", (PUSH_LOCK,))
        for thread in threads:
            thread.join()
    assert not errors, errors
    sent = sorted(r.incidents for r in results)
    unchanged = sorted(r.unchanged for r in results)
    assert sent == [0, 4] and unchanged == [0, 4]
    assert counts(archive_db)[0] == 4 and counts(archive_db)[2] == 4


def test_one_damaged_local_incident_does_not_stop_push_all(archive_db: ArchiveDb, run) -> None:
    import sqlite3

    ids = make_year(4)
    with Store.open() as store:
        path = store.path
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET text = '改过' WHERE incident_id = ? AND seq = 2", (ids[1],))
    db.commit()
    db.close()
    result = run("archive", "push", "--all")
    assert result.code == 1
    assert f"事件 {ids[1]}" in result.out and "跳过" in result.out
    assert "已发送 3 个事件" in result.out
    held = {r[0] for r in archive_db.sql("SELECT incident_id FROM qdplan.incidents")}
    assert held == {ids[0], ids[2], ids[3]}


def test_connection_errors_say_what_is_wrong_and_never_echo_the_password(
    archive_db: ArchiveDb, run, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    make_year(1)
    malformed = archive_db.push_url.replace("push-secret", "p@ss:w/rd?x=") + "&bogus_option=1"
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", malformed)
    result = run("archive", "push", "--all")
    assert result.code in (2, 5) and "p@ss" not in result.err and "w/rd" not in result.err
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", "postgresql://u:se cret@@[::1/x")
    result = run("archive", "push", "--all")
    assert result.code == 2 and "se cret" not in result.err and "百分号编码" in result.err
    # A missing GRANT is told as such, not as a network failure.
    with psycopg.connect(archive_db.admin_url, autocommit=True) as conn:
        conn.execute("REVOKE INSERT ON qdplan.keys FROM qdplan_push")
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", archive_db.push_url)
    result = run("archive", "push", "--all")
    assert result.code == 5 and "GRANT" in result.err and "网络" not in result.err
    assert counts(archive_db) == (0, 0, 0)


def test_find_by_project_number_and_list_open_incidents(
    archive_db: ArchiveDb, run, tmp_path: Path
) -> None:
    ids = make_year(3)
    assert run("archive", "push", "--all").code == 0
    pushing = os.environ["QDPLAN_ARCHIVE_URL"]
    os.environ["QDPLAN_ARCHIVE_URL"] = archive_db.reader_url  # the director's read-only role
    with Store.open() as store:
        (created,) = [e for e in store.raw_events(ids[1]) if e[3] == "created"]
    number = json.loads(created[5])["project"]["number"]
    found = run("archive", "find", number)
    assert found.code == 0 and ids[1] in found.out and "已结束" in found.out
    assert "专家" not in found.out
    none = run("archive", "find", "没有这个编号")
    assert none.code == 0 and "没有" in none.out
    # An unfinished incident reaches the archive by a hand-over file.
    with Store.open() as store:
        (open_id,) = generate_year(store, 2026, 1, seed=99, unresolved=1.0)
    os.environ["QDPLAN_ARCHIVE_URL"] = pushing
    trust_laptop(run)
    out = tmp_path / "交接.jsonl"
    assert run("archive", "export", open_id, "--out", str(out)).code == 0
    assert run("archive", "import", str(out)).code == 0
    os.environ["QDPLAN_ARCHIVE_URL"] = archive_db.reader_url
    listed = run("archive", "open")
    assert listed.code == 0 and open_id in listed.out and ids[0] not in listed.out


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_config_init_writes_an_owner_only_file_without_a_password(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import stat

    from qdplan_cli.local.config import config_path

    assert run("config", "init").code == 0
    path = config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "pgpass" in text and "qdplan_push:" not in text


def test_the_password_comes_from_a_pgpass_file(
    archive_db: ArchiveDb, run, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """libpq's own convention: the URL names the server and account, pgpass holds the password."""
    from ..pgserver import PUSHER, PUSHER_PASSWORD

    make_year(1)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:{archive_db.name}:{PUSHER}:{PUSHER_PASSWORD}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    url = archive_db.push_url.replace(f":{PUSHER_PASSWORD}@", "@")
    assert PUSHER_PASSWORD not in url
    monkeypatch.setenv("QDPLAN_ARCHIVE_URL", url)
    result = run("archive", "push", "--all")
    assert result.code == 0, result.err
    assert counts(archive_db)[0] == 1


def test_a_clash_with_another_writer_is_exit_5_in_chinese(archive_db: ArchiveDb) -> None:
    """Something other than qdplan (no advisory lock) writes the same incident while a push is
    under way: the push stops with exit 5 and a Chinese message, nothing of its batch written."""
    import psycopg

    from qdplan_cli.record.archive import Archive, ArchiveBusyError

    (incident_id,) = make_year(1)
    with Store.open() as store:
        created = store.created_at(incident_id)
    caught: list[BaseException] = []

    def push() -> None:
        try:
            with Store.open() as store, Archive.connect(archive_db.push_url) as archive:
                archive.push_store(store, [incident_id], laptop="L1", hall="H", key=laptop_key())
        except BaseException as exc:  # noqa: BLE001 - examined below
            caught.append(exc)

    with psycopg.connect(archive_db.admin_url) as other:  # a transaction left open
        other.execute(
            "INSERT INTO qdplan.incidents (laptop, incident_id, created_at, hall) "
            "VALUES ('L1', %s, %s, 'H')",
            (incident_id, created),
        )
        thread = threading.Thread(target=push)
        thread.start()
        with psycopg.connect(archive_db.admin_url, autocommit=True) as watcher:
            while True:  # until the push waits on the other transaction's row
                (waiting,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                ).fetchone() or (0,)
                if waiting:
                    break
                watcher.execute("SELECT pg_sleep(0.05)")  # poll the server, not a fixed wait
        other.commit()
        thread.join()
    (error,) = caught
    assert isinstance(error, ArchiveBusyError) and error.exit_code == 5
    assert "本批未写入" in str(error) and "稍后再运行" in str(error)
    assert not any(word in str(error) for word in ("duplicate", "violates", "psycopg"))
    assert counts(archive_db) == (1, 0, 0)  # only the other writer's row

"""One bad byte never blocks everything (issue 24): an event whose text is not UTF-8 is
reported and skipped by every command; damage to the schema is exit 2 with a Chinese message;
single-bit flips anywhere in the file never end in a traceback."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import examples
from .conftest import DATA, Clock, Result

Run = Callable[..., Result]
CASE = str(DATA / "prep-power-delay.toml")
COMMANDS = (("list",), ("verify",), ("show",), ("export", "--allow-broken"), ("log", "一条新记录"))


def incident_with_lines(run: Run) -> None:
    assert run("incident", "--case", CASE, "--no-input").code == 0
    for n in range(3):
        assert run("log", f"第{n}条记录").code == 0


def raw(home: Path, *sql: str) -> None:
    db = sqlite3.connect(home / "qdplan.db")
    for statement in sql:
        db.execute(statement)
    db.commit()
    db.close()


def test_an_event_with_invalid_utf8_is_reported_and_skipped_everywhere(
    run: Run, clock: Clock, qdplan_home: Path
) -> None:
    incident_with_lines(run)
    raw(
        qdplan_home,
        "DROP TRIGGER events_no_update",
        "UPDATE events SET text = CAST(x'e4bda0ff' AS TEXT) WHERE seq = 3",
    )
    listed = run("list")
    assert listed.code == 0, listed.err
    assert "第 3 条记录含有无法解读的字节" in listed.err
    shown = run("show")
    assert shown.code == 0 and "第2条记录" in shown.out and "无法解读" in shown.err
    verified = run("verify")
    assert verified.code == 1 and "第 3 条" in verified.out
    exported = run("export", "--allow-broken")
    assert exported.code == 0, exported.err
    assert "第2条记录" in exported.out
    logged = run("log", "再记一条")
    assert logged.code == 0, logged.err


@pytest.mark.parametrize("what", ["table name", "schema sql"])
def test_schema_damage_is_exit_2_in_chinese(
    run: Run, clock: Clock, qdplan_home: Path, what: str
) -> None:
    incident_with_lines(run)
    db = qdplan_home / "qdplan.db"
    data = bytearray(db.read_bytes())
    needle = b"CREATE TABLE events" if what == "schema sql" else b"table\x06events"
    at = data.find(needle)
    if at < 0 and what == "table name":
        at = data.find(b"events")
    assert at > 0
    data[at + len(needle) - 2] = 0xFF  # not UTF-8, inside sqlite_master
    db.write_bytes(bytes(data))
    for command in COMMANDS:
        result = run(*command)
        assert result.code in (1, 2), (command, result.out, result.err)
        assert "Traceback" not in result.err
        if result.code == 2:
            assert result.err.startswith("错误：") and "数据库" in result.err, result.err


def test_single_bit_flips_never_end_in_a_traceback(
    run: Run, clock: Clock, qdplan_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident_with_lines(run)
    pristine = (qdplan_home / "qdplan.db").read_bytes()
    rng = random.Random(24)
    flipped = tmp_path / "flipped"
    for round_ in range(examples(40)):  # CI 40 flips, the everyday run 10
        shutil.rmtree(flipped, ignore_errors=True)
        flipped.mkdir()
        data = bytearray(pristine)
        # Half the flips in page 1 (the header and sqlite_master), half anywhere.
        limit = min(len(data), 4096) if round_ % 2 else len(data)
        bit = rng.randrange(limit * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        (flipped / "qdplan.db").write_bytes(bytes(data))
        monkeypatch.setenv("QDPLAN_HOME", str(flipped))
        for command in COMMANDS:
            result = run(*command)  # an uncaught exception fails the test here
            assert result.code in (0, 1, 2, 4), (bit, command, result.err)
            assert "Traceback" not in result.err + result.out
            if result.code == 2:
                assert "错误：" in result.err, (bit, command, result.err)

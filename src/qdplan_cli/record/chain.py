"""Checking an incident's hash chain (``qdplan verify``): pure functions over the stored rows.

The chain is defined here (``canonical_content``, ``event_hash``, ``genesis_hash``); ``store``
writes it, and ``checks`` reads a store's rows into the checks here. No SQLite, and no import of
the store (the store imports this module).
Each stored event carries the hash of the event before it (``prev``) and its own (``hash``);
the incident's row carries the last hash and the number of events (``chain_head``,
``chain_length``). Walking the events in ``seq`` order, the first of these that fails locates
the tampering:

- a gap in ``seq`` — events were removed;
- ``hash`` is not the hash of ``prev`` and the event's content — the event was altered, moved
  (its ``seq`` changed) or inserted by hand;
- ``prev`` is not the hash of the event before — an event before it was removed, inserted or
  moved;
- more or fewer events than ``chain_length``, or a last hash other than ``chain_head`` — events
  were added or removed at the end.

Across incidents, the store-wide chain (``ledger``, see ``ledger_hash``) has one entry per
incident created (``seq`` 0, the incident's genesis hash) and one per event (the event's hash),
in the order they were stored, each chained to the entry before; ``store_chain`` holds its head
and length, and SQLite's own counter (``sqlite_sequence``) remembers how many entries were ever
inserted. An incident removed whole, or the last events of one, leave entries that point at
nothing (or a gap, if the entries are removed too); ``verify_ledger`` finds them.

What is *not* detectable without the printed hash: someone who recomputes every hash (the
incident's chain and the ledger from the altered entry on) and rewrites the registered heads;
and removing the newest entries of the whole store together with their events, if the head,
length and SQLite's counter are all rolled back as well. The short hash printed on the signed
record (``verify --hash``) is what such a rewrite cannot match.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# ----------------------------------------------------------------- the hash chain
#
# Each event's hash is SHA-256 over the previous hash and the event's canonical content:
#
#   canonical(e) = UTF-8 of json.dumps([incident_id, seq, at, recorded_at, kind, text, data],
#                                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
#   hash(e)      = sha256(prev_hash (64 lowercase hex, ASCII) + b"\n" + canonical(e)).hexdigest()
#
# ``at`` and ``recorded_at`` are the ISO 8601 strings as stored; ``data`` is the decoded JSON
# object (so its keys are sorted at every level). The first event's ``prev_hash`` is the
# incident's genesis: sha256(UTF-8 of "qdplan-incident\n" + incident_id + "\n" + created_at),
# which seals the incident's own row too. The chain's last hash is the incident's record hash;
# its first ``SHORT_HASH`` hex digits are printed on the written record.

SHORT_HASH = 12


def genesis_hash(incident_id: str, created_at: str) -> str:
    seed = f"qdplan-incident\n{incident_id}\n{created_at}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


# json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":")) makes this very
# encoder on every call: made once, a chain of thousands of events is checked faster.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_content(
    incident_id: str, seq: int, at: str, recorded_at: str, kind: str, text: str, data: Any
) -> bytes:
    content = [incident_id, seq, at, recorded_at, kind, text, data]
    return _CANONICAL.encode(content).encode("utf-8")


def event_hash(prev: str, content: bytes) -> str:
    return hashlib.sha256(prev.encode("ascii", "replace") + b"\n" + content).hexdigest()


def ledger_genesis() -> str:
    return hashlib.sha256(b"qdplan-store").hexdigest()


def ledger_hash(prev: str, n: int, incident_id: str, seq: int, item: str) -> str:
    """``sha256(prev + "\n" + json.dumps([n, incident_id, seq, item]))`` (compact JSON)."""
    content = json.dumps([n, incident_id, seq, item], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(
        prev.encode("ascii", "replace") + b"\n" + content.encode("utf-8", "replace")
    ).hexdigest()


_HEX64 = re.compile(r"[0-9a-f]{64}")
# How an event without text of its own is named in a report (``incident`` lists the kinds).
KIND_LABELS = {
    "created": "建立事件",
    "project": "修改项目信息",
    "answer": "回答问题",
    "details": "补充情况",
    "log": "记录",
    "resolved": "故障排除",
    "attendance": "专家到场、离场时间",
}


@dataclass(frozen=True)
class Link:
    """One verified event: its number, when it was recorded (ISO) and its hash."""

    seq: int
    recorded_at: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    incident_id: str
    links: tuple[Link, ...]  # the events verified before the first problem (all, when intact)
    head: str  # the final hash when intact
    problem: str | None  # Chinese, naming the first bad event's number and time

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def short(self) -> str:
        return self.head[:SHORT_HASH]


def when(value: Any) -> str:
    """An ISO time as the user reads it; a value that is not one, as it is."""
    from qdplan_cli.plan.times import format_dt_seconds, localize

    try:
        return format_dt_seconds(localize(datetime.fromisoformat(str(value))))
    except (TypeError, ValueError, OverflowError):
        return repr(value)


def describe(row: Sequence[Any]) -> str:
    """``第 5 条（发生于 …，记于 …：“文字”）`` for a raw row."""
    seq, at, recorded_at, kind, text = row[0], row[1], row[2], row[3], str(row[4])
    snippet = text if len(text) <= 24 else text[:24] + "…"
    words = f"：“{snippet}”" if snippet else f"，{KIND_LABELS.get(str(kind), str(kind))}"
    return f"第 {seq} 条（发生于 {when(at)}，记于 {when(recorded_at)}{words}）"


class _Described:
    """``describe(row)``, computed when formatted: an intact chain of thousands of events is
    checked without wording each of them."""

    def __init__(self, row: Sequence[Any]) -> None:
        self.row = row

    def __format__(self, spec: str) -> str:
        return format(describe(self.row), spec)

    def __str__(self) -> str:
        return describe(self.row)


def verify(
    incident_id: str,
    created_at: str,
    rows: Sequence[Sequence[Any]],
    chain_head: str,
    chain_length: int,
) -> ChainReport:
    """Recompute the chain of ``rows`` (``store.raw_events``) and find the first problem."""
    prev = genesis_hash(incident_id, created_at)
    links: list[Link] = []

    def broken(problem: str) -> ChainReport:
        return ChainReport(incident_id, tuple(links), "", problem)

    for index, row in enumerate(rows):
        seq, at, recorded_at, kind, text, data_text, stored_prev, stored_hash = row
        expected = index + 1
        here = _Described(row)  # worded only when a problem is reported
        if seq != expected:
            if isinstance(seq, int) and seq > expected:
                gone = f"第 {expected} 条" if seq == expected + 1 else f"第 {expected}–{seq - 1} 条"
                after = f"，在{describe(rows[index - 1])}之后" if index else "，在最前面"
                return broken(f"{gone}记录被删除{after}、{here}之前")
            return broken(f"{here}的序号不对：是在本工具之外插入的")
        if seq > chain_length:
            return broken(f"{here}是在本工具之外加入的（本事件登记的记录只有 {chain_length} 条）")
        try:
            data = json.loads(data_text)
            content = canonical_content(incident_id, seq, at, recorded_at, kind, text, data)
        except (TypeError, ValueError):
            return broken(f"{here}被改动：其中的数据已无法解读")
        if not isinstance(stored_hash, str) or not _HEX64.fullmatch(stored_hash):
            return broken(f"{here}没有本工具写入的校验码：是在本工具之外插入的")
        if event_hash(str(stored_prev), content) != stored_hash:
            return broken(f"{here}的内容与校验码不符：此条被改动，或被调换了位置")
        if stored_prev != prev:
            if index == 0:
                return broken(
                    f"{here}与事件的建立记录不衔接：事件编号或建立时间被改动，或开头的记录被删除"
                )
            return broken(
                f"{here}与前一条（{describe(rows[index - 1])}）不衔接："
                "其间有记录被删除或插入，或记录被调换了顺序"
            )
        links.append(Link(seq, str(recorded_at), stored_hash))
        prev = stored_hash
    if len(rows) < chain_length:
        missing = chain_length - len(rows)
        last = f"现在最后一条是{describe(rows[-1])}" if rows else "现在一条也没有"
        return broken(f"最后 {missing} 条记录被删除：本事件登记有 {chain_length} 条记录，{last}")
    if rows and prev != chain_head:
        return broken(f"最后一条记录（{describe(rows[-1])}）与登记的链尾校验码不符：记录被改动")
    return ChainReport(incident_id, tuple(links), prev, None)


def normalize_hash(text: str) -> str:
    """A hash as typed from paper: spaces, dashes and case do not matter."""
    return re.sub(r"[\s\-_:：…]", "", text).lower()


@dataclass(frozen=True)
class LedgerReport:
    """The store-wide chain's problems: per incident (the first one each), and store-wide ones
    that no single incident can be blamed for (key ``None``)."""

    problems: dict[str | None, str]

    def for_incident(self, incident_id: str) -> str | None:
        return self.problems.get(incident_id)

    @property
    def store_problem(self) -> str | None:
        return self.problems.get(None)


def verify_ledger(
    rows: Sequence[Sequence[Any]],
    record: tuple[str, int, int | None],
    incidents: dict[str, tuple[str, list[tuple[Any, ...]]]],
) -> LedgerReport:
    """Walk the store-wide chain (``store.ledger()``) against its registered head, length and
    counter (``store.ledger_record()``) and the stored incidents and events
    (``store.all_chain_records()``)."""
    head, length, counter = record
    problems: dict[str | None, str] = {}

    def report(incident_id: str | None, problem: str) -> None:
        problems.setdefault(incident_id, problem)

    prev = ledger_genesis()
    entries: dict[str, dict[int, tuple[int, str]]] = {}
    intact = True
    for index, row in enumerate(rows):
        n, incident_id, seq, item, stored_prev, stored_hash = row
        incident_id = str(incident_id)
        where = f"总链第 {n} 项（事件 {incident_id} 第 {seq} 条）"
        if intact and n != index + 1:
            gone = f"第 {index + 1} 项" if n == index + 2 else f"第 {index + 1}–{n - 1} 项"
            report(None, f"数据库总链的{gone}被删除（{where}之前）：其间的记录或事件被删除")
            intact = False
        if intact and ledger_hash(str(stored_prev), n, incident_id, seq, str(item)) != stored_hash:
            report(incident_id, f"{where}与其校验码不符：总链被改动")
            intact = False
        if intact and stored_prev != prev:
            report(incident_id, f"{where}与前一项不衔接：总链中有项被删除、插入或调换")
            intact = False
        prev = str(stored_hash)
        if isinstance(seq, int):
            entries.setdefault(incident_id, {})[seq] = (n, str(item))
    if intact and len(rows) < length:
        report(
            None,
            f"数据库总链最后 {length - len(rows)} 项被删除：登记有 {length} 项，现有 {len(rows)} 项",
        )
    elif intact and rows and prev != head:
        report(None, "数据库总链的最后一项与登记的链尾校验码不符：总链被改动")
    if counter is None and (rows or length):
        report(
            None,
            "数据库总链的写入计数（sqlite_sequence 表中 ledger 一行）被删除：无法再确认最近的"
            "记录或事件有没有被删除",
        )
    elif intact and counter is not None and counter > max(len(rows), length):
        report(
            None,
            f"数据库总链最后 {counter - max(len(rows), length)} 项被删除"
            f"（数据库曾写入 {counter} 项，现有 {len(rows)} 项）：最近的记录或事件被删除",
        )
    for incident_id, (created_at, events) in incidents.items():
        mine = entries.get(incident_id, {})
        if 0 not in mine:
            report(incident_id, f"事件 {incident_id} 不在数据库总链中：是在本工具之外加入的")
        elif mine[0][1] != genesis_hash(incident_id, created_at):
            report(
                incident_id,
                f"事件 {incident_id} 的建立记录与总链第 {mine[0][0]} 项不符：事件编号或建立时间被改动",
            )
        stored = {seq: digest for seq, digest in events}
        for seq in sorted(k for k in mine if k):
            n, item = mine[seq]
            if seq not in stored:
                later = [k for k in mine if k > seq]
                what = f"第 {seq} 条记录被删除" + (
                    "（连同其后的记录）" if not later or all(k not in stored for k in later) else ""
                )
                report(incident_id, f"事件 {incident_id} 的{what}：总链第 {n} 项登记了它")
                break
            if stored[seq] != item:
                report(
                    incident_id,
                    f"事件 {incident_id} 第 {seq} 条记录与总链第 {n} 项登记的校验码不符：此条被改动，或整条链被重算",
                )
                break
        for seq in sorted(stored):
            if seq not in mine:
                report(
                    incident_id,
                    f"事件 {incident_id} 第 {seq} 条记录不在数据库总链中：是在本工具之外加入的",
                )
                break
    for incident_id, mine in entries.items():
        if incident_id not in incidents:
            n = mine[min(mine)][0]
            report(
                incident_id, f"事件 {incident_id} 已被整个删除（数据库总链第 {n} 项登记了它的建立）"
            )
    return LedgerReport(problems)

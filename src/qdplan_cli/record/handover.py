"""Whole event chains leaving a laptop: for the centre's archive (``record.archive``) and for the
offline hand-over file (``qdplan archive export`` / ``import``). No SQL and no psycopg here.

A ``Chain`` is an incident's stored events exactly as written (seq, at, recorded_at, kind, text,
data as its JSON text, prev, hash), with the incident's ``created_at``, its head hash and where
it comes from (the laptop's id, the hall). Event kinds are not interpreted: a kind this version
does not know travels untouched, and the chain check (``chain.verify``) covers it like any other.

The hand-over file is JSON lines, UTF-8, written owner-only (0600: the events hold expert and
bidder names):

    {"format": "qdplan-handover", "version": 2, "laptop": …, "hall": …, "exported_at": …,
     "public_key": …}
    {"incident": ID, "created_at": …, "chain_head": …, "chain_length": N, "signature": …}
    {"incident": ID, "seq": 1, "at": …, "recorded_at": …, "kind": …, "text": …, "data": "{…}",
     "prev": …, "hash": …}
    …

Version 2 signs each incident's head with the laptop's Ed25519 key (``record.signing``): the
signature covers ``head_payload`` (laptop, hall, id, creation, length, head hash), so a file
whose events were changed and whose hashes were all recomputed, or whose laptop, hall or id was
renamed, is refused naming the incident. The centre accepts a file only from a laptop whose key
it has registered (first push, or ``qdplan archive trust``). Version 1 files (unsigned) are
still read; the centre's archive refuses them.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qdplan_cli.plan.errors import ChainBrokenError, UserError
from qdplan_cli.record.chain import ChainReport, describe, verify
from qdplan_cli.record.events import EventKind
from qdplan_cli.record.signing import LaptopKey, check, valid_public

if TYPE_CHECKING:
    from qdplan_cli.record.incident import Incident
    from qdplan_cli.record.review_stats import Item
    from qdplan_cli.record.store import Store

FORMAT = "qdplan-handover"
FORMAT_VERSION = 2
SIGNED_VERSION = 2
# An incident is finished, and goes to the archive, once one of these events is in its chain.
# "discard": an incident set aside (``qdplan discard``).
FINISHED_KINDS = frozenset({EventKind.RESOLVED.value, EventKind.DISCARD.value})
LAPTOP_FILE = "laptop-id"
EVENT_KEYS = ("seq", "at", "recorded_at", "kind", "text", "data", "prev", "hash")

Row = tuple[Any, ...]  # (seq, at, recorded_at, kind, text, data_text, prev, hash)


@dataclass(frozen=True)
class Chain:
    incident_id: str
    created_at: str
    rows: tuple[Row, ...]
    head: str
    laptop: str
    hall: str
    signer: str = ""  # the laptop whose key signed the head ("" unsigned)
    signature: str = ""
    public_key: str = ""  # the signer's key as the hand-over file gives it

    @property
    def length(self) -> int:
        return len(self.rows)

    @property
    def finished(self) -> bool:
        return is_finished(self.rows)

    def check(self) -> ChainReport:
        return verify(self.incident_id, self.created_at, self.rows, self.head, self.length)


def head_payload(
    laptop: str, hall: str, incident_id: str, created_at: str, length: int, head: str
) -> bytes:
    """What a laptop signs for an incident's head: the head hash seals every event."""
    fields = ["qdplan-head", laptop, hall, incident_id, created_at, length, head]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_payload(chain: Chain) -> bytes:
    return head_payload(
        chain.laptop, chain.hall, chain.incident_id, chain.created_at, chain.length, chain.head
    )


def is_finished(rows: Iterable[Sequence[Any]]) -> bool:
    """Resolved (or discarded): the kinds of ``FINISHED_KINDS``."""
    return any(str(row[3]) in FINISHED_KINDS for row in rows)


def laptop_id(configured: str = "") -> str:
    """This laptop's id in the archive: ``[archive] laptop`` from the config, or one made up
    once and kept in the data directory (``laptop-id``)."""
    if configured:
        return configured
    from qdplan_cli.record.store import data_dir

    path = data_dir() / LAPTOP_FILE
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        existing = ""
    except OSError as exc:
        raise UserError(f"无法读取本机编号文件：{exc.strerror}", field=str(path)) from None
    if existing:
        return existing
    made = "laptop-" + uuid.uuid4().hex[:12]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip() or made
    except OSError as exc:
        raise UserError(f"无法保存本机编号：{exc.strerror}", field=str(path)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(made + "\n")
    return made


def local_chain(store: Store, incident_id: str, *, laptop: str, hall: str) -> Chain:
    """The incident's chain as stored; refused (exit 1, naming the event) when it fails the
    check: a laptop never sends a record it cannot vouch for."""
    (chain,) = local_chains(store, [incident_id], laptop=laptop, hall=hall)
    if isinstance(chain, Broken):
        raise ChainBrokenError(unsent(chain), field="ID")
    return chain


def unsent(broken: Broken) -> str:
    """Why a laptop does not send a chain that failed its check."""
    return (
        f"事件 {broken.key} 的本机记录未通过校验：{broken.problem}。没有发送；"
        f"请用 qdplan verify {broken.key} 查看"
    )


READ_BATCH = 500  # incidents read from the store at once (SQLite takes up to 32766 parameters)


def local_chains(
    store: Store, incident_ids: Sequence[str] | None = None, *, laptop: str, hall: str
) -> Iterator[Chain | Broken]:
    """The chains of ``incident_ids`` (every incident's, oldest first, when ``None``), read
    from the store a batch at a time (``Store.raw_chains``), each checked; one that fails the
    check comes as ``Broken`` (a push reports it unsent, the year in review passes over it)."""
    batches: list[Sequence[str] | None] = [None]
    if incident_ids is not None:
        batches = [
            incident_ids[start : start + READ_BATCH]
            for start in range(0, len(incident_ids), READ_BATCH)
        ]
    for batch in batches:
        for incident_id, created_at, head, length, rows in store.raw_chains(batch):
            report = verify(incident_id, created_at, rows, head, length)
            if report.problem is not None:
                yield Broken(incident_id, report.problem)
            else:
                yield Chain(incident_id, created_at, tuple(rows), report.head, laptop, hall)


@dataclass(frozen=True)
class Broken:
    """A chain that failed its check: its id (with the laptop when from the archive) and why."""

    key: str
    problem: str


# ----------------------------------------------------------------- the hand-over file


def dump(chains: Sequence[Chain], *, exported_at: datetime, key: LaptopKey) -> bytes:
    laptop = chains[0].laptop if chains else ""
    hall = chains[0].hall if chains else ""
    lines = [
        {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "laptop": laptop,
            "hall": hall,
            "exported_at": exported_at.isoformat(),
            "public_key": key.public,
        }
    ]
    for chain in chains:
        lines.append(
            {
                "incident": chain.incident_id,
                "created_at": chain.created_at,
                "chain_head": chain.head,
                "chain_length": chain.length,
                "signature": key.sign(chain_payload(chain)),
            }
        )
        for row in chain.rows:
            lines.append({"incident": chain.incident_id, **dict(zip(EVENT_KEYS, row, strict=True))})
    text = "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines)
    return text.encode("utf-8")


def write_file(
    path: Path, chains: Sequence[Chain], *, exported_at: datetime, key: LaptopKey
) -> Path:
    from qdplan_cli.local.files import write_atomically

    if path.is_dir():
        raise UserError("是目录，请给出文件名（如 交接-20261203.jsonl）", field="--out")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, dump(chains, exported_at=exported_at, key=key), private=True)
    except OSError as exc:
        raise UserError(f"无法写入文件：{exc.strerror}", field=str(path)) from None
    return path


MAX_HANDOVER_BYTES = 512 * 1024 * 1024  # far above a year of every hall's incidents


def _bad(path: Path, number: int, why: str) -> UserError:
    return UserError(f"第 {number} 行{why}。没有导入任何内容", field=str(path))


def read_file(path: Path) -> list[Chain]:
    """The chains of a hand-over file, each checked: a file altered after export is refused,
    naming the incident and the first altered event (exit 1); a file that is not one, exit 2."""
    from qdplan_cli.local.inputs import read_input

    try:
        text = read_input(path, "交接文件", limit=MAX_HANDOVER_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise UserError("文件不存在", field=str(path)) from None
    except UnicodeDecodeError:
        raise UserError("不是 qdplan 的交接文件（不是 UTF-8 文本）", field=str(path)) from None
    lines = text.splitlines()
    parsed: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            raise _bad(path, number, "不是 JSON") from None
        if not isinstance(value, dict):
            raise _bad(path, number, "不是 JSON 对象")
        parsed.append(value)
    if not parsed or parsed[0].get("format") != FORMAT:
        raise UserError("不是 qdplan 的交接文件（缺少文件头）", field=str(path))
    header = parsed[0]
    if not isinstance(header.get("version"), int) or header["version"] > FORMAT_VERSION:
        raise UserError(
            f"交接文件格式第 {header.get('version')!r} 版，本版本 qdplan 只认识到第 "
            f"{FORMAT_VERSION} 版；请升级 qdplan",
            field=str(path),
        )
    laptop, hall = str(header.get("laptop", "")), str(header.get("hall", ""))
    signed = header["version"] >= SIGNED_VERSION
    public = header.get("public_key")
    if signed and (not isinstance(public, str) or not valid_public(public)):
        raise UserError("交接文件头缺少有效的公钥（public_key）", field=str(path))
    signatures: dict[str, str] = {}
    heads: dict[str, tuple[str, str, int]] = {}
    rows: dict[str, list[Row]] = {}
    for number, item in enumerate(parsed[1:], start=2):
        incident = item.get("incident")
        if not isinstance(incident, str) or not incident:
            raise _bad(path, number, "缺少事件编号")
        if "chain_head" in item:
            if incident in heads:
                raise _bad(path, number, f"重复出现事件 {incident}")
            created, head, length = (
                item.get("created_at"),
                item.get("chain_head"),
                item.get("chain_length"),
            )
            if not isinstance(created, str) or not isinstance(head, str):
                raise _bad(path, number, "的事件头不完整")
            if not isinstance(length, int) or isinstance(length, bool):
                raise _bad(path, number, "的记录条数不是整数")
            signature = item.get("signature", "")
            if signed and (not isinstance(signature, str) or not signature):
                raise _bad(path, number, f"的事件 {incident} 缺少签名（signature）")
            heads[incident] = (created, head, length)
            signatures[incident] = str(signature) if signed else ""
            rows[incident] = []
            continue
        if incident not in heads:
            raise _bad(path, number, f"的记录属于未登记的事件 {incident}")
        missing = [k for k in EVENT_KEYS if k not in item]
        if missing:
            raise _bad(path, number, f"缺少 {missing[0]}")
        rows[incident].append(tuple(item[k] for k in EVENT_KEYS))
    chains = []
    for incident, (created, head, length) in heads.items():
        found = rows[incident]
        report = verify(incident, created, found, head, length)
        if report.problem is not None:
            raise ChainBrokenError(
                f"交接文件 {path} 中事件 {incident} 的记录未通过校验：{report.problem}。"
                "文件在导出后被改动过，没有导入任何内容",
                field=str(path),
            )
        chain = Chain(incident, created, tuple(found), head, laptop, hall)
        if signed:
            chain = replace(
                chain, signer=laptop, signature=signatures[incident], public_key=str(public)
            )
            if not check(str(public), chain_payload(chain), chain.signature):
                raise ChainBrokenError(
                    f"交接文件 {path} 中事件 {incident} 的签名与内容不符：截至"
                    f"{describe(found[-1]) if found else '事件头'}的记录、事件编号、场所或电脑编号"
                    "在导出后被改动过（即使校验值已重新计算）。没有导入任何内容",
                    field=str(path),
                )
        chains.append(chain)
    return chains


# ----------------------------------------------------------------- the year in review


def fold_chain(chain: Chain, *, checked: bool = False) -> Incident:
    """A chain folded into its incident; checked first (refused when broken) unless
    ``checked`` (``local_chain`` has just checked it)."""
    from qdplan_cli.plan.times import localize
    from qdplan_cli.record.incident import fold
    from qdplan_cli.record.store import EventRow

    report = None if checked else chain.check()
    if report is not None and report.problem is not None:
        raise ChainBrokenError(
            f"事件 {chain.incident_id} 的记录未通过校验：{report.problem}。年度回顾没有生成",
            field="ID",
        )
    events = [
        EventRow(chain.incident_id, r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
        for r in chain.rows
    ]
    created = localize(datetime.fromisoformat(chain.created_at))
    return fold(chain.incident_id, created, events)


def review_item(chain: Chain, *, with_laptop: bool = False, checked: bool = False) -> Item:
    """A chain folded into an incident, kept as the review's compact ``Item``; checked first
    (refused when broken) unless ``checked``."""
    from qdplan_cli.record.review_stats import Item

    incident = fold_chain(chain, checked=checked)
    return Item.of(incident, chain.hall, chain.laptop if with_laptop else "")


def gather(
    chains: Iterable[Chain | Broken], *, years: set[int], with_laptop: bool, check: bool
) -> tuple[list[Item], list[Broken]]:
    """The incidents of ``years`` folded for ``review_stats``, one chain at a time (memory holds
    the folded incidents, never the whole archive's events), and the chains that failed their
    check (``check``: re-check each; a broken one is reported and skipped, the rest go on)."""
    items: list[Item] = []
    broken: list[Broken] = []
    for chain in chains:
        if isinstance(chain, Broken):
            broken.append(chain)
            continue
        if check:
            report = chain.check()
            if report.problem is not None:
                key = f"{chain.laptop}/{chain.incident_id}" if with_laptop else chain.incident_id
                broken.append(Broken(key, report.problem))
                continue
        # Memory holds the compact item of each incident of the years (``Item``: what the review
        # and the workbook read); the folded incident and its chain are dropped at once.
        item = review_item(chain, with_laptop=with_laptop, checked=True)
        if item.onset.year in years:
            items.append(item)
    return items, broken

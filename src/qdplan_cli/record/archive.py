"""The centre's archive: every finished incident's whole event chain, on PostgreSQL (psycopg 3).
The only module that imports psycopg.

- The schema ``qdplan`` is created and migrated by ``qdplan archive init`` (numbered migrations,
  recorded in ``qdplan.migrations``); a client refuses an archive newer than itself, untouched.
- Append-only on the server too: triggers refuse UPDATE, DELETE and TRUNCATE on every table, and
  the pushing role is granted INSERT and SELECT only (README, 档案库). An incident's head hash is
  therefore not updated in place: each push that extends a chain inserts a row into ``heads``
  ``(laptop, incident_id, chain_length, chain_head)``; the incident's head is its longest one
  (the view ``qdplan.incident_heads``).
- An incident is keyed by ``(laptop, incident_id)``: ids are unique on one laptop only. Its row
  carries the hall (config ``[hall] name``) and the laptop's id.
- Events are stored verbatim (seq, at, recorded_at, kind, text, data as JSON text, prev, hash),
  so ``chain.verify`` re-checks them exactly as it does locally. A trigger refuses any event
  that does not extend the chain the archive holds: its ``prev`` must be the hash of the event
  before it (of the incident's genesis for the first), and a ``seq`` taken is refused by the key.
- One transaction per batch of incidents: an interrupted push leaves whole batches or nothing
  of a batch; the next push sends what is missing (only the events past the archive's head).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg

from qdplan_cli.plan.errors import ChainBrokenError, UserError
from qdplan_cli.record.chain import ChainReport, describe, verify
from qdplan_cli.record.handover import Chain

if TYPE_CHECKING:
    from psycopg import Connection

SCHEMA = "qdplan"
BATCH = 50  # incidents per transaction
CONNECT_TIMEOUT_S = 10


class ArchiveUnavailableError(UserError):
    """The archive server cannot be reached or refuses the login, or the connection dropped:
    nothing half-written (the open batch is rolled back by the server). Exit code 5."""

    exit_code = 5


_MIGRATION_1 = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE {SCHEMA}.incidents (
    laptop text NOT NULL,
    incident_id text NOT NULL,
    created_at text NOT NULL,
    hall text NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (laptop, incident_id)
);
CREATE TABLE {SCHEMA}.events (
    laptop text NOT NULL,
    incident_id text NOT NULL,
    seq integer NOT NULL CHECK (seq >= 1),
    at text NOT NULL,
    recorded_at text NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    data text NOT NULL,
    prev text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (laptop, incident_id, seq),
    FOREIGN KEY (laptop, incident_id) REFERENCES {SCHEMA}.incidents (laptop, incident_id)
);
CREATE TABLE {SCHEMA}.heads (
    laptop text NOT NULL,
    incident_id text NOT NULL,
    chain_length integer NOT NULL,
    chain_head text NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (laptop, incident_id, chain_length),
    FOREIGN KEY (laptop, incident_id) REFERENCES {SCHEMA}.incidents (laptop, incident_id)
);
CREATE VIEW {SCHEMA}.incident_heads AS
    SELECT DISTINCT ON (i.laptop, i.incident_id)
        i.laptop, i.incident_id, i.created_at, i.hall, h.chain_length, h.chain_head
    FROM {SCHEMA}.incidents i JOIN {SCHEMA}.heads h USING (laptop, incident_id)
    ORDER BY i.laptop, i.incident_id, h.chain_length DESC;

CREATE FUNCTION {SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'qdplan archive is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0001';
END $$;

CREATE FUNCTION {SCHEMA}.check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    expected text;
BEGIN
    IF NEW.seq = 1 THEN
        SELECT encode(sha256(convert_to(
                   'qdplan-incident' || E'\\n' || NEW.incident_id || E'\\n' || created_at,
                   'UTF8')), 'hex')
          INTO expected FROM {SCHEMA}.incidents
         WHERE laptop = NEW.laptop AND incident_id = NEW.incident_id;
    ELSE
        SELECT hash INTO expected FROM {SCHEMA}.events
         WHERE laptop = NEW.laptop AND incident_id = NEW.incident_id AND seq = NEW.seq - 1;
    END IF;
    IF expected IS NULL OR expected <> NEW.prev THEN
        RAISE EXCEPTION 'qdplan-fork %:%:% does not extend the archived chain',
            NEW.laptop, NEW.incident_id, NEW.seq USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {SCHEMA}.check_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM {SCHEMA}.events
                    WHERE laptop = NEW.laptop AND incident_id = NEW.incident_id
                      AND seq = NEW.chain_length AND hash = NEW.chain_head)
       OR EXISTS (SELECT 1 FROM {SCHEMA}.events
                   WHERE laptop = NEW.laptop AND incident_id = NEW.incident_id
                     AND seq > NEW.chain_length) THEN
        RAISE EXCEPTION 'qdplan-head %:% head does not match its events',
            NEW.laptop, NEW.incident_id USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER events_extend_chain BEFORE INSERT ON {SCHEMA}.events
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.check_link();
CREATE TRIGGER heads_match_events BEFORE INSERT ON {SCHEMA}.heads
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.check_head();
"""
_MIGRATION_1 += "".join(
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.{table} "
    f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change();\n"
    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {SCHEMA}.{table} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change();\n"
    for table in ("incidents", "events", "heads", "migrations")
)

# Numbered migrations; each runs once, in its own transaction, recorded in qdplan.migrations.
MIGRATIONS: tuple[tuple[int, str, str], ...] = ((1, "incidents_events_heads", _MIGRATION_1),)
_MIGRATIONS_TABLE = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.migrations (
    number integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


def where(url: str) -> str:
    """The archive's address without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "（地址无法解读）"
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"{user}{host}{port}/{info.get('dbname') or ''}"


def _unavailable(url: str, exc: BaseException, *, during: str = "") -> ArchiveUnavailableError:
    text = str(exc)
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        reason = (
            "用户名或密码不对（档案库拒绝登录）；请核对配置 [archive] url 或 QDPLAN_ARCHIVE_URL"
        )
    elif 'database "' in lowered and "does not exist" in lowered:
        reason = "档案库服务器上没有这个数据库；请核对地址中的数据库名"
    elif "permission denied" in lowered:
        reason = "登录账号没有所需权限（见 README 档案库一节的 GRANT）"
    else:
        reason = "连接不上档案库服务器，或连接中途断开（网络不通、服务器未启动或地址有误）"
    tail = "档案库中没有写入半截的内容，本机记录未改动；网络恢复后再运行一次即可接着发送"
    return ArchiveUnavailableError(f"档案库 {where(url)}：{reason}。{during}{tail}", field="档案库")


@dataclass
class PushResult:
    incidents: int = 0  # incidents with new events sent
    events: int = 0  # events sent
    unchanged: int = 0  # already in the archive, whole
    refused: list[tuple[str, str]] = field(default_factory=list)  # (incident id, why)


@dataclass(frozen=True)
class ArchivedReport:
    laptop: str
    hall: str
    report: ChainReport


class Archive:
    """A connection to the archive. ``Archive.connect(url)``; close with ``close()`` or ``with``."""

    def __init__(self, conn: Connection[Any], url: str) -> None:
        self.conn = conn
        self.url = url

    @classmethod
    def connect(cls, url: str) -> Archive:
        if not url.strip():
            raise UserError(
                '没有配置档案库地址：在配置文件中写 [archive] url = "postgresql://…"，'
                "或设置环境变量 QDPLAN_ARCHIVE_URL",
                field="档案库",
            )
        try:
            conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        except psycopg.ProgrammingError as exc:
            raise UserError(f"档案库地址无法解读（{exc}）", field="档案库") from None
        except psycopg.Error as exc:
            raise _unavailable(url, exc) from None
        return cls(conn, url)

    def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def errors(self, during: str = "") -> Iterator[None]:
        try:
            yield
        except psycopg.OperationalError as exc:
            raise _unavailable(self.url, exc, during=during) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise _unavailable(self.url, exc, during=during) from None

    # ---------------------------------------------------------------- schema

    def applied(self) -> dict[int, str]:
        with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.migrations",))
            row = cur.fetchone()
            if row is None or row[0] is None:
                return {}
            cur.execute(f"SELECT number, name FROM {SCHEMA}.migrations")
            return {int(n): str(name) for n, name in cur.fetchall()}

    def _refuse_newer(self, applied: dict[int, str]) -> None:
        known = MIGRATIONS[-1][0]
        newest = max(applied, default=0)
        if newest > known:
            raise UserError(
                f"档案库 {where(self.url)} 由更新版本的 qdplan 建立（结构第 {newest} 版，"
                f"本版本只认识到第 {known} 版）。qdplan 没有改动它；请升级 qdplan 后再用",
                field="档案库",
            )

    def init(self) -> list[tuple[int, str]]:
        """Create or migrate the schema; return the migrations applied now."""
        applied = self.applied()
        self._refuse_newer(applied)
        done = []
        with self.errors():
            if not applied:
                with self.conn.transaction():
                    self.conn.execute(_MIGRATIONS_TABLE)
            for number, name, sql in MIGRATIONS:
                if number in applied:
                    continue
                with self.conn.transaction():
                    self.conn.execute(sql)
                    self.conn.execute(
                        f"INSERT INTO {SCHEMA}.migrations (number, name) VALUES (%s, %s)",
                        (number, name),
                    )
                done.append((number, name))
        return done

    def require_schema(self) -> None:
        applied = self.applied()
        self._refuse_newer(applied)
        if set(applied) < {n for n, _, _ in MIGRATIONS}:
            raise UserError(
                f"档案库 {where(self.url)} 尚未建立或版本较旧：请中心管理员运行 qdplan archive init",
                field="档案库",
            )

    # ---------------------------------------------------------------- pushing

    def heads(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        """``(laptop, incident_id) → (chain_length, chain_head)`` for those in the archive."""
        if not keys:
            return {}
        with self.conn.cursor() as cur:
            cur.execute(
                f"SELECT laptop, incident_id, chain_length, chain_head FROM {SCHEMA}.incident_heads"
                " WHERE (laptop, incident_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                ([k[0] for k in keys], [k[1] for k in keys]),
            )
            return {(r[0], r[1]): (int(r[2]), str(r[3])) for r in cur.fetchall()}

    def _fork_problem(self, chain: Chain, length: int) -> str:
        """Why the archive refuses ``chain``: the first event where it differs from the one held."""
        with self.conn.cursor() as cur:
            cur.execute(
                f"SELECT seq, hash FROM {SCHEMA}.events WHERE laptop = %s AND incident_id = %s "
                "ORDER BY seq",
                (chain.laptop, chain.incident_id),
            )
            held = cur.fetchall()
        for (seq, digest), row in zip(held, chain.rows, strict=False):
            if digest != row[7]:
                return (
                    f"本机的{describe(row)}与档案库中的第 {seq} 条不同：本机记录与已归档的记录分叉"
                    "（本机副本被改动过，或档案库中是另一份记录），档案库拒收"
                )
        return (
            f"档案库中已有 {length} 条记录，本机只有 {chain.length} 条：本机记录少了后面的部分，"
            "档案库拒收"
        )

    def push(
        self,
        chains: Sequence[Chain],
        *,
        batch: int = BATCH,
        after_batch: Callable[[int], None] | None = None,
    ) -> PushResult:
        """Send the chains' events the archive does not hold yet, one transaction per batch."""
        self.require_schema()
        result = PushResult()
        for start in range(0, len(chains), batch):
            part = chains[start : start + batch]
            with self.errors("本批未写入。"):
                self._push_batch(part, result)
            if after_batch is not None:
                after_batch(start // batch + 1)
        return result

    def _push_batch(self, part: Sequence[Chain], result: PushResult) -> None:
        sent_incidents = sent_events = unchanged = 0
        refused: list[tuple[str, str]] = []
        with self.conn.transaction():
            held = self.heads([(c.laptop, c.incident_id) for c in part])
            new_incidents: list[tuple[str, str, str, str]] = []
            new_events: list[tuple[Any, ...]] = []
            new_heads: list[tuple[str, str, int, str]] = []
            for chain in part:
                length, head = held.get((chain.laptop, chain.incident_id), (0, ""))
                if length == chain.length and head == chain.head:
                    unchanged += 1
                    continue
                if length > chain.length or (length and chain.rows[length - 1][7] != head):
                    refused.append((chain.incident_id, self._fork_problem(chain, length)))
                    continue
                if length == 0:
                    new_incidents.append(
                        (chain.laptop, chain.incident_id, chain.created_at, chain.hall)
                    )
                new_events.extend(
                    (chain.laptop, chain.incident_id, *r) for r in chain.rows[length:]
                )
                new_heads.append((chain.laptop, chain.incident_id, chain.length, chain.head))
                sent_incidents += 1
                sent_events += chain.length - length
            try:
                with self.conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {SCHEMA}.incidents (laptop, incident_id, created_at, hall) "
                        "VALUES (%s, %s, %s, %s)",
                        new_incidents,
                    )
                    with cur.copy(
                        f"COPY {SCHEMA}.events (laptop, incident_id, seq, at, recorded_at, kind, "
                        "text, data, prev, hash) FROM STDIN"
                    ) as copy:
                        for row in new_events:
                            copy.write_row(row)
                    cur.executemany(
                        f"INSERT INTO {SCHEMA}.heads (laptop, incident_id, chain_length, "
                        "chain_head) VALUES (%s, %s, %s, %s)",
                        new_heads,
                    )
            except (psycopg.errors.RaiseException, psycopg.errors.UniqueViolation) as exc:
                # Another push of the same incidents got in between our check and our write.
                raise ChainBrokenError(
                    f"档案库拒收：{exc.diag.message_primary or exc}。本批未写入；请重新运行一次",
                    field="档案库",
                ) from None
        result.incidents += sent_incidents
        result.events += sent_events
        result.unchanged += unchanged
        result.refused.extend(refused)

    # ---------------------------------------------------------------- reading

    def chains(self, *, hall: str | None = None) -> Iterator[Chain]:
        """Every archived chain (at its longest head), oldest incident first."""
        self.require_schema()
        query = (
            f"SELECT laptop, incident_id, created_at, hall, chain_length, chain_head "
            f"FROM {SCHEMA}.incident_heads"
        )
        params: tuple[Any, ...] = ()
        if hall is not None:
            query += " WHERE hall = %s"
            params = (hall,)
        with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(query + " ORDER BY created_at, laptop, incident_id", params)
            incidents = cur.fetchall()
            cur.execute(
                f"SELECT laptop, incident_id, seq, at, recorded_at, kind, text, data, prev, hash "
                f"FROM {SCHEMA}.events ORDER BY laptop, incident_id, seq"
            )
            events: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
            for r in cur:
                events.setdefault((r[0], r[1]), []).append(tuple(r[2:]))
        for laptop, incident_id, created_at, hall_name, _length, head in incidents:
            rows = tuple(events.get((laptop, incident_id), ()))
            yield Chain(incident_id, created_at, rows, head, laptop, hall_name)

    def verify(self) -> list[ArchivedReport]:
        """Re-check every archived chain against its recorded head and length."""
        self.require_schema()
        with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(
                f"SELECT laptop, incident_id, created_at, hall, chain_length, chain_head "
                f"FROM {SCHEMA}.incident_heads ORDER BY laptop, incident_id"
            )
            incidents = cur.fetchall()
        reports = []
        for laptop, incident_id, created_at, hall, length, head in incidents:
            with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
                cur.execute(
                    f"SELECT seq, at, recorded_at, kind, text, data, prev, hash FROM {SCHEMA}.events"
                    " WHERE laptop = %s AND incident_id = %s ORDER BY seq",
                    (laptop, incident_id),
                )
                rows = cur.fetchall()
            reports.append(
                ArchivedReport(laptop, hall, verify(incident_id, created_at, rows, head, length))
            )
        return reports


def push_grants(database: str, role: str) -> str:
    """The GRANTs that make ``role`` a pushing role: read and append, nothing else (README)."""
    return (
        f"GRANT CONNECT ON DATABASE {database} TO {role};\n"
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role};\n"
        f"GRANT SELECT, INSERT ON {SCHEMA}.incidents, {SCHEMA}.events, {SCHEMA}.heads TO {role};\n"
        f"GRANT SELECT ON {SCHEMA}.incident_heads, {SCHEMA}.migrations TO {role};\n"
    )

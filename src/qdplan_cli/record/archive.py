"""The centre's archive: every finished incident's whole event chain, on PostgreSQL (psycopg 3).
The only module that imports psycopg.

- The schema ``qdplan`` is created and migrated by ``qdplan archive init`` (numbered migrations,
  recorded in ``qdplan.migrations``); a client refuses an archive newer than itself, untouched.
- Append-only on the server too: triggers refuse UPDATE, DELETE and TRUNCATE on the tables of
  record. Each push that extends a chain inserts a row into ``heads`` (length, head hash, the
  signing laptop and its signature); a trigger keeps ``current_heads`` (one row per incident)
  in the same transaction, so a push reads what the archive holds by key, at any size.
- An incident is keyed by ``(laptop, incident_id)`` and is one incident wherever it travels:
  a chain with the same id and creation time (its genesis) pushed from another laptop after a
  hand-over extends the archived one, never a second copy.
- Events are stored verbatim (seq, at, recorded_at, kind, text, data as JSON text, prev, hash),
  so ``chain.verify`` re-checks them exactly as it does locally. A trigger refuses any event
  that does not extend the chain the archive holds.
- Roles (``grants``): the pushing role appends and reads heads, hashes and keys, never the
  names; the reader (director) reads everything but the names (``events_public``); the
  confidential reader reads the events whole.
- Signatures: a laptop registers its public key on its first push; every head it sends is
  signed (``record.signing``). A hand-over file is accepted only from a registered laptop.
- One transaction per batch of incidents, under an advisory lock (``PUSH_LOCK``): concurrent
  pushes run one after the other; an interrupted push leaves whole batches or nothing of a
  batch, and the next push sends what is missing.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from qdplan_cli.plan.errors import ChainBrokenError, UserError
from qdplan_cli.record.chain import ChainReport, describe, verify
from qdplan_cli.record.handover import (
    FINISHED_KINDS,
    Broken,
    Chain,
    chain_payload,
    head_payload,
    local_chains,
    unsent,
)
from qdplan_cli.record.signing import LaptopKey, check, fingerprint, valid_public

if TYPE_CHECKING:
    from psycopg import Connection

    from qdplan_cli.record.store import Store

SCHEMA = "qdplan"
BATCH = 500  # incidents per transaction
PREFETCH = 2  # batches read and checked ahead while one is being sent
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

# Migration 2: the current head of each incident in a table kept by the push itself (a trigger on
# ``heads``), the laptops' public keys, who signed each head, and the names kept from every role
# but the confidential reader (the view ``events_public``). The trigger functions run as their
# owner (SECURITY DEFINER), so a pushing role needs no read access beyond what it is granted.
_MIGRATION_2 = f"""
ALTER TABLE {SCHEMA}.heads ADD COLUMN signer text, ADD COLUMN signer_hall text,
    ADD COLUMN signature text;
CREATE TABLE {SCHEMA}.keys (
    laptop text PRIMARY KEY,
    public_key text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    registered_by text NOT NULL DEFAULT current_user
);
CREATE TABLE {SCHEMA}.current_heads (
    laptop text NOT NULL,
    incident_id text NOT NULL,
    created_at text NOT NULL,
    hall text NOT NULL,
    chain_length integer NOT NULL,
    chain_head text NOT NULL,
    signer text,
    signer_hall text,
    signature text,
    PRIMARY KEY (laptop, incident_id)
);
CREATE INDEX current_heads_identity ON {SCHEMA}.current_heads (incident_id, created_at);
INSERT INTO {SCHEMA}.current_heads (laptop, incident_id, created_at, hall, chain_length, chain_head)
    SELECT laptop, incident_id, created_at, hall, chain_length, chain_head
      FROM {SCHEMA}.incident_heads;

CREATE FUNCTION {SCHEMA}.keep_head() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO {SCHEMA}.current_heads AS c (laptop, incident_id, created_at, hall,
                chain_length, chain_head, signer, signer_hall, signature)
    SELECT NEW.laptop, NEW.incident_id, i.created_at, i.hall, NEW.chain_length, NEW.chain_head,
           NEW.signer, NEW.signer_hall, NEW.signature
      FROM {SCHEMA}.incidents i WHERE i.laptop = NEW.laptop AND i.incident_id = NEW.incident_id
    ON CONFLICT (laptop, incident_id) DO UPDATE
       SET chain_length = EXCLUDED.chain_length, chain_head = EXCLUDED.chain_head,
           signer = EXCLUDED.signer, signer_hall = EXCLUDED.signer_hall,
           signature = EXCLUDED.signature
     WHERE c.chain_length < EXCLUDED.chain_length;
    RETURN NULL;
END $$;
CREATE TRIGGER heads_keep_current AFTER INSERT ON {SCHEMA}.heads
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.keep_head();
ALTER FUNCTION {SCHEMA}.check_link() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION {SCHEMA}.check_head() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
CREATE TRIGGER keys_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.keys
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change();
CREATE TRIGGER keys_no_truncate BEFORE TRUNCATE ON {SCHEMA}.keys
    FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change();

-- Every top-level "confidential" table of an event (experts, bidders: lists of names) with each
-- name replaced by a placeholder (the counts stay), and the names of attendance rows removed.
CREATE FUNCTION {SCHEMA}.redact(kind text, data text) RETURNS text LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN jsonb_typeof(d) <> 'object' THEN data
        ELSE (CASE WHEN jsonb_typeof(d -> 'confidential') = 'object' THEN
                jsonb_set(d, '{{confidential}}', (
                    SELECT coalesce(jsonb_object_agg(k, CASE WHEN jsonb_typeof(v) = 'array' THEN
                        (SELECT coalesce(jsonb_agg('＊'::text), '[]'::jsonb)
                           FROM jsonb_array_elements(v))
                        ELSE '"＊"'::jsonb END), '{{}}'::jsonb)
                      FROM jsonb_each(d -> 'confidential') AS c(k, v)))
            ELSE d END)::text END
    FROM (SELECT CASE WHEN kind = 'attendance'
                       AND jsonb_typeof(data::jsonb -> 'attendance') = 'array'
                 THEN jsonb_set(data::jsonb, '{{attendance}}', (
                        SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(a) = 'object'
                                                      THEN a - 'name' ELSE a END), '[]'::jsonb)
                          FROM jsonb_array_elements(data::jsonb -> 'attendance') a))
                 ELSE data::jsonb END AS d) AS parsed
$$;
CREATE VIEW {SCHEMA}.events_public AS
    SELECT laptop, incident_id, seq, at, recorded_at, kind, text,
           {SCHEMA}.redact(kind, data) AS data, prev, hash
      FROM {SCHEMA}.events;
"""

# Numbered migrations; each runs once, in its own transaction, recorded in qdplan.migrations.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "incidents_events_heads", _MIGRATION_1),
    (2, "current_heads_keys_signatures_redaction", _MIGRATION_2),
)
_MIGRATIONS_TABLE = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.migrations (
    number integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


def where(url: str) -> str:
    """The archive's address without its password, for messages (never the URL itself)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "（地址无法解读）"
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    service = f"service={info['service']} " if info.get("service") else ""
    return f"{service}{user}{host}{port}/{info.get('dbname') or ''}"


_NETWORK_TAIL = "档案库中没有写入半截的内容，本机记录未改动；网络恢复后再运行一次即可接着发送"
_FIX_TAIL = "档案库中没有写入任何内容，本机记录未改动；改正后再运行"


def has_password(url: str) -> bool:
    """Whether the connection string carries a password (libpq's pgpass is the place for it)."""
    try:
        return bool(psycopg.conninfo.conninfo_to_dict(url).get("password"))
    except psycopg.ProgrammingError:
        return False


def _unavailable(url: str, exc: BaseException, *, during: str = "") -> ArchiveUnavailableError:
    text = str(exc)
    lowered = text.lower()
    tail = _FIX_TAIL
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        reason = (
            "用户名或密码不对，档案库拒绝登录：请核对 pgpass 文件（或 pg_service.conf）中该账号的"
            "密码，以及配置 [archive] url 或 QDPLAN_ARCHIVE_URL 中的用户名"
        )
    elif "role" in lowered and "does not exist" in lowered:
        reason = "档案库服务器上没有这个登录账号：请中心管理员按 qdplan archive init 显示的语句建立"
    elif 'database "' in lowered and "does not exist" in lowered:
        reason = "档案库服务器上没有这个数据库：请核对地址中的数据库名"
    elif "permission denied" in lowered or isinstance(exc, psycopg.errors.InsufficientPrivilege):
        reason = (
            "登录账号缺少所需权限（GRANT）：请中心管理员运行 qdplan archive init，"
            "按其显示的 GRANT 语句为该账号授权"
        )
    elif "no pg_hba.conf entry" in lowered:
        reason = "档案库服务器不允许从本机以该账号登录（pg_hba.conf）：请联系中心管理员"
    elif "service file" in lowered or "definition of service" in lowered:
        reason = "pg_service.conf 中没有这个服务名：请核对 service= 的名字和 PGSERVICEFILE"
    else:
        reason = "连接不上档案库服务器，或连接中途断开（网络不通、服务器未启动或地址有误）"
        tail = _NETWORK_TAIL
    return ArchiveUnavailableError(f"档案库 {where(url)}：{reason}。{during}{tail}", field="档案库")


class ArchiveBusyError(UserError):
    """Another push wrote the same incidents at the same moment: nothing of this batch written.
    Exit code 5 (run again)."""

    exit_code = 5


# Pushes and imports take this transaction-level advisory lock: two laptops pushing at once
# run one after the other, batch by batch, instead of clashing on the same heads.
PUSH_LOCK = 0x71647061  # "qdpa"


@dataclass
class PushResult:
    incidents: int = 0  # incidents with new events sent
    events: int = 0  # events sent
    unchanged: int = 0  # already in the archive, whole
    refused: list[tuple[str, str]] = field(default_factory=list)  # (incident id, why)
    broken: list[tuple[str, str]] = field(default_factory=list)  # local chains that fail the check
    unfinished: int = 0  # not finished, not sent (push_store with finished_only)


@dataclass(frozen=True)
class ArchivedReport:
    laptop: str
    hall: str
    report: ChainReport
    signature: str | None = None  # what is wrong with the head's signature, if anything


@dataclass(frozen=True)
class Found:
    """An archived incident, as ``archive find`` / ``archive open`` list it (no names)."""

    laptop: str
    hall: str
    incident_id: str
    created_at: str
    number: str
    name: str
    events: int
    finished: bool


@dataclass(frozen=True)
class _Held:
    laptop: str
    hall: str
    length: int
    head: str


def grants(database: str, push: str, reader: str, confidential: str) -> str:
    """The roles' GRANTs (``qdplan archive init`` prints them; README, 档案库):

    - ``push`` (every laptop): appends, and reads only what extending a chain needs: the current
      heads, the events' hashes (to name the event where a fork starts) and the public keys;
    - ``reader`` (the director): every table but the events' names (``events_public``);
    - ``confidential`` (who may see expert and bidder names): the reader's and the events whole.
    """
    s = SCHEMA
    head = f"GRANT CONNECT ON DATABASE {database} TO {push}, {reader}, {confidential};\n"
    return (
        head + f"GRANT USAGE ON SCHEMA {s} TO {push}, {reader}, {confidential};\n"
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {push}, {reader}, {confidential};\n"
        f"-- {push}：各电脑发送事件用（只追加，读不到姓名）\n"
        f"GRANT INSERT ON {s}.incidents, {s}.events, {s}.heads, {s}.keys TO {push};\n"
        f"GRANT SELECT (laptop, incident_id, seq, hash) ON {s}.events TO {push};\n"
        f"GRANT SELECT ON {s}.current_heads, {s}.keys, {s}.migrations TO {push};\n"
        f"-- {reader}：主任查看年度回顾、查找事件用（只读，读不到姓名）\n"
        f"GRANT SELECT ON {s}.incidents, {s}.heads, {s}.current_heads, {s}.keys, "
        f"{s}.migrations, {s}.events_public TO {reader};\n"
        f"-- {confidential}：可以查看专家、投标人姓名的账号（只读）\n"
        f"GRANT {reader} TO {confidential};\n"
        f"GRANT SELECT ON {s}.events TO {confidential};\n"
    )


def push_grants(database: str, role: str) -> str:
    """The GRANTs of a pushing role alone (the tests' fixture)."""
    s = SCHEMA
    return (
        f"GRANT CONNECT ON DATABASE {database} TO {role};\n"
        f"GRANT USAGE ON SCHEMA {s} TO {role};\n"
        f"GRANT INSERT ON {s}.incidents, {s}.events, {s}.heads, {s}.keys TO {role};\n"
        f"GRANT SELECT (laptop, incident_id, seq, hash) ON {s}.events TO {role};\n"
        f"GRANT SELECT ON {s}.current_heads, {s}.keys, {s}.migrations TO {role};\n"
    )


def _malformed(exc: BaseException, url: str) -> str:
    """psycopg's complaint about a URL, with the URL's password (if any) taken out."""
    text = str(exc)
    with contextlib.suppress(ValueError):
        from urllib.parse import unquote, urlsplit

        password = urlsplit(url).password
        if password:
            for secret in {password, unquote(password)}:
                text = text.replace(secret, "***")
    if url and url in text:
        text = text.replace(url, "（地址）")
    # libpq quotes the part it could not read, which may be (part of) the password.
    return re.sub(r'"[^"]*"', "“…”", text).strip()


def _ahead(make: Callable[[], Iterator[Chain]], size: int) -> Iterator[Chain]:
    """``make()``'s chains, produced by a thread up to ``size`` ahead: the laptop reads and
    checks the next batch while the server takes the current one (the wait on the server
    releases the GIL). An error in the thread is raised here, in order."""
    import queue
    import threading

    done = object()
    items: queue.Queue[object] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def offer(item: object) -> bool:
        """Put ``item`` once there is room; False when the consumer has stopped."""
        while not stop.is_set():
            try:
                items.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chain in make():
                if not offer(chain):
                    return
            offer(done)
        except BaseException as exc:  # handed over to the consumer
            offer(exc)

    thread = threading.Thread(target=produce, name="qdplan-push-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Chain)
            yield item
    finally:
        stop.set()
        thread.join()


def _chain(head: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> Chain:
    laptop, incident_id, created_at, hall, chain_head = head
    return Chain(incident_id, created_at, tuple(rows), chain_head, laptop, hall)


class Archive:
    """A connection to the archive. ``Archive.connect(url)``; close with ``close()`` or ``with``."""

    def __init__(self, conn: Connection[Any], url: str) -> None:
        self.conn = conn
        self.url = url

    @classmethod
    def connect(cls, url: str) -> Archive:
        if not url.strip():
            raise UserError(
                '没有配置档案库地址：在配置文件中写 [archive] url = "postgresql://…"（或 '
                '"service=…"），或设置环境变量 QDPLAN_ARCHIVE_URL',
                field="档案库",
            )
        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise UserError(
                f"档案库地址无法解读（{_malformed(exc, url)}）。密码中的 @ : / ? # % 等字符须按"
                "百分号编码书写（如 @ 写成 %40），或把密码放进 pgpass 文件",
                field="档案库",
            ) from None
        try:
            conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        except psycopg.ProgrammingError as exc:
            raise UserError(
                f"档案库地址无法解读（{_malformed(exc, url)}）", field="档案库"
            ) from None
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
        except (
            psycopg.errors.SerializationFailure,
            psycopg.errors.DeadlockDetected,
            psycopg.errors.LockNotAvailable,
        ):
            raise ArchiveBusyError(
                "档案库正忙：另一台电脑同时在发送同样的事件。本批未写入，本机记录未改动；"
                "请稍后再运行一次",
                field="档案库",
            ) from None
        except psycopg.OperationalError as exc:
            raise _unavailable(self.url, exc, during=during) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise _unavailable(self.url, exc, during=during) from None
        except psycopg.Error as exc:  # anything else the server says: no traceback, no English
            raise ArchiveUnavailableError(
                f"档案库 {where(self.url)} 返回了意外的错误（代码 {exc.sqlstate or '无'}）。"
                f"{during}{_FIX_TAIL}；如一再出现，请把这段提示发给中心管理员",
                field="档案库",
            ) from None

    def can_read_names(self) -> bool:
        with self.errors(), self.conn.cursor() as cur:
            cur.execute("SELECT has_table_privilege(%s, 'SELECT')", (f"{SCHEMA}.events",))
            row = cur.fetchone()
        return bool(row and row[0])

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

    def database(self) -> str:
        with self.errors(), self.conn.cursor() as cur:
            cur.execute("SELECT current_database()")
            row = cur.fetchone()
        return str(row[0]) if row else ""

    def require_schema(self) -> None:
        applied = self.applied()
        self._refuse_newer(applied)
        if set(applied) < {n for n, _, _ in MIGRATIONS}:
            raise UserError(
                f"档案库 {where(self.url)} 尚未建立或版本较旧：请中心管理员运行 qdplan archive init",
                field="档案库",
            )

    # ---------------------------------------------------------------- keys

    def keys(self) -> dict[str, str]:
        with self.errors(), self.conn.cursor() as cur:
            cur.execute(f"SELECT laptop, public_key FROM {SCHEMA}.keys")
            return {str(a): str(b) for a, b in cur.fetchall()}

    def trust(self, laptop: str, public: str) -> bool:
        """Register ``laptop``'s public key (the centre, after checking the fingerprint); False
        when that very key was registered already. Another key for the laptop is refused."""
        if not valid_public(public):
            raise UserError("公钥格式不对（应为 44 个字符的 base64）", field="公钥")
        self.require_schema()
        with self.errors(), self.conn.transaction():
            return self._register(laptop, public)

    def _register(self, laptop: str, public: str) -> bool:
        with self.conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO {SCHEMA}.keys (laptop, public_key) VALUES (%s, %s) "
                "ON CONFLICT (laptop) DO NOTHING",
                (laptop, public),
            )
            added = cur.rowcount == 1
            cur.execute(f"SELECT public_key FROM {SCHEMA}.keys WHERE laptop = %s", (laptop,))
            row = cur.fetchone()
        held = str(row[0]) if row else ""
        if held != public:
            raise ChainBrokenError(
                f"档案库中电脑编号 {laptop} 登记的是另一把公钥（指纹 {fingerprint(held)}），"
                f"这里的公钥指纹是 {fingerprint(public)}：可能是另一台电脑用了相同的编号，或本机"
                "密钥被重新生成过。没有写入任何内容；请联系中心管理员核对",
                field="档案库",
            )
        return added

    # ---------------------------------------------------------------- pushing

    def _held(self, cur: Any, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], _Held]:
        """``(incident_id, created_at)`` → the archived incident with that identity (one
        incident wherever it travels: a chain imported on another laptop is the same one)."""
        if not keys:
            return {}
        cur.execute(
            f"SELECT incident_id, created_at, laptop, hall, chain_length, chain_head "
            f"FROM {SCHEMA}.current_heads WHERE (incident_id, created_at) IN "
            "(SELECT * FROM unnest(%s::text[], %s::text[])) ORDER BY chain_length",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
        return {(r[0], r[1]): _Held(r[2], r[3], int(r[4]), str(r[5])) for r in cur.fetchall()}

    def held_heads(
        self, keys: Sequence[tuple[str, str]], *, laptop: str = ""
    ) -> dict[tuple[str, str], tuple[int, str]]:
        """``(incident_id, created_at)`` → ``(chain_length, chain_head)`` held by the archive:
        first every head ``laptop`` pushed (one scan of its index), then by identity those of
        ``keys`` not found there (incidents that came from another laptop)."""
        out: dict[tuple[str, str], tuple[int, str]] = {}
        wanted = set(keys)
        with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            if laptop:
                cur.execute(
                    f"SELECT incident_id, created_at, chain_length, chain_head "
                    f"FROM {SCHEMA}.current_heads WHERE laptop = %s",
                    (laptop,),
                )
                for incident_id, created_at, length, head in cur:
                    if (incident_id, created_at) in wanted:
                        out[(incident_id, created_at)] = (int(length), str(head))
            rest = [k for k in keys if k not in out]
            for start in range(0, len(rest), 10000):
                for key, held in self._held(cur, rest[start : start + 10000]).items():
                    out[key] = (held.length, held.head)
        return out

    def _fork_problem(self, cur: Any, chain: Chain, held: _Held) -> str:
        """Why the archive refuses ``chain``: the first event where it differs from the one held."""
        cur.execute(
            f"SELECT seq, hash FROM {SCHEMA}.events WHERE laptop = %s AND incident_id = %s "
            "ORDER BY seq",
            (held.laptop, chain.incident_id),
        )
        for (seq, digest), row in zip(cur.fetchall(), chain.rows, strict=False):
            if digest != row[7]:
                return (
                    f"本机的{describe(row)}与档案库中的第 {seq} 条不同：本机记录与已归档的记录分叉"
                    "（本机副本被改动过，或档案库中是另一份记录），档案库拒收"
                )
        return (
            f"档案库中已有 {held.length} 条记录，本机只有 {chain.length} 条：本机记录少了后面的"
            "部分，档案库拒收"
        )

    def push(
        self,
        chains: Iterable[Chain],
        *,
        key: LaptopKey | None = None,
        batch: int = BATCH,
        whole: bool = False,
        after_batch: Callable[[int], None] | None = None,
        result: PushResult | None = None,
    ) -> PushResult:
        """Send the chains' events the archive does not hold yet, one transaction per batch
        (``whole``: one transaction for all, refused whole if any chain is refused).

        ``key``: this laptop's key — registered on the first push, and every head sent is signed
        with it. Without it (a hand-over file at the centre) each chain must carry the signature
        of a laptop whose key the archive holds."""
        self.require_schema()
        result = result if result is not None else PushResult()
        part: list[Chain] = []
        number = 0
        registered = False
        for chain in chains:
            if key is not None and not registered:
                with self.errors(), self.conn.transaction():
                    self._register(chain.laptop, key.public)
                registered = True
            part.append(chain)
            if len(part) >= batch and not whole:
                number += 1
                self._send(part, result, key, whole=False)
                part = []
                if after_batch is not None:
                    after_batch(number)
        if part:
            number += 1
            self._send(part, result, key, whole=whole)
            if after_batch is not None:
                after_batch(number)
        return result

    def _send(
        self, part: Sequence[Chain], result: PushResult, key: LaptopKey | None, *, whole: bool
    ) -> None:
        with self.errors("本批未写入。"):
            self._push_batch(part, result, key, whole=whole)

    def _push_batch(
        self, part: Sequence[Chain], result: PushResult, key: LaptopKey | None, *, whole: bool
    ) -> None:
        sent_incidents = sent_events = unchanged = 0
        refused: list[tuple[str, str]] = []
        public = key.public if key is not None else ""
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))
            held = self._held(cur, [(c.incident_id, c.created_at) for c in part])
            known: dict[str, str] = {}
            if key is None:
                signers = sorted({c.signer for c in part})
                cur.execute(
                    f"SELECT laptop, public_key FROM {SCHEMA}.keys WHERE laptop = ANY(%s)",
                    (signers,),
                )
                known = {str(a): str(b) for a, b in cur.fetchall()}
            new_incidents: list[tuple[str, str, str, str]] = []
            new_events: list[tuple[Any, ...]] = []
            new_heads: list[tuple[Any, ...]] = []
            for chain in part:
                if key is None:
                    self._check_signed(chain, known)
                found = held.get((chain.incident_id, chain.created_at))
                target = found or _Held(chain.laptop, chain.hall, 0, "")
                length = target.length
                if found is not None and length == chain.length and found.head == chain.head:
                    unchanged += 1
                    continue
                if length > chain.length or (length and chain.rows[length - 1][7] != target.head):
                    refused.append((chain.incident_id, self._fork_problem(cur, chain, target)))
                    continue
                if found is None:
                    new_incidents.append(
                        (chain.laptop, chain.incident_id, chain.created_at, chain.hall)
                    )
                new_events.extend(
                    (target.laptop, chain.incident_id, *r) for r in chain.rows[length:]
                )
                if key is not None:
                    signer, signer_hall = chain.laptop, chain.hall
                    # Signed ahead with this very key (``push_store``), or signed now.
                    signed_ahead = chain.signature and chain.public_key == public
                    signature = chain.signature if signed_ahead else key.sign(chain_payload(chain))
                else:
                    signer, signer_hall, signature = chain.signer, chain.hall, chain.signature
                new_heads.append(
                    (
                        target.laptop,
                        chain.incident_id,
                        chain.length,
                        chain.head,
                        signer,
                        signer_hall,
                        signature,
                    )
                )
                sent_incidents += 1
                sent_events += chain.length - length
            if whole and refused:
                raise ChainBrokenError(
                    "；".join(f"事件 {i}：{why}" for i, why in refused) + "。没有导入任何内容",
                    field="档案库",
                )
            try:
                for table, columns, rows in (
                    ("incidents", "laptop, incident_id, created_at, hall", new_incidents),
                    (
                        "events",
                        "laptop, incident_id, seq, at, recorded_at, kind, text, data, prev, hash",
                        new_events,
                    ),
                    (
                        "heads",
                        "laptop, incident_id, chain_length, chain_head, signer, signer_hall, "
                        "signature",
                        new_heads,
                    ),
                ):
                    if not rows:
                        continue
                    with cur.copy(f"COPY {SCHEMA}.{table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            except (psycopg.errors.RaiseException, psycopg.errors.UniqueViolation):
                # Not another qdplan (pushes take the lock): something else wrote meanwhile.
                raise ArchiveBusyError(
                    "档案库拒收：另一个程序同时写入了同样的事件。本批未写入，本机记录未改动；"
                    "请稍后再运行一次",
                    field="档案库",
                ) from None
        result.incidents += sent_incidents
        result.events += sent_events
        result.unchanged += unchanged
        result.refused.extend(refused)

    @staticmethod
    def _check_signed(chain: Chain, known: dict[str, str]) -> None:
        if not chain.signature:
            raise ChainBrokenError(
                f"事件 {chain.incident_id} 没有签名（旧版 qdplan 导出的交接文件）：档案库不接收"
                "未签名的记录。请在该电脑上升级 qdplan 后重新导出。没有导入任何内容",
                field="档案库",
            )
        registered = known.get(chain.signer)
        if registered is None:
            raise UserError(
                f"档案库还没有登记电脑 {chain.signer}（{chain.hall}）的公钥，交接文件中的公钥指纹为 "
                f"{fingerprint(chain.public_key)}。请先与该场所电话核对指纹（在该电脑上运行 "
                "qdplan archive key），再运行 qdplan archive trust 登记。没有导入任何内容",
                field="档案库",
            )
        if registered != chain.public_key or not check(
            registered, chain_payload(chain), chain.signature
        ):
            raise ChainBrokenError(
                f"事件 {chain.incident_id} 的签名不是档案库为电脑 {chain.signer} 登记的公钥所签："
                f"截至{describe(chain.rows[-1]) if chain.rows else '事件头'}的记录不可信"
                "（文件被伪造或改动过）。没有导入任何内容",
                field="档案库",
            )

    def push_store(
        self,
        store: Store,
        incident_ids: Sequence[str],
        *,
        laptop: str,
        hall: str,
        key: LaptopKey,
        finished_only: bool = False,
        batch: int = BATCH,
        after_batch: Callable[[int], None] | None = None,
    ) -> PushResult:
        """Push this laptop's incidents ``incident_ids``: those whose head the archive already
        holds are passed over without reading them (a repeat push reads no event); of the
        others, unfinished ones are counted in ``unfinished`` and left (``finished_only``), the
        rest read and checked one by one: one that fails the check is reported in ``broken``
        and skipped, the rest go on."""
        self.require_schema()
        summaries = {s[0]: s for s in store.chain_heads()}
        keys = [(i, summaries[i][1]) for i in incident_ids if i in summaries]
        held = self.held_heads(keys, laptop=laptop)
        result = PushResult()
        todo = []
        for incident_id, created_at in keys:
            _, _, head, length = summaries[incident_id]
            if held.get((incident_id, created_at)) == (length, head):
                result.unchanged += 1
            else:
                todo.append(incident_id)
        if finished_only and todo:
            finished = store.finished_ids(sorted(FINISHED_KINDS), among=todo)
            result.unfinished = sum(1 for i in todo if i not in finished)
            todo = [i for i in todo if i in finished]

        public = key.public

        def read(source: Store) -> Iterator[Chain]:
            for chain in local_chains(source, todo, laptop=laptop, hall=hall):
                if isinstance(chain, Broken):
                    result.broken.append((chain.key, unsent(chain)))
                    continue
                # Signed here, in the reading thread, while the server takes the batch before.
                yield replace(
                    chain,
                    signer=laptop,
                    signature=key.sign(chain_payload(chain)),
                    public_key=public,
                )

        chains = _ahead(lambda: read_from(store.path.parent), batch * PREFETCH)

        def read_from(directory: Path) -> Iterator[Chain]:
            from qdplan_cli.record.store import Store

            with Store.open(directory) as own:  # SQLite connections stay in their thread
                yield from read(own)

        return self.push(chains, key=key, batch=batch, after_batch=after_batch, result=result)

    # ---------------------------------------------------------------- reading

    def chains(self, *, hall: str | None = None, names: bool | None = None) -> Iterator[Chain]:
        """Every archived chain at its current head, streamed incident by incident (a
        server-side cursor: memory does not grow with the archive). ``names`` False (or a role
        that may not read them): the events with names replaced (``events_public``), whose
        hashes can then not be re-checked."""
        self.require_schema()
        if names is None:
            names = self.can_read_names()
        source = f"{SCHEMA}.events" if names else f"{SCHEMA}.events_public"
        query = (
            "SELECT h.laptop, h.incident_id, h.created_at, h.hall, h.chain_head, "
            "e.seq, e.at, e.recorded_at, e.kind, e.text, e.data, e.prev, e.hash "
            f"FROM {SCHEMA}.current_heads h JOIN {source} e "
            "ON e.laptop = h.laptop AND e.incident_id = h.incident_id"
        )
        params: tuple[Any, ...] = ()
        if hall is not None:
            query += " WHERE h.hall = %s"
            params = (hall,)
        query += " ORDER BY h.laptop, h.incident_id, e.seq"
        with (
            self.errors(),
            self.conn.transaction(),
            self.conn.cursor(name="qdplan_chains") as cur,
        ):
            cur.itersize = 5000
            cur.execute(query, params)
            current: tuple[Any, ...] | None = None
            rows: list[tuple[Any, ...]] = []
            for r in cur:
                if current is None or (r[0], r[1]) != (current[0], current[1]):
                    if current is not None:
                        yield _chain(current, rows)
                    current, rows = r[:5], []
                rows.append(tuple(r[5:]))
            if current is not None:
                yield _chain(current, rows)

    def verify(self) -> list[ArchivedReport]:
        """Re-check every archived chain against its current head and length, and the head's
        signature against the signing laptop's registered key."""
        self.require_schema()
        keys = self.keys()
        with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(
                f"SELECT laptop, incident_id, chain_length, signer, signer_hall, signature "
                f"FROM {SCHEMA}.current_heads"
            )
            heads = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
        reports = []
        for chain in self.chains(names=True):
            length, signer, signer_hall, signature = heads[(chain.laptop, chain.incident_id)]
            report = verify(chain.incident_id, chain.created_at, chain.rows, chain.head, length)
            problem = None
            if not signature:
                problem = "没有签名（在签名功能之前发送）"
            elif signer not in keys:
                problem = f"签名的电脑 {signer} 没有登记公钥"
            else:
                payload = head_payload(
                    signer, signer_hall, chain.incident_id, chain.created_at, length, chain.head
                )
                if not check(keys[signer], payload, signature):
                    problem = f"签名与记录不符（不是电脑 {signer} 的密钥所签）"
            reports.append(ArchivedReport(chain.laptop, chain.hall, report, problem))
        return reports

    def find(self, number: str | None = None, *, unfinished: bool = False) -> list[Found]:
        """Incidents by project number (created or changed to it), or those not finished."""
        self.require_schema()
        p = f"{SCHEMA}.events_public"
        query = f"""
            SELECT h.laptop, h.hall, h.incident_id, h.created_at, h.chain_length,
                   (SELECT e.data::jsonb -> 'project' FROM {p} e
                     WHERE e.laptop = h.laptop AND e.incident_id = h.incident_id
                       AND e.kind IN ('created', 'project') ORDER BY e.seq DESC LIMIT 1),
                   EXISTS (SELECT 1 FROM {p} e WHERE e.laptop = h.laptop
                             AND e.incident_id = h.incident_id AND e.kind = ANY(%s))
              FROM {SCHEMA}.current_heads h
        """
        params: list[Any] = [sorted(FINISHED_KINDS)]
        if number is not None:
            query += f"""
             WHERE EXISTS (SELECT 1 FROM {p} e WHERE e.laptop = h.laptop
                             AND e.incident_id = h.incident_id AND e.kind IN ('created', 'project')
                             AND e.data::jsonb -> 'project' ->> 'number' = %s)"""
            params.append(number)
        query += " ORDER BY h.created_at, h.laptop, h.incident_id"
        with self.errors(), self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(query, params)
            rows = cur.fetchall()
        found = []
        for laptop, hall, incident_id, created_at, length, project, finished in rows:
            if unfinished and finished:
                continue
            project = project if isinstance(project, dict) else {}
            found.append(
                Found(
                    str(laptop),
                    str(hall),
                    str(incident_id),
                    str(created_at),
                    str(project.get("number", "")),
                    str(project.get("name", "")),
                    int(length),
                    bool(finished),
                )
            )
        return found

"""What the archive costs as it grows: at each size (default 1k, 10k and 50k generated finished
incidents, 8–13 events each), against a real PostgreSQL 15 (``QDPLAN_TEST_PG`` or a throwaway
cluster, tests/pgserver.py):

- **push**: ``qdplan archive push --all``'s path (``Archive.push_store``: compare heads, read and
  check each chain locally, sign, send) into a fresh archive, against **COPY** of the very same
  rows (prepared beforehand) into another fresh archive with the same schema and triggers.
  Target at 50k: push ≤ 2× COPY.
- **repeat push** with nothing new, into the full archive. Target at 50k: ≤ 1 s.
- **review**: ``qdplan review --source archive`` (a subprocess: stream, check, fold, count,
  charts, DOCX, xlsx, JSON), against a subprocess that only streams the same rows from the
  archive with psycopg (the same query). Target at 10k: ≤ 3×. Peak memory of the review
  (max RSS of the subprocess). Target at 50k: ≤ 300 MB.

Each figure is one run (the 50k store alone takes minutes to generate); the load average is
printed with the results, since the machine may be shared.

    uv run python bench/bench_archive.py [--sizes 1000 10000 50000] [--review-sizes ...]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdplan_cli.record.archive import Archive, PushResult
    from qdplan_cli.record.signing import LaptopKey

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READ_ROWS = """
import sys, psycopg
conn = psycopg.connect(sys.argv[1])
n = 0
with conn.transaction(), conn.cursor(name="rows") as cur:
    cur.itersize = 5000
    cur.execute(
        "SELECT h.laptop, h.incident_id, h.created_at, h.hall, h.chain_head, e.seq, e.at, "
        "e.recorded_at, e.kind, e.text, e.data, e.prev, e.hash FROM qdplan.current_heads h "
        "JOIN qdplan.events e ON e.laptop = h.laptop AND e.incident_id = h.incident_id "
        "ORDER BY h.laptop, h.incident_id, e.seq"
    )
    for row in cur:
        n += 1
print(n)
"""


def tsv(value: object) -> str:
    text = "\\N" if value is None else str(value)
    if value is None:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# Linux keeps a process's peak RSS across fork and exec: a child forked from this (large)
# process would report this process's size. A small launcher forks the measured command, so
# its peak is the command's own.
LAUNCHER = """
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.buffer.write(proc.stderr)
sys.stdout.buffer.write(f"{proc.returncode} {elapsed} {peak}\\n".encode() + proc.stdout)
"""


def measured(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time (s), peak RSS (MB, of the command alone) and stdout of a command."""
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *argv], env=env, capture_output=True, check=False
    )
    first, _, out = proc.stdout.decode("utf-8", "replace").partition("\n")
    code, elapsed, peak = first.split()
    if int(code) != 0:
        raise SystemExit(f"{argv[:3]} failed: {proc.stderr.decode('utf-8', 'replace')[-2000:]}")
    return float(elapsed), int(peak) / 1024, out


def push_all(archive: Archive, home: Path, key: LaptopKey) -> tuple[float, PushResult]:
    """``qdplan archive push --all``'s path, timed."""
    from qdplan_cli.record.store import Store

    start = time.perf_counter()
    with Store.open(home) as store:
        result = archive.push_store(
            store, store.incident_ids(), laptop="L1", hall="H", key=key, finished_only=True
        )
    return time.perf_counter() - start, result


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--review-sizes", type=int, nargs="*", default=None)
    args = parser.parse_args()
    review_sizes = set(args.sizes if args.review_sizes is None else args.review_sizes)

    import psycopg

    from bench.bench_review import qdplan
    from qdplan_cli.record.archive import Archive
    from qdplan_cli.record.handover import local_chain
    from qdplan_cli.record.signing import generate
    from qdplan_cli.record.store import Store
    from tests.pgserver import server
    from tests.yeargen import generate_year

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    print(f"load average at start: {load()}  ({os.cpu_count()} cores)", flush=True)
    with server() as pg, tempfile.TemporaryDirectory() as folder:
        if isinstance(pg, str):
            raise SystemExit(pg)
        for size in args.sizes:
            home = Path(folder) / f"home{size}"
            started = time.perf_counter()
            with Store.open(home) as store:
                generate_year(store, 2026, size, unresolved=0)
            made = time.perf_counter() - started
            key = generate()
            # The push, as `archive push --all` does it.
            target = pg.new_database()
            url = pg.url(target)
            with Archive.connect(url) as archive:
                archive.init()

                push, result = push_all(archive, home, key)
                assert result.incidents == size and not result.broken, result
                repeat, again = push_all(archive, home, key)
                assert again.unchanged == size and again.events == 0, again
            # COPY of the same rows, prepared beforehand: only the load is timed.
            with Store.open(home) as store:
                chains = [
                    local_chain(store, i, laptop="L1", hall="H") for i in store.incident_ids()
                ]
            from qdplan_cli.record.handover import chain_payload

            def lines(rows: list[tuple[object, ...]]) -> bytes:
                return "".join("\t".join(map(tsv, r)) + "\n" for r in rows).encode("utf-8")

            incidents = lines([("L1", c.incident_id, c.created_at, "H") for c in chains])
            events = lines([("L1", c.incident_id, *r) for c in chains for r in c.rows])
            heads = lines(
                [
                    ("L1", c.incident_id, c.length, c.head, "L1", "H", key.sign(chain_payload(c)))
                    for c in chains
                ]
            )
            rows = sum(c.length for c in chains)
            del chains
            copy_db = pg.new_database()
            with Archive.connect(pg.url(copy_db)) as archive:
                archive.init()
            with psycopg.connect(pg.url(copy_db)) as conn:
                start = time.perf_counter()
                with conn.cursor() as cur:
                    for table, columns, data in (
                        ("incidents", "laptop, incident_id, created_at, hall", incidents),
                        (
                            "events",
                            "laptop, incident_id, seq, at, recorded_at, kind, text, data, "
                            "prev, hash",
                            events,
                        ),
                        (
                            "heads",
                            "laptop, incident_id, chain_length, chain_head, signer, "
                            "signer_hall, signature",
                            heads,
                        ),
                    ):
                        with cur.copy(f"COPY qdplan.{table} ({columns}) FROM STDIN") as copy:
                            stream = io.BytesIO(data)
                            while block := stream.read(1 << 20):
                                copy.write(block)
                conn.commit()
                copied = time.perf_counter() - start
            print(
                f"\n{size} incidents, {rows} events (store generated in {made:.0f} s); "
                f"load {load()}",
                flush=True,
            )
            print(f"  COPY of the same rows         {copied:8.2f} s  (baseline)")
            print(
                f"  archive push                  {push:8.2f} s  ×{push / copied:.2f} of COPY"
                + ("  (target ≤ 2 at 50k)" if size >= 50000 else "")
            )
            print(
                f"  repeat push, nothing new      {repeat:8.2f} s"
                + ("  (target ≤ 1 s at 50k)" if size >= 50000 else ""),
                flush=True,
            )
            if size in review_sizes:
                read_s, read_mb, counted = measured([sys.executable, "-c", READ_ROWS, url], env)
                assert int(counted.strip()) == rows, counted
                out = Path(folder) / f"review{size}"
                run_env = {
                    **env,
                    "QDPLAN_HOME": str(home),
                    "QDPLAN_CONFIG": str(home / "none.toml"),
                    "QDPLAN_ARCHIVE_URL": url,
                }
                argv = [qdplan(), "review", "--year", "2026", "--source", "archive"]
                review_s, review_mb, _ = measured([*argv, "--out", str(out)], run_env)
                print(f"  reading the rows (psycopg)    {read_s:8.2f} s  {read_mb:6.0f} MB")
                print(
                    f"  review from the archive       {review_s:8.2f} s  {review_mb:6.0f} MB  "
                    f"×{review_s / read_s:.2f} of reading"
                    + ("  (target ≤ 3× at 10k)" if size == 10000 else "")
                    + ("  (target ≤ 300 MB at 50k)" if size >= 50000 else ""),
                    flush=True,
                )
            import shutil

            shutil.rmtree(home, ignore_errors=True)
    print(f"\nload average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The calendar's files on this laptop: the cache of what ``holidays`` computed, and the user's
calendar file for years the package only estimates."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from qdplan_cli.local.files import write_atomically
from qdplan_cli.local.paths import cache_dir
from qdplan_cli.local.tomlfile import read_toml
from qdplan_cli.plan.calendar import Schedule, YearSchedule, parse_user_calendar


def _cache_file() -> Path | None:
    """``holidays-cn-<key>.json`` in the cache dir: importing ``holidays`` costs ~150 ms (it loads
    every country), reading what it said last time ~1 ms. The key is a hash of the installed
    package's China module and version file, found without importing the package, so any
    upgrade of ``holidays`` starts a fresh cache."""
    try:
        spec = find_spec("holidays")
        if spec is None or spec.origin is None:
            return None
        package = Path(spec.origin).parent
        digest = hashlib.sha256()
        for part in ("version.py", "countries/china.py"):
            digest.update((package / part).read_bytes())
        return cache_dir() / f"holidays-cn-{digest.hexdigest()[:16]}.json"
    except (OSError, ImportError, ValueError):  # no such files (a frozen build): just compute
        return None


def _read_cache(path: Path) -> Schedule | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Schedule(
            days_off=frozenset(date.fromisoformat(d) for d in data["days_off"]),
            workdays=frozenset(date.fromisoformat(d) for d in data["workdays"]),
            official_years=frozenset(int(y) for y in data["official_years"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(path: Path, schedule: Schedule) -> None:
    data = {
        "days_off": sorted(d.isoformat() for d in schedule.days_off),
        "workdays": sorted(d.isoformat() for d in schedule.workdays),
        "official_years": sorted(schedule.official_years),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(data).encode("utf-8"), private=False)
    except OSError:  # a read-only cache dir only costs speed
        pass


@dataclass
class FileScheduleCache:
    """``ScheduleCache`` in the per-install cache directory (a read-only one only costs speed)."""

    def load(self) -> Schedule | None:
        path = _cache_file()
        return _read_cache(path) if path is not None else None

    def save(self, schedule: Schedule) -> None:
        path = _cache_file()
        if path is not None:
            _write_cache(path, schedule)


def load_user_calendar(path: Path) -> dict[int, YearSchedule]:
    data = read_toml(path, "节假日日历文件")
    assert data is not None
    return parse_user_calendar(data, str(path))

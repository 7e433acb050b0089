"""Clock sanity: a pure check of the machine's clock against what the record already holds.

A power cut — one of the plan's own faults (第四条、第五条：停电) — can flatten the CMOS battery and
set the clock back years. Events recorded then would carry a time before the ones already in
the record: the 经过 would list them first, and ids would stop sorting by creation. So before a
write, ``clock_behind`` compares ``now`` with the last recorded time: a clock that has gone back
is refused (or, in the wizard, confirmed in red) instead of taken silently.

No clock and no I/O here: the caller passes both times (the store's last ``recorded_at``, the
runtime's ``now``). Issue 19's time policy (one parser, the future rule, the not-before-onset
rule) lives beside it; this check is the one about the machine's own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qdplan_cli.plan.times import format_dt_seconds

# A clock stepped back by NTP, or two processes a moment apart: not a clock gone wrong.
TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class ClockBehind:
    """The machine's clock reads earlier than a time the record already holds."""

    now: datetime
    last_recorded: datetime

    @property
    def message(self) -> str:
        return (
            f"本机时钟显示 {format_dt_seconds(self.now)}，早于上一条记录的记录时间 "
            f"{format_dt_seconds(self.last_recorded)}：系统时间可能被回拨"
            "（例如停电后主板电池耗尽），按它记录会让经过的顺序错乱"
        )


def clock_behind(last_recorded: datetime | None, now: datetime) -> ClockBehind | None:
    """The problem when ``now`` is earlier than ``last_recorded`` (beyond ``TOLERANCE``)."""
    if last_recorded is None or now >= last_recorded - TOLERANCE:
        return None
    return ClockBehind(now, last_recorded)


def shown_with_recorded_at(stated: datetime, recorded: datetime) -> bool:
    """Whether the record should show when an entry was recorded beside when it happened: they
    differ by a minute or more (the record shows minutes)."""
    return abs(recorded - stated) >= TOLERANCE

"""One ``Runtime`` per invocation: the moment, the user's settings, the working-day calendar,
business hours, the contacts and the store opener. Commands make one and pass it on; nothing
below them reads the clock or the config on its own.

The clock is ``clock()``, looked up at call time, so a test that replaces it is seen everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdplan_cli.local.config import Config
    from qdplan_cli.local.settings import Settings
    from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar
    from qdplan_cli.plan.model import Decision, Role, Situation
    from qdplan_cli.record.incident import Incident
    from qdplan_cli.record.store import Store


def clock() -> datetime:
    """The one clock of qdplan (Asia/Shanghai, whole seconds). Tests replace it."""
    from qdplan_cli.plan.times import localize

    return localize(datetime.now().astimezone()).replace(microsecond=0)


class Runtime:
    """What one run of a command works with. Everything is read once, on first use."""

    def __init__(self, now: str | None = None, *, calendar_file: Path | None = None) -> None:
        self._now_flag = now
        self._calendar_file = calendar_file

    # ---------------------------------------------------------------- time

    @cached_property
    def now(self) -> datetime:
        """``--now`` when given, else the clock at first use: one moment for the whole run."""
        if self._now_flag is not None:
            from qdplan_cli.plan.times import parse_time

            return parse_time(self._now_flag, "--now", clock())
        return clock()

    @property
    def now_given(self) -> bool:
        """``--now`` was given: the run's "now" is the witness's word, not the clock."""
        return self._now_flag is not None

    def tick(self) -> datetime:
        """The live clock (``--now`` when given): the wizard's moment at each answer."""
        if self._now_flag is not None:
            return self.now
        return clock()

    # ---------------------------------------------------------------- configuration

    @cached_property
    def settings(self) -> Settings:
        from qdplan_cli.local.settings import load_settings

        return load_settings(self._calendar_file)

    @cached_property
    def config(self) -> Config | None:
        """The config file's contents, or ``None`` when there is none."""
        return self.settings.config

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The configured working-day calendar, or the package's schedule (cached on disk)."""
        if self.settings.calendar is not None:
            return self.settings.calendar
        from qdplan_cli.local.calendar_files import FileScheduleCache
        from qdplan_cli.plan.calendar import WorkCalendar

        return WorkCalendar(cache=FileScheduleCache())

    @cached_property
    def hours(self) -> BusinessHours:
        if self.settings.hours is not None:
            return self.settings.hours
        from qdplan_cli.plan.calendar import BusinessHours

        return BusinessHours()

    @property
    def contacts(self) -> Mapping[Role, Sequence[tuple[str, str]]] | None:
        return self.settings.contacts

    # ---------------------------------------------------------------- the plan and the store

    def decide(
        self, situation: Situation, at: datetime | None = None, *, configured: bool = True
    ) -> Decision:
        """The plan's decision with this run's calendar and business hours. ``configured=False``
        skips reading the config (``decide --json`` when no rule needs a calendar)."""
        from qdplan_cli.plan.decide import decide

        moment = self.now if at is None else at
        if not configured:
            return decide(situation, moment)
        return decide(situation, moment, calendar=self.calendar, hours=self.hours)

    def decide_incident(self, incident: Incident) -> Decision:
        """A stored incident's decision now (at its resolution, once resolved)."""
        from qdplan_cli.record.incident import decide_incident

        return decide_incident(incident, self.tick(), calendar=self.calendar, hours=self.hours)

    def open_store(self) -> Store:
        from qdplan_cli.record.store import Store

        store = Store.open()
        store.guard_clock = True  # a command's writes: the clock checked against the record
        return store

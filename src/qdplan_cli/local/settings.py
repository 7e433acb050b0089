"""What the engine and the checklists take from the user's configuration: the working-day
calendar, business hours and the contacts directory."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdplan_cli.local.config import Config
    from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar
    from qdplan_cli.plan.model import Role


class Settings:
    """What the engine and the checklist take from the user's configuration (``None``: the
    defaults — the package's holiday schedule, 09:00–17:00, no names)."""

    def __init__(
        self,
        calendar: "WorkCalendar | None",
        hours: "BusinessHours | None",
        contacts: "Mapping[Role, Sequence[tuple[str, str]]] | None",
        config: "Config | None" = None,
    ) -> None:
        self.config = config
        self.calendar = calendar
        self.hours = hours
        self.contacts = contacts


def _is_file(path: Path) -> bool:
    """Whether a config file is there to read. A folder the user may not enter (another
    account's, a locked-down profile) counts as no file: the config only adds names, numbers
    and hours, and must never stop an incident from being logged."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def load_settings(calendar_file: Path | None = None) -> Settings:
    """Business hours, the holiday calendar and contacts from the config file (when there is
    one) and ``--calendar``. Nothing is imported or read when neither exists."""
    import os

    config = None
    config_file = os.environ.get("QDPLAN_CONFIG")
    if config_file is None or _is_file(Path(config_file)):
        from qdplan_cli.local.config import config_path, load_config_or_none

        path = config_path()
        if _is_file(path):
            config = load_config_or_none(path)
    calendar_file = calendar_file or (config.calendar_file if config else None)
    calendar = hours = None
    if calendar_file is not None or config is not None:
        from qdplan_cli.local.calendar_files import FileScheduleCache, load_user_calendar
        from qdplan_cli.plan.calendar import BusinessHours, WorkCalendar

        years = load_user_calendar(calendar_file) if calendar_file is not None else {}
        calendar = WorkCalendar(years, cache=FileScheduleCache())
        if config is not None:
            hours = BusinessHours(config.business_start, config.business_end)
    contacts = config.contact_map() if config is not None else None
    return Settings(calendar, hours, contacts, config)

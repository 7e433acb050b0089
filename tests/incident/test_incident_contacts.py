"""The wizard's checklist shows the configured people and numbers beside each role."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .conftest import Clock, Keyboard, Result
from .test_incident_wizard import LEAVE, pick, project_file


def test_wizard_checklist_shows_configured_contacts(
    keyboard: Keyboard, clock: Clock, run: Callable[..., Result], tmp_path: Path
) -> None:
    Path(os.environ["QDPLAN_CONFIG"]).write_text(
        '[[contacts.property_staff]]\nname = "赵物业"\nphone = "0532-81110004"\n',
        encoding="utf-8",
    )
    keys = pick(1) + pick(2) + pick(0) + pick(0) + pick(0) + LEAVE  # 开标过程中 · 停电 · 2小时内
    with keyboard.typing(keys):
        result = run("incident", "--project", str(project_file(tmp_path)))
    assert result.code == 0, result.err
    assert "物业楼层服务人员：赵物业 0532-81110004" in result.out
    # … and beside the step that calls them, not only in the block at the bottom.
    assert "对象：物业楼层服务人员：赵物业 0532-81110004" in result.out

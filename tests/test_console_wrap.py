"""Console lines broken where a reader expects (ui.status.wrap): a terminal breaks a long line
anywhere, "…18:" / "38", or starts a line with "；"."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdplan_cli.ui.status import wrap

CHANGE = "已记录：更改 故障发生时间：2026年12月4日（周五）19:08 → 2026年12月4日（周五）18:38"
HINT = (
    "预案：2小时内可以解决的，招标代理机构应在见证人员见证下说明情况，待故障修复后继续；"
    "无法解决的，招标人可以在三种方案中选择一种，并报监管部门备案（2小时节点：2026年12月8日"
    "（周二）11:15）"
)
CALL = "电话：综合交易保障人员 欧阳振华 0532-81110001；司马东方 0532-81110002；诸葛明远 13800000003"
WHOLE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日（周.）(?: ?\d{1,2}:\d{2})?|\d{1,2}:\d{2}|[\d-]{8,}")


def columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


@pytest.mark.parametrize("text", [CHANGE, HINT, CALL])
@pytest.mark.parametrize("width", [36, 44, 52, 60, 66, 72, 79, 80, 100, 119])
def test_dates_times_and_numbers_stay_whole_and_no_line_starts_with_a_closing_mark(
    text: str, width: int
) -> None:
    lines = wrap(text, width)
    assert all(columns(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for piece in WHOLE.findall(text):
        assert any(piece in line for line in lines), (piece, lines)
    assert not any(line[0] in "，。、；：）》”" for line in lines), lines
    assert columns(lines[-1]) > 2, lines  # never one character alone


def test_the_change_of_a_time_breaks_between_the_two_times() -> None:
    assert wrap(CHANGE, 80) == [
        "已记录：更改 故障发生时间：2026年12月4日（周五）19:08 →",
        "2026年12月4日（周五）18:38",
    ]


def test_a_line_that_fits_is_left_as_it_is() -> None:
    assert wrap("已记录：故障已排除", 20) == ["已记录：故障已排除"]
    assert wrap(" " * 300, 20) == []


def test_a_window_narrower_than_one_character_still_ends() -> None:
    """A wide character in a 1-column window goes on a line of its own (it used to loop)."""
    assert wrap("中文字", 1) == ["中", "文", "字"]


@given(
    st.text(
        st.sampled_from(list("故障排除时间已记录，。；：（）") + list("0123456789:- →周年月日")),
        min_size=1,
        max_size=200,
    ),
    st.integers(10, 120),
)
def test_any_text_keeps_its_characters_and_the_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(columns(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")

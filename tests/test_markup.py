"""The template markup: structure from template lines, user text always literal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdplan_cli.documents.markup import LINE_BREAK, MarkupError, block_texts, escape_value, parse


def test_lines_become_blocks() -> None:
    blocks = parse(
        "# 标题一\n# 标题二\n\n> 各潜在投标人：\n正文。\n## 一、事项\n### （一）细目\n"
        "@noindent 顶格\n@blank\n@pagebreak\n@sign 招标人：某某\n@date 2026年12月3日\n"
        "@cols 30 126\n| 甲 | 乙 |\n|---|---|\n| 1 |  |\n",
        "t",
    )
    kinds = [b.kind for b in blocks]
    assert kinds == [
        "title",
        "title",
        "addressee",
        "body",
        "heading1",
        "heading2",
        "noindent",
        "blank",
        "sign",
        "date",
        "table",
    ]
    assert blocks[8].page_break_before and not blocks[7].page_break_before
    table = blocks[-1]
    assert table.rows == [["甲", "乙"], ["1", ""]]
    assert table.header_rows == 1 and table.widths_mm == (30.0, 126.0)


def test_keep_groups_hold_together_until_endkeep() -> None:
    blocks = parse("前\n@keep\n甲\n乙\n丙\n@endkeep\n后\n", "t")
    assert [b.keep_with_next for b in blocks] == [False, True, True, False, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@nonsense 文字\n", "未知指令 @nonsense"),
        ("| a | b |\n| c |\n", "表格行有 1 列"),
        ("|---|\n", "表头分隔行前没有表格行"),
        ("@cols 三十 一百\n", "@cols"),
    ],
)
def test_bad_markup_names_the_line(text: str, message: str) -> None:
    with pytest.raises(MarkupError, match=message) as info:
        parse(text, "my.txt.j2")
    assert "my.txt.j2" in str(info.value)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_any_inserted_value_comes_back_literally(value: str) -> None:
    """Whatever a user types — markup characters, line breaks, the escape character itself —
    is one paragraph's text after parsing, never structure."""
    blocks = parse(
        "正文：" + escape_value(value) + "。\n| 单元格 | " + escape_value(value) + " |\n", "t"
    )
    assert [b.kind for b in blocks] == ["body", "table"]
    expected = value.replace("\r\n", "\n")
    for boundary in "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        expected = expected.replace(boundary, LINE_BREAK)
    assert blocks[0].text == "正文：" + expected + "。"
    assert blocks[1].rows[0][1] == expected.strip(" \t")
    assert block_texts(blocks)[0] == blocks[0].text

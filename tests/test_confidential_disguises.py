"""Property (issue 24): a confidential name in disguise never reaches a public notice.

The disguises (point 3 of the issue), each typed into one field the delay notice prints:
blank-looking characters between the letters (Hangul fillers, the Braille blank, other
Default_Ignorable characters), a bidi override that stores the name backwards so the page shows
it forwards, traditional or variant characters for a listed simplified name (and the reverse),
another middle dot or none in a name with a separator, and look-alike letters from other
scripts. The notice is rendered through the real path and read back with python-docx.

The oracle is what a reader sees, built here and not from ``documents.names``: the typed text
with the characters that print blank removed (the bidi case: the name as displayed). A leak is a
render that succeeds while the notice shows it; a refusal must not show it either.

Examples: the CI profile runs all 10,000 (``QDPLAN_TEST_PROFILE=ci``, set by ``.ci/run``), the
everyday run 150 (tests/conftest.py, ``examples``)."""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile
from datetime import datetime
from functools import cache
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qdplan_cli.plan.errors import UserError

from .conftest import examples
from .renderkit import load_toml

NOW = datetime.fromisoformat("2026-12-16T10:00+08:00")
CARRIERS = ["name", "tenderer", "venue", "contact", "agency", "number", "phone"]
# Characters that print as nothing or blank (the oracle removes them): Hangul fillers, the
# Braille blank, and Default_Ignorable code points of several blocks.
BLANKS = [
    "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f", "\u17b4", "\u17b5", "\u180e",
    "\u200b", "\u2060", "\u2061", "\u2064", "\ufe00", "\ufe0f", "\U000e0001", "\U000e0041",
    "\U0001d173", "\u00ad", "\u3000", "\u00a0", "\u2009", "\u1680",
]  # fmt: skip
DOTS = ["·", "・", "‧", "•", "∙", "⋅", "･", "᛫", "⸱", "", ".", "．", "-"]
BIDI = ["\u202e", "\u2067", "\u202b"]
REFUSAL_WORDS = (
    "延迟开标公告（delay_notice）是公开文书，不能含有保密名单 confidential.bidders 第 项（），"
    "它来自 、模板 在文档属性（标题、作者）中。请改写后重试；未生成任何文件 错误："
    "改变文字方向的控制字符（U+：能让页面上显示的文字与实际内容不同）请删去后重试"
    + " ".join(f"project.{k}" for k in CARRIERS)
)


def seen(text: str) -> str:
    """What a reader sees: NFKC, case-folded, blank-printing characters removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        c
        for c in folded
        if c not in BLANKS and unicodedata.category(c)[0] in "LNPS" and c != "\u2800"
    )


@cache
def opencc() -> Any:
    from opencc_purepy import OpenCC

    return OpenCC("s2t")


@cache
def convertible() -> list[str]:
    """Simplified characters with a different traditional form (OpenCC's table)."""
    table = opencc().dictionary.st_characters[0]
    return sorted(k for k, v in table.items() if len(k) == 1 and v.split(" ")[0] != k)


@cache
def look_alikes() -> dict[str, list[str]]:
    """For each lower-case letter and digit, the characters of other scripts Unicode lists as
    confusable with it (UTS #39 data, inverted), caseless or lower case themselves."""
    from homoglyph.data import load_prototypes

    by_prototype: dict[str, list[str]] = {}
    for code, prototype in load_prototypes().items():
        c = chr(code)
        if len(prototype) == 1 and c.casefold() == c and unicodedata.category(c)[0] == "L":
            by_prototype.setdefault(prototype, []).append(c)
    base = "abcdefghijkmnopqrstuvwxyz"
    return {c: by_prototype[c] for c in base if by_prototype.get(c)}


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str, str]:
    """``(kind, listed name, typed text)``."""
    kind = draw(st.sampled_from(["blank", "bidi", "traditional", "dots", "look-alike"]))
    cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
    if kind == "blank":
        name = draw(st.text(cjk, min_size=2, max_size=5))
        out = []
        for i, c in enumerate(name):
            out.append(c)
            if i < len(name) - 1:
                out.extend(draw(st.lists(st.sampled_from(BLANKS), min_size=1, max_size=2)))
        return kind, name, "".join(out)
    if kind == "bidi":
        name = draw(st.text(cjk, min_size=2, max_size=5))
        return kind, name, draw(st.sampled_from(BIDI)) + name[::-1] + "\u202c"
    if kind == "traditional":
        name = "".join(draw(st.lists(st.sampled_from(convertible()), min_size=2, max_size=4)))
        traditional = opencc().st(name)
        if draw(st.booleans()):
            return kind, name, traditional  # listed simplified, typed traditional
        return kind, traditional, name  # and the reverse
    if kind == "dots":
        first = draw(st.text(cjk, min_size=2, max_size=4))
        last = draw(st.text(cjk, min_size=2, max_size=4))
        listed = first + draw(st.sampled_from(DOTS)) + last
        return kind, listed, first + draw(st.sampled_from(DOTS)) + last
    table = look_alikes()
    name = draw(st.text(st.sampled_from(sorted(table)), min_size=4, max_size=10))
    rng = random.Random(draw(st.integers(0, 2**32)))
    typed = "".join(rng.choice(table[c]) if rng.random() < 0.6 else c for c in name)
    assume(typed != name)
    return kind, name, typed


def reader_texts(data: bytes) -> list[str]:
    """The notice as python-docx reads it: paragraphs, cells, properties."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    core = document.core_properties
    lines.extend([core.title or "", core.author or "", core.last_modified_by or ""])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        lines.append(package.read("docProps/app.xml").decode("utf-8", "replace"))
    return lines


_shared: dict[str, Any] = {}


def render_notice(data: dict[str, Any]) -> bytes:
    from qdplan_cli.documents.contexts import render_documents
    from qdplan_cli.documents.templating import Templates
    from qdplan_cli.plan.decide import decide
    from qdplan_cli.record.casefile import parse_case

    if "templates" not in _shared:
        _shared["templates"] = Templates()
    case = parse_case(data)
    (notice,) = render_documents(
        case,
        decide(case.situation, NOW),
        NOW,
        templates=_shared["templates"],
        only=["delay_notice"],
    )
    return notice.data


@settings(
    max_examples=examples(10_000, dev=150),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(disguise=disguised(), carrier=st.sampled_from(CARRIERS))
def test_a_name_in_any_disguise_never_reaches_the_public_notice(
    disguise: tuple[str, str, str], carrier: str
) -> None:
    kind, listed, typed = disguise
    shown = seen(typed[::-1] if kind == "bidi" else typed)  # the bidi case: as displayed
    if "baseline" not in _shared:
        _shared["baseline"] = seen("".join(reader_texts(render_notice(load_toml(
            "prep-power-delay.toml")))))  # fmt: skip
    assume(len(shown) >= 2 and shown not in _shared["baseline"])
    assume(shown not in seen(REFUSAL_WORDS))
    base = load_toml("prep-power-delay.toml")
    base["project"]["contact"] = "王工"
    base["project"]["phone"] = "0532-80000000"
    base["project"][carrier] = f"{base['project'][carrier]}（{typed}）"
    base["confidential"] = {"bidders": [listed]}
    try:
        notice = render_notice(base)
    except UserError as refused:
        assert shown not in seen(str(refused)), "the refusal shows the name"
        return
    lines = reader_texts(notice)
    assert shown not in seen("".join(lines)), f"leak ({kind}): {typed!r} in {carrier} / {listed!r}"
    if kind == "bidi":
        assert not any(c in line for c in BIDI for line in lines), "a bidi override was written"


def render_with(template: str, tmp: Any, data: dict[str, Any]) -> bytes:
    from qdplan_cli.documents.contexts import render_documents
    from qdplan_cli.documents.templating import Templates
    from qdplan_cli.plan.decide import decide
    from qdplan_cli.record.casefile import parse_case

    mine = tmp / "templates"
    mine.mkdir(exist_ok=True)
    (mine / "delay_notice.txt.j2").write_text(template, encoding="utf-8")
    case = parse_case(data)
    (notice,) = render_documents(
        case, decide(case.situation, NOW), NOW, templates=Templates(mine), only=["delay_notice"]
    )
    return notice.data


HOSTILE_SPLITS = {
    "paragraphs": "# 延迟开标公告\n\n{% for c in project.tenderer %}{{ c }}\n\n{% endfor %}",
    "cells": "# 延迟开标公告\n\n| 单位 |\n{% for c in project.tenderer %}| {{ c }} |\n{% endfor %}",
}


@pytest.mark.parametrize("split", sorted(HOSTILE_SPLITS))
def test_a_template_that_splits_a_name_over_paragraphs_or_cells_is_refused(
    split: str, tmp_path: Any
) -> None:
    data = load_toml("prep-power-delay.toml")
    data["project"]["tenderer"] = "蓝海建工"
    data["confidential"] = {"bidders": ["蓝海建工"]}
    with pytest.raises(UserError) as refused:
        render_with(HOSTILE_SPLITS[split], tmp_path, data)
    assert "保密名单 confidential.bidders 第 1 项" in str(refused.value)
    assert "蓝海建工" not in str(refused.value)


def test_a_bidi_override_in_a_public_notice_is_refused_naming_the_field() -> None:
    data = load_toml("prep-power-delay.toml")
    # A field the 更正公告 prints (an unchanged venue is not repeated there).
    data["project"]["tenderer_address"] = "青岛市市北区某某路\u202e3210-08\u202c号"
    with pytest.raises(UserError) as refused:
        render_notice(data)
    assert "改变文字方向的控制字符" in str(refused.value) and "U+202E" in str(refused.value)
    assert refused.value.field == "project.tenderer_address"

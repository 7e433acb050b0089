"""Property: a confidential name disguised by control characters, zero-width characters,
decomposed Unicode (NFD), full-width letters or extra spacing never reaches a public notice.

Each example types a bidder's name, disguised, into one field the delay notice prints (or
disguises the name on the ``[confidential]`` list instead), renders the public notice through
the real path (case parsing, the engine, the template, the DOCX writer) and reads the DOCX back
with python-docx. A leak is a render that succeeds while a reader sees the name: the oracle
keeps only what a reader can see (letters, digits, punctuation and symbols, after NFKC) and is
written independently of ``contexts.fold_name``. A refusal must not show the name either.

The default run keeps a small profile; ``QDPLAN_LEAK_EXAMPLES=10000`` is the full property
(run once for issue 15: see CHANGELOG)."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from datetime import datetime
from typing import Any

import docx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qdplan_cli.plan.errors import UserError

from .conftest import examples
from .renderkit import load_toml

EXAMPLES = int(os.environ.get("QDPLAN_LEAK_EXAMPLES", "0")) or examples(150)
NOW = datetime.fromisoformat("2026-12-16T10:00+08:00")

CONTROL = [chr(c) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85)]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202a"]
SPACES = [" ", "\u3000", "\u00a0", "\u2009", "\t", "  "]
# Letters with decompositions (NFD differs from NFC), CJK, Latin, Hangul.
LETTERS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
    st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
    st.sampled_from(list("éèüöçñåøÉÜÇÑ")),
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
)
NAMES = st.text(LETTERS, min_size=3, max_size=12)
CARRIERS = ["name", "tenderer", "venue", "contact", "agency", "number", "phone"]
# The fixed words of a refusal (contexts.check_confidential) and every field it may name.
REFUSAL_WORDS = (
    "延迟开标公告（delay_notice）是公开文书，不能含有保密名单 confidential.bidders 第 项（），"
    "它来自 、模板 在文档属性（标题、作者）中。请改写后重试；未生成任何文件 错误："
    + " ".join(f"project.{k}" for k in CARRIERS)
    + " incident.id incident.cause incident.course incident.measures incident.new_venue"
    " timeline[].text"
)


def full_width(c: str) -> str:
    return chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c


@st.composite
def disguise(draw: st.DrawFn, name: str) -> str:
    """The name as it might be typed: characters inserted, letters widened, NFD, spacing."""
    chars = list(name)
    if draw(st.booleans()):
        chars = [full_width(c) if draw(st.booleans()) else c for c in chars]
    out: list[str] = []
    for c in chars:
        out.append(c)
        if draw(st.integers(0, 3)) == 0:
            pool = draw(st.sampled_from([CONTROL, ZERO_WIDTH, SPACES]))
            out.append(draw(st.sampled_from(pool)))
    text = "".join(out)
    form = draw(st.sampled_from(["NFC", "NFD", "NFKD", "none"]))
    if form != "none":
        text = unicodedata.normalize(form, text)
    if text.strip() != text:
        text = text.strip() or name
    return text


def seen(text: str) -> str:
    """What a reader sees, for the oracle: NFKC, only letters, digits, punctuation, symbols."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text)).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LNPS")


def reader_texts(data: bytes) -> str:
    """The notice as python-docx reads it, and its document properties."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    core = document.core_properties
    lines.extend([core.title or "", core.author or "", core.last_modified_by or ""])
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        app = package.read("docProps/app.xml").decode("utf-8", "replace")
    lines.append(app)
    return "\n".join(seen(line) for line in lines)


_shared: dict[str, Any] = {}


def render_notice(data: dict[str, Any]) -> bytes:
    from qdplan_cli.documents.contexts import render_documents
    from qdplan_cli.documents.templating import Templates
    from qdplan_cli.plan.decide import decide
    from qdplan_cli.record.casefile import parse_case

    if "templates" not in _shared:
        _shared["templates"] = Templates()
    case = parse_case(data)
    decision = decide(case.situation, NOW)
    (notice,) = render_documents(
        case, decision, NOW, templates=_shared["templates"], only=["delay_notice"]
    )
    return notice.data


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    name=NAMES,
    carrier=st.sampled_from(CARRIERS),
    where=st.sampled_from(["field", "list", "both"]),
    data=st.data(),
)
def test_a_disguised_name_never_reaches_the_public_notice(
    name: str, carrier: str, where: str, data: st.DataObject
) -> None:
    base = load_toml("prep-power-delay.toml")
    base["project"]["contact"] = "王工"
    base["project"]["phone"] = "0532-80000000"
    if "baseline" not in _shared:
        _shared["baseline"] = reader_texts(render_notice(load_toml("prep-power-delay.toml")))
    assume(len(seen(name)) >= 2 and seen(name) not in _shared["baseline"])
    # A name that is part of the refusal's own wording ("开标公" in 延迟开标公告, "roj" in
    # project.name) cannot be told from a leak there.
    assume(seen(name) not in seen(REFUSAL_WORDS))
    typed = data.draw(disguise(name), "typed") if where in ("field", "both") else name
    listed = data.draw(disguise(name), "listed") if where in ("list", "both") else name
    assume(seen(listed))
    base["project"][carrier] = f"{base['project'][carrier]}（{typed}）"
    base["confidential"] = {"bidders": [listed]}
    try:
        notice = render_notice(base)
    except UserError as refused:
        assert seen(name) not in seen(str(refused)), "the refusal shows the name"
        return
    assert seen(name) not in reader_texts(notice), f"leak: {typed!r} ({carrier}) / {listed!r}"

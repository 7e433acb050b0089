"""The tiny line-based markup that document templates produce, parsed into blocks.

Templates hold wording and structure; the DOCX writer turns these blocks into the GB/T 9704
layout. One line is one block:

```
# 标题                 title (consecutive ``#`` lines form one title: its lines are chosen
                        together, preferring a break where one ``#`` line ends)
## 一、标题             first-level heading (黑体)
### （一）标题          second-level heading (楷体)
> 各潜在投标人：         addressee (主送), flush left
正文                    body paragraph, first line indented two characters
@noindent 文字          flush-left paragraph
@center 文字 / @right 文字
@blank                  one empty line
@pagebreak              the next block starts a new page
@keep … @endkeep        the blocks between stay on one page
@onepage                the document fits one page: the writer tightens the line spacing
                        rather than spill (GB/T 9704 7.3.5), down to a limit
@sign 文字              issuer (署名), centred over the date that follows
@date 2026年12月3日     date (成文日期), four characters in from the right
@cols 38 118            column widths in mm of the next table
@rowheight 15           rows of the next table (header excepted) at least this many mm high
                        (signature and seal rows)
@compact                the next table in small type (五号), for one-page cards and forms
@small 文字             flush-left paragraph in small type (五号); ``@smallhead 文字`` 黑体
@image 名称 150 70      a picture (PNG handed to the writer under that name), width × height mm,
                        centred on a line of its own
| 单元格 | 单元格 |      table row; a row of dashes (|---|---|) makes the row above a header
```
Blank lines are ignored (Jinja control lines leave them behind). Text inserted with ``{{ }}``
is escaped first (``escape_value``), so a user's ``|``, ``#``, ``@`` or line break never turns
into markup: it comes out literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from qdplan_cli.plan.errors import UserError

# Escapes for inserted values: a private-use character followed by a code letter.
_ESC = "\ue000"
_ESCAPES = {_ESC: "0", "\n": "n", "|": "p", "#": "h", "@": "a", ">": "g"}
_UNESCAPES = {code: char for char, code in _ESCAPES.items()}
_ESCAPE_RE = re.compile("|".join(re.escape(c) for c in _ESCAPES))
_UNESCAPE_RE = re.compile(re.escape(_ESC) + "(.)", re.DOTALL)
# Everything str.splitlines() would split on becomes one line break inside the value.
_LINE_BOUNDARIES_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

# A line break inside a value stays this character until the writer turns it into <w:br/>.
LINE_BREAK = "\n"

Kind = Literal[
    "title",
    "heading1",
    "heading2",
    "addressee",
    "body",
    "noindent",
    "center",
    "right",
    "blank",
    "sign",
    "date",
    "table",
    "small",
    "smallhead",
    "image",
    "onepage",
]


def escape_value(text: str) -> str:
    """Make inserted user text inert: markup characters are hidden until ``unescape``."""
    text = _LINE_BOUNDARIES_RE.sub("\n", text)
    return _ESCAPE_RE.sub(lambda m: _ESC + _ESCAPES[m.group(0)], text)


def unescape(text: str) -> str:
    """Give back the literal user text (a line break stays ``LINE_BREAK``)."""
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)


@dataclass
class Block:
    kind: Kind
    text: str = ""
    page_break_before: bool = False
    keep_with_next: bool = False
    # tables only
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 0
    widths_mm: tuple[float, ...] = ()
    compact: bool = False
    row_height_mm: float = 0
    # titles only: the ``#`` lines a title was written in (its phrase boundaries)
    parts: tuple[str, ...] = ()


_PREFIXES: tuple[tuple[str, Kind], ...] = (
    ("### ", "heading2"),
    ("## ", "heading1"),
    ("# ", "title"),
    ("> ", "addressee"),
)
_DIRECTIVES: dict[str, Kind] = {
    "noindent": "noindent",
    "center": "center",
    "right": "right",
    "sign": "sign",
    "date": "date",
    "small": "small",
    "smallhead": "smallhead",
}
_SEPARATOR_RE = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")


class MarkupError(UserError):
    """A template produced a line the writer does not understand."""


def _cells(line: str) -> list[str]:
    inner = line.strip(" \t")[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    # Only ASCII spaces are trimmed: full-width ones (　　年　　月　　日) are part of the text.
    return [unescape(c.strip(" \t")) for c in inner.split("|")]


def parse(text: str, source: str) -> list[Block]:
    """Parse rendered template text into blocks. ``source`` names the template in errors."""
    blocks: list[Block] = []
    pending_break = False
    pending_widths: tuple[float, ...] = ()
    pending_compact = False
    pending_height = 0.0
    keep_open = False
    table: Block | None = None

    def add(block: Block) -> None:
        nonlocal pending_break
        if pending_break:
            block.page_break_before = True
            pending_break = False
        if keep_open:
            block.keep_with_next = True
        blocks.append(block)

    for number, raw in enumerate(text.splitlines(), start=1):
        # Only ASCII whitespace is trimmed: full-width spaces (　　年　　月　　日) are text.
        line = raw.strip(" \t\r\n")
        where = f"模板 {source} 的输出第 {number} 行"
        if line.startswith("|"):
            if _SEPARATOR_RE.match(line):
                if table is None or not table.rows:
                    raise MarkupError(f"{where}：表头分隔行前没有表格行")
                table.header_rows = len(table.rows)
                continue
            cells = _cells(line)
            if table is None:
                table = Block(
                    "table",
                    widths_mm=pending_widths,
                    compact=pending_compact,
                    row_height_mm=pending_height,
                )
                pending_widths = ()
                pending_compact = False
                pending_height = 0.0
                add(table)
            elif len(cells) != len(table.rows[0]):
                raise MarkupError(
                    f"{where}：表格行有 {len(cells)} 列，而表格第一行有 {len(table.rows[0])} 列"
                )
            table.rows.append(cells)
            continue
        table = None
        if not line:
            continue
        if line.startswith("@"):
            name, _, rest = line[1:].partition(" ")
            rest = rest.strip(" \t")
            if name == "blank":
                add(Block("blank"))
            elif name == "pagebreak":
                pending_break = True
            elif name == "onepage":
                blocks.append(Block("onepage"))
            elif name == "keep":
                keep_open = True
            elif name == "endkeep":
                keep_open = False
                if blocks:
                    blocks[-1].keep_with_next = False
            elif name == "compact":
                pending_compact = True
            elif name == "rowheight":
                try:
                    pending_height = float(rest)
                except ValueError:
                    raise MarkupError(
                        f"{where}：@rowheight 后应为以毫米计的行高，如 @rowheight 15"
                    ) from None
            elif name == "cols":
                try:
                    pending_widths = tuple(float(w) for w in rest.split())
                except ValueError:
                    raise MarkupError(
                        f"{where}：@cols 后应为以毫米计的列宽，如 @cols 38 118"
                    ) from None
            elif name == "image":
                parts = rest.split()
                try:
                    size = (float(parts[1]), float(parts[2]))
                except (IndexError, ValueError):
                    raise MarkupError(
                        f"{where}：@image 后应为图片名称和以毫米计的宽、高，如 @image 图1 150 70"
                    ) from None
                add(Block("image", parts[0], widths_mm=size))
            elif name in _DIRECTIVES:
                add(Block(_DIRECTIVES[name], unescape(rest)))
            else:
                known = "、".join(
                    [
                        "@blank",
                        "@pagebreak",
                        "@onepage",
                        "@keep",
                        "@endkeep",
                        "@cols",
                        "@rowheight",
                        "@compact",
                        "@image",
                    ]
                    + [f"@{d}" for d in _DIRECTIVES]
                )
                raise MarkupError(f"{where}：未知指令 @{name}（可用：{known}）")
            continue
        for prefix, kind in _PREFIXES:
            if line.startswith(prefix):
                add(Block(kind, unescape(line[len(prefix) :].strip())))
                break
        else:
            add(Block("body", unescape(line)))
    if keep_open and blocks:
        blocks[-1].keep_with_next = False
    return blocks


def block_texts(blocks: list[Block]) -> list[str]:
    """Every piece of text the blocks will put in the document (paragraphs and table cells)."""
    texts: list[str] = []
    for block in blocks:
        if block.kind == "table":
            texts.extend(cell for row in block.rows for cell in row)
        elif block.text and block.kind not in ("image", "onepage"):
            texts.append(block.text)
    return texts

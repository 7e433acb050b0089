"""Where a line of a document may break: titles at phrase boundaries, words kept whole.

GB/T 9704-2012 7.3.1: a title of more than one line is broken 词意完整、排列对称, in a trapezoid
(上长下短) or a diamond. A word processor breaks Chinese between any two characters ("…施工延/期
开标的补充公告", "…加速器采/购项目…"), so the writer decides the title's lines itself:

- the title is cut into tokens: runs of Latin letters and digits (project numbers such as
  ``QDJS-2026-0733``), bracketed parts (``（项目编号：…）``, ``《…》``), and words from a small
  lexicon of the words titles of tender notices are made of (longest match first); any other
  character is a token of its own;
- a break is allowed only between tokens, and costs less at a phrase boundary: after 关于, before
  the document's own name (延迟开标的公告, 补充公告, 更正公告, 开标情况说明 …), after a word that
  ends a phrase (工程, 施工, 项目, 采购, 公司, 新区 …); a break between two unknown characters costs
  much more (it may be inside a word) and one inside a token is never made;
- of the breaks that fit every line, the cheapest is chosen among the shapes GB/T 9704 allows
  (each line no longer than the one above, or a diamond).

Body text keeps its identifiers whole by layout, never by hidden characters (a project number
copied from the document, or searched for, is exactly what was typed): ``keep_identifiers``
follows a paragraph's lines as a word processor fills them and, where a project number, a
telephone number or an 事件编号 would straddle a line end (LibreOffice breaks "QDJS-/2026-0733"
after a hyphen, Word too), moves the break before it with a line break of the paragraph's own.
Two measures are followed, the narrow one of 仿宋's half-width Latin (Word, WPS) and a wide one
of proportional Latin with the space LibreOffice adds between Chinese and Latin: the
identifier moves unless both measures put it whole on one line.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words titles are made of, kept whole. Longer words first is not needed: matching is longest
# first by construction.
_LEXICON = _words(
    """
关于 延迟开标 延期开标 推迟开标 暂停开标 择期开标 择期评标 择期评审 重新开标 开标 评标 评审
开标情况说明 情况说明 补充公告 更正公告 澄清公告 变更公告 公告 通知 决定 说明 方案 备案表
书面记录 承诺书 计算表 劳务费 保密 封闭 区域 开评标 突发情况 应急处置
项目 工程 施工 监理 设计 勘察 采购 服务 改造 建设 维修 修缮 提升 整治 治理 安装 购置 租赁
设备 系统 平台 软件 硬件 信息化 智慧 智能 校园 社区 小区 老旧小区 道路 管网 排水 供水 供热
绿化 景观 照明 市政 公路 桥梁 隧道 河道 清淤 水利 房屋 住宅 办公 办公设备 医疗 医疗设备
卫生 卫生服务 服务中心 中心 医院 学校 大学 中学 小学 幼儿园 学院 图书馆 体育馆 加速器 实验室
标段 标包 包件 一期 二期 三期 年度 物资 材料 食材 车辆 家具 空调 电梯 消防 安防 监控 视频
公司 有限公司 股份有限公司 集团 局 委员会 管理局 办公室 街道办事处 人民政府 政府
青岛 青岛市 山东 山东省 西海岸 西海岸新区 新区 市南区 市北区 李沧区 崂山区 城阳区 黄岛区
即墨区 胶州市 平度市 莱西市 高新区 城市 城市建设 建设局 住房和城乡建设局 财政局 教育局
教育和体育局 公共资源 交易中心 公共资源交易中心 电子交易系统 及 和 与 的 之 等
"""
)
_MAX_WORD = max(len(w) for w in _LEXICON)
# After these a line may end cheaply (a phrase is complete).
_PHRASE_ENDS = _words(
    """
关于 工程 施工 监理 设计 勘察 采购 服务 改造 建设 维修 修缮 提升 整治 治理 安装 购置 租赁
项目 设备 系统 平台 软件 中心 医院 学校 大学 学院 实验室 标段 标包 一期 二期 三期 公司
有限公司 股份有限公司 集团 局 委员会 管理局 新区 西海岸新区 市南区 市北区 李沧区 崂山区
城阳区 黄岛区 即墨区 胶州市 平度市 莱西市 高新区 青岛市 山东省 政府 人民政府 办公室 的
"""
)
# A line may start cheaply with these (the document's own name begins).
_PHRASE_STARTS = _words(
    """
延迟开标 延期开标 推迟开标 暂停开标 择期开标 择期评标 择期评审 重新开标 开标情况说明
补充公告 更正公告 澄清公告 变更公告 及 和 与
"""
)
_OPENING = "（(《“‘【〔["
_CLOSING = "）)》”’】〕]"
_BRACKETS = dict(zip(_OPENING, _CLOSING, strict=True))
_LATIN_RE = re.compile(r"[A-Za-z0-9０-９Ａ-Ｚａ-ｚ][A-Za-z0-9０-９Ａ-Ｚａ-ｚ\-‐‑/._·]*")
# Never a line start / end (GB/T 15834 punctuation: 句末点号不出现在行首).
_NO_LINE_START = set("，。、；：？！）》”’】〕…—·") | set(_CLOSING)

NEVER = 10_000


def width(text: str) -> float:
    """Width in characters of the text's own size: CJK and full-width 1, the rest half."""
    return sum(
        1.0 if unicodedata.east_asian_width(c) in "WFA" and not c.isascii() else 0.5 for c in text
    )


@dataclass(frozen=True)
class Token:
    text: str
    word: bool  # a lexicon word, a Latin run or a bracketed part: never broken inside


def tokens(text: str, *, brackets: bool = True) -> list[Token]:
    result: list[Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        latin = _LATIN_RE.match(text, i)
        if latin:
            result.append(Token(latin.group(0), True))
            i = latin.end()
            continue
        if brackets and c in _BRACKETS:
            end = text.find(_BRACKETS[c], i + 1)
            if end != -1 and width(text[i : end + 1]) <= 16:
                result.append(Token(text[i : end + 1], True))
                i = end + 1
                continue
        for size in range(min(_MAX_WORD, len(text) - i), 1, -1):
            if text[i : i + size] in _LEXICON:
                result.append(Token(text[i : i + size], True))
                i += size
                break
        else:
            result.append(Token(c, c in _LEXICON))
            i += 1
    return result


def break_cost(before: Token, after: Token) -> int:
    """The cost of ending a line after ``before`` and starting the next with ``after``."""
    if after.text[0] in _NO_LINE_START or before.text[-1] in _OPENING:
        return NEVER
    if after.text in _PHRASE_STARTS:
        return 0
    if after.text[0] in _OPENING:
        return 3  # before a bracketed part
    if after.text == "的":
        return 60  # 的 ends the phrase before it: never at a line start
    if before.text in _PHRASE_ENDS:
        return 2 if len(before.text) > 1 or before.text == "的" else 6
    if before.word or after.word:
        return 8
    return 40  # between two characters the lexicon does not know: maybe inside a word


def _shape_ok(widths: Sequence[float]) -> bool:
    """上长下短 (each line no longer than the one above), or a diamond (a longer middle)."""
    if all(a >= b for a, b in itertools.pairwise(widths)):
        return True
    if len(widths) >= 3:
        top = max(range(len(widths)), key=lambda k: widths[k])
        return all(a <= b for a, b in itertools.pairwise(widths[: top + 1])) and all(
            a >= b for a, b in itertools.pairwise(widths[top:])
        )
    return False


def break_lines(text: str, max_width: float, *, max_lines: int = 4) -> list[str]:
    """The lines of a title of at most ``max_width`` characters each (GB/T 9704 7.3.1)."""
    if width(text) <= max_width:
        return [text]
    lines = _break(tokens(text), max_width, max_lines)
    if lines is None:  # a bracketed part wider than a line: break inside it, between words
        lines = _break(tokens(text, brackets=False), max_width, max_lines)
    return lines if lines is not None else [text]


def _break(toks: list[Token], max_width: float, max_lines: int) -> list[str] | None:
    ends = list(itertools.accumulate(width(t.text) for t in toks))
    total = ends[-1]
    costs = [break_cost(toks[k], toks[k + 1]) for k in range(len(toks) - 1)]
    best: tuple[float, tuple[int, ...]] | None = None
    minimum = int(-(-total // max_width))
    for count in range(minimum, max_lines + 1):
        for cut in itertools.combinations(range(len(toks) - 1), count - 1):
            bounds = [0.0, *(ends[k] for k in cut), total]
            widths = [b - a for a, b in itertools.pairwise(bounds)]
            if max(widths) > max_width:
                continue
            shape = 0 if _shape_ok(widths) else 25
            short = sum(8 for w in widths if w < 3)  # a stranded 公告
            score: float = sum(costs[k] for k in cut) * 10 + shape * 10 + short * 10
            score += (count - minimum) * 30 + (max(widths) - min(widths)) * 0.5
            if best is None or score < best[0]:
                best = (score, cut)
        if best is not None and best[0] < NEVER:
            break
    if best is None:  # a single token wider than a line: let the word processor wrap it
        return None
    lines, start = [], 0
    for k in (*best[1], len(toks) - 1):
        lines.append("".join(t.text for t in toks[start : k + 1]))
        start = k + 1
    return lines


# What body text must never split at a line end: Latin runs joined at hyphens and slashes
# (QDJS-2026-0733, 0532-8000 0000, 20261208-0915-1).
IDENTIFIER_RE = re.compile(r"[A-Za-z0-9]+(?:[-‐/][A-Za-z0-9]+)+")
_LATIN_WORD_RE = re.compile(r"[A-Za-z0-9]+")
# The wide measure: proportional Latin and LibreOffice's space between Chinese and Latin.
_WIDE_UPPER = 0.68
_WIDE_OTHER = 0.58
_WIDE_GAP = 0.25
_MARGIN = 0.5  # of a character: what neither measure can promise


def _wide(text: str) -> float:
    return sum(
        1.0
        if not c.isascii() and unicodedata.east_asian_width(c) in "WFA"
        else _WIDE_UPPER
        if c.isupper()
        else _WIDE_OTHER
        for c in text
    )


def _units(text: str) -> list[tuple[str, bool]]:
    """(piece, is_identifier): an identifier or a Latin word moves whole, a Chinese character
    or a punctuation mark is a piece of its own."""
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ident = IDENTIFIER_RE.match(text, i)
        if ident:
            pieces.append((ident.group(0), True))
            i = ident.end()
            continue
        word = _LATIN_WORD_RE.match(text, i)
        end = word.end() if word else i + 1
        pieces.append((text[i:end], False))
        i = end
    return pieces


class _Line:
    """Where the next piece would start, in one measure."""

    def __init__(self, measure: str, capacity: float, indent: float) -> None:
        self.measure, self.capacity, self.pos = measure, capacity, indent
        self.latin = False

    def width(self, piece: str) -> float:
        if self.measure == "narrow":
            return width(piece)
        latin = piece[0].isascii() and piece[0].isalnum()
        gap = _WIDE_GAP if latin != self.latin and self.pos > 0 else 0.0
        return _wide(piece) + gap

    def place(self, piece: str) -> bool:
        """Put the piece on the line; True when it had to start a new line."""
        w = self.width(piece)
        wrapped = self.pos + w > self.capacity + 1e-9 and self.pos > 0
        if wrapped:
            self.pos = 0.0
            self.latin = False
            w = self.width(piece)
        self.pos += w
        self.latin = piece[0].isascii() and piece[0].isalnum()
        return wrapped

    def fits(self, piece: str) -> bool:
        """Whole on this line, or at the start of the next (a line break of its own)."""
        return self.pos + self.width(piece) <= self.capacity - _MARGIN

    def newline(self) -> None:
        self.pos, self.latin = 0.0, False


def keep_identifiers(text: str, capacity: float, *, indent: float = 0) -> str:
    """``text`` with a line break (``"\n"``) before each identifier that would otherwise be
    split at a line end, in a paragraph of ``capacity`` characters a line whose first line is
    indented ``indent`` characters. Only line breaks are added; every character stays."""
    out: list[str] = []
    for n, part in enumerate(text.split("\n")):
        lines = [_Line(m, capacity, indent if n == 0 else 0) for m in ("narrow", "wide")]
        pieces: list[str] = []
        for piece, ident in _units(part):
            if ident and width(piece) < capacity and not all(line.fits(piece) for line in lines):
                at = len(pieces)
                while at and pieces[at - 1] in _OPENING:  # "（" never ends a line
                    at -= 1
                if at:
                    moved = pieces[at:]
                    pieces = [*pieces[:at], "\n", *moved]
                    for line in lines:
                        line.newline()
                        for m in moved:
                            line.place(m)
            for line in lines:
                line.place(piece)
            pieces.append(piece)
        out.append("".join(pieces))
    return "\n".join(out)


def lines_needed(text: str, capacity: float, *, indent: float = 0) -> int:
    """How many lines ``text`` takes in a paragraph of ``capacity`` characters a line, by the
    wide measure (an estimate that errs towards more lines)."""
    count = 0
    for n, part in enumerate(text.split("\n")):
        line = _Line("wide", capacity, indent if n == 0 else 0)
        count += 1
        for piece, _ident in _units(part):
            count += line.place(piece)
    return count

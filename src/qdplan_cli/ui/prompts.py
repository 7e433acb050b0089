"""The prompt edge: the only module that imports questionary.

It asks; it decides nothing. Ctrl-C raises ``KeyboardInterrupt`` (``unsafe_ask``) so the caller,
which has already saved every answer, can say how to resume.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import questionary
from prompt_toolkit.styles import Style

from qdplan_cli.ui.wording import WIZARD

STYLE = Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("answer", "fg:ansigreen bold"),
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"),
        ("instruction", "fg:ansibrightblack"),
    ]
)


def hint(text: str) -> None:
    """A one-line hint above the next question (what the plan says about it)."""
    questionary.print(text, style="fg:ansiyellow")


def select(
    message: str,
    choices: Sequence[tuple[str, str]],
    default: str | None = None,
) -> str:
    """Pick one of ``choices`` (title, value); returns the value."""
    items = [questionary.Choice(title=title, value=value) for title, value in choices]
    values = [value for _, value in choices]
    answer = questionary.select(
        message,
        choices=items,
        default=default if default in values else None,
        qmark="?",
        instruction=WIZARD["instruction"],
        style=STYLE,
    ).unsafe_ask()
    if answer is None:  # Ctrl-C inside some terminals ends the prompt without raising
        raise KeyboardInterrupt
    return str(answer)


def text(
    message: str,
    default: str = "",
    validate: Callable[[str], str | None] | None = None,
) -> str:
    """Free text; ``validate`` returns a Chinese error message, or None when the text is fine."""

    def check(value: str) -> bool | str:
        if validate is None:
            return True
        problem = validate(value)
        return True if problem is None else problem

    answer = questionary.text(
        message, default=default, validate=check, qmark="?", style=STYLE
    ).unsafe_ask()
    if answer is None:
        raise KeyboardInterrupt
    return str(answer).strip()

"""The prompt edge: the only module that imports questionary.

It asks; it decides nothing. Ctrl-C raises ``KeyboardInterrupt`` (``unsafe_ask``) so the caller,
which has already saved every answer, can say how to resume.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import questionary
from prompt_toolkit.styles import Style

from qdplan_cli.ui import conhost
from qdplan_cli.ui.wording import WIZARD

STYLE = Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("answer", "fg:ansigreen bold"),
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"),
        ("instruction", "fg:ansibrightblack"),
        ("status.bold", "bold"),
        ("status.warn", "fg:ansiyellow"),
        ("status.alarm", "fg:ansiwhite bg:ansired bold"),
        ("status.ok", "fg:ansigreen"),
        ("status.dim", "fg:ansibrightblack"),
        ("status.rule", "fg:ansibrightblack"),
    ]
)

# The status block shown above every question, redrawn each second while the question waits
# (the live 2-hour countdown): a function of the terminal width giving (style, text) lines.
Status = Callable[[int], Sequence[tuple[str, str]]]
_status: Status | None = None
REFRESH_S = 1.0
# The rule under the block when it is not redrawn each second (an input method is in use).
CLOCK_ON_KEY = "倒计时在按键时刷新"


class GoBack(Exception):
    """Escape in a text question: the witness wants the previous question."""


def set_status(status: Status | None) -> None:
    global _status
    _status = status


def _shown(text: str, *, fitted: bool = False) -> str:
    """What reaches prompt_toolkit: narrowed on a console that draws ambiguous characters two
    cells wide (prompt_toolkit lays them out as one; ui.conhost). A ``fitted`` line (the status
    block, cut to the width) keeps its width: one ASCII character for each."""
    if not conhost.ascii_mode():
        return text
    return conhost.narrow(text, before_layout=not fitted)


def _with_status(
    question: questionary.Question, *, back: bool = False, typing: bool = False
) -> questionary.Question:
    """Put the live status block above the question (gone once it is answered). It is redrawn
    every second, or, where that disturbs an input method (``conhost.live_clock``), at each
    key the witness presses."""
    from prompt_toolkit.application import get_app
    from prompt_toolkit.filters import IsDone
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
    from prompt_toolkit.layout.controls import FormattedTextControl

    from qdplan_cli.ui.status import width_of

    app = question.application
    if back:
        keys = KeyBindings()

        @keys.add("escape", eager=True)
        def _back(event: Any) -> None:
            event.app.exit(exception=GoBack())

        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), keys])
    status = _status
    if status is None:
        return question

    live = conhost.live_clock(typing=typing)
    rule = conhost.glyphs().rule

    def tokens() -> StyleAndTextTuples:
        width = max(20, get_app().output.get_size().columns - 1)
        out: StyleAndTextTuples = []
        for style, line in status(width):
            out.append((f"class:status.{style}" if style else "", _shown(line, fitted=True)))
            out.append(("", "\n"))
        length = min(width, 78)
        if live:
            out.append(("class:status.rule", rule * length))
        else:  # say that the clock above moves only when a key is pressed
            label = f"{rule * 2} {CLOCK_ON_KEY} "
            used = width_of(label)
            out.append(
                ("class:status.rule", _shown(label, fitted=True) + rule * max(length - used, 0))
            )
        return out

    header = ConditionalContainer(
        Window(FormattedTextControl(tokens), dont_extend_height=True, wrap_lines=False),
        filter=~IsDone(),  # type: ignore[no-untyped-call]
    )
    old = app.layout
    app.layout = Layout(HSplit([header, old.container]), focused_element=old.current_window)
    app.refresh_interval = REFRESH_S if live else None
    return question


def _wrapped(text: str) -> str:
    """``text`` broken into lines of the window's width where a reader expects it
    (``ui.status.wrap``: never inside a time or a number), as the window shows it."""
    from prompt_toolkit.application.current import get_app_session

    from qdplan_cli.ui.status import wrap

    columns = get_app_session().output.get_size().columns
    width = max(20, columns)
    return "\n".join(line for part in _shown(text).split("\n") for line in wrap(part, width))


def hint(text: str) -> None:
    """A hint above the next question (what the plan says about it)."""
    questionary.print(_wrapped(text), style="fg:ansiyellow")


def alarm(text: str) -> None:
    """A warning shown at once, in the alarm style of the 2-hour crossing (status block)."""
    questionary.print(_wrapped(text), style="fg:ansiwhite bg:ansired bold")


def done(text: str) -> None:
    """A progress line once something is saved ("已记录：…")."""
    questionary.print(_wrapped(text), style="fg:ansigreen")


def select(
    message: str,
    choices: Sequence[tuple[str, str]],
    default: str | None = None,
) -> str:
    """Pick one of ``choices`` (title, value); returns the value."""
    items = [questionary.Choice(title=_shown(title), value=value) for title, value in choices]
    values = [value for _, value in choices]
    question = questionary.select(
        _shown(message),
        choices=items,
        default=default if default in values else None,
        qmark="?",
        pointer=">" if conhost.ascii_mode() else "»",
        instruction=_shown(WIZARD["instruction"]),
        style=STYLE,
    )
    answer = _with_status(question).unsafe_ask()
    if answer is None:  # Ctrl-C inside some terminals ends the prompt without raising
        raise KeyboardInterrupt
    return str(answer)


def text(
    message: str,
    default: str = "",
    validate: Callable[[str], str | None] | None = None,
    *,
    back: bool = False,
) -> str:
    """Free text; ``validate`` returns a Chinese error message, or None when the text is fine.
    With ``back``, Escape raises ``GoBack`` (the question before this one)."""

    def check(value: str) -> bool | str:
        if validate is None:
            return True
        problem = validate(value)
        return True if problem is None else _shown(problem)

    question = questionary.text(
        _shown(message), default=default, validate=check, qmark="?", style=STYLE
    )
    answer = _with_status(question, back=back, typing=True).unsafe_ask()
    if answer is None:
        raise KeyboardInterrupt
    return str(answer).strip()

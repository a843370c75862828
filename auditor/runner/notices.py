"""The batch's messages to the person running it (a store that cannot be written, Ctrl-C, warnings of the
cross-report phase), printed on a rich console: the one place the runner formats terminal text."""

from __future__ import annotations

from typing import Any

__all__ = ["say"]


def say(console: Any, text: str, *, style: str, lead: str = "", soft_wrap: bool = False) -> None:
    """Print ``lead`` (styled) then ``text`` on ``console`` (a ``rich.console.Console``; None: standard
    error). Without ``lead`` the whole text is styled. Both are printed literally ("[x]" in a file name is
    text, not markup)."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(stderr=True)
    if lead:
        console.print(f"[{style}]{escape(lead)}[/]{escape(text)}", soft_wrap=soft_wrap)
    else:
        console.print(f"[{style}]{escape(text)}[/]", soft_wrap=soft_wrap)

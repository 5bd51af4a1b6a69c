"""One problem found in the user's input: a stack file, a config key, a deployed state.

Settings rules, the stack-file reader and the change preview's checks all return `Problem`s;
`str(problem)` is the one place they are rendered as text. Keeping the key path and the value
as fields lets callers sort, group and locate problems (and add a note to the one at a given
key) without reading the message text back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Optional


class _Unset:
    """`Problem.value` when the problem is not about one value (a missing key, a whole file)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class Written:
    """A value exactly as it stands in a file (`yes`, `2026-12-31`), shown as written, not as data."""

    text: str


def show(value: Any) -> str:
    """A value as a stack file reader recognises it: text quoted, anything else as JSON, a
    `Written` value as written."""
    if isinstance(value, Written):
        return value.text
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class Problem:
    """What is wrong, where, with which value, and how to fix it."""

    path: str
    """Where: a config key path as `pulumi config set --path` spells it
    (`aks-cilium:network.podCidr`), a file name, or a resource's URN; '' when nowhere in particular."""
    message: str
    """What is wrong and what is allowed, without the path or the value."""
    value: Any = UNSET
    """The offending value as the program read it, `Written` text where only the file's own
    spelling says what is wrong (`yes`, a date), or `UNSET`."""
    hint: str = ""
    """The fix, when there is one beyond the allowed values (a command, a key to set)."""
    line: Optional[int] = None
    """1-based line in the file the problem was found in, where known."""
    missing: bool = False
    """The key is required and not set: callers that say where a value may come from (an ESC
    environment) find these without reading the message."""

    def __str__(self) -> str:
        """`line N: <path> = <value>: <message>; <hint>`, leaving out what is not known."""
        where = self.path
        if self.value is not UNSET:
            where = f"{where} = {show(self.value)}" if where else show(self.value)
        text = f"{where}: {self.message}" if where else self.message
        if self.line is not None:
            text = f"line {self.line}: {text}"
        return f"{text}; {self.hint}" if self.hint else text

    def with_note(self, note: str) -> Problem:
        """The same problem with `note` added in parentheses (e.g. how YAML read the value)."""
        return replace(self, hint=f"{self.hint} ({note})" if self.hint else "", message=self.message if self.hint else f"{self.message} ({note})")


def render(problems: list[Problem] | list[str]) -> list[str]:
    """Problems as the lines users read, in order."""
    return [str(p) for p in problems]

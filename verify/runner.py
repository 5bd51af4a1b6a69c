"""The only code that runs commands: live (subprocess), from a replay folder, or recording one.

A replay folder holds, per command, `<key>.out` (stdout), optionally `<key>.err` (stderr) and
`<key>.rc` (the exit code as text; 0 when absent). The key is the command's stable name
(verify/commands.py), so the same run reads the same files (docs/verify.md#replay).
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: Exit code of a command that could not be started (shells use 127 for "not found").
NOT_FOUND = 127
#: Exit code of a command that ran out of time (as coreutils `timeout`).
TIMED_OUT = 124
REPLAY_SUFFIXES = (".out", ".err", ".rc")


@dataclass(frozen=True)
class Command:
    key: str
    """Stable file name stem in a replay folder, e.g. `kubectl-get-nodes`."""
    argv: tuple[str, ...]
    timeout: float = 60.0

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


@dataclass(frozen=True)
class Output:
    rc: int
    stdout: str
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0


class Runner(Protocol):
    def run(self, command: Command) -> Output: ...


class LiveRunner:
    def run(self, command: Command) -> Output:
        try:
            done = subprocess.run(list(command.argv), capture_output=True, text=True, timeout=command.timeout, check=False)
        except FileNotFoundError:
            return Output(NOT_FOUND, "", f"{command.argv[0]}: command not found")
        except subprocess.TimeoutExpired:
            return Output(TIMED_OUT, "", f"timed out after {command.timeout:g} s")
        return Output(done.returncode, done.stdout, done.stderr)


class ReplayError(Exception):
    """A replay folder that cannot be read; the message names the folder and the file."""


class ReplayRunner:
    """Answers each command from `<folder>/<key>.*`; a command with no file gets exit 127."""

    def __init__(self, folder: Path):
        if not folder.is_dir():
            raise ReplayError(f"{folder}: is not a folder of recorded command outputs")
        self.folder = folder
        self.used: set[str] = set()

    def run(self, command: Command) -> Output:
        self.used.add(command.key)
        out, err, rc = (self.folder / f"{command.key}{s}" for s in REPLAY_SUFFIXES)
        if not out.is_file() and not rc.is_file():
            return Output(NOT_FOUND, "", f"not recorded: {out} (replay of `{command.text}`)")
        code = 0
        if rc.is_file():
            text = rc.read_text(encoding="utf-8").strip()
            if not text.lstrip("-").isdigit():
                raise ReplayError(f"{rc}: must hold an exit code (an integer), found {text!r}")
            code = int(text)
        return Output(
            code,
            out.read_text(encoding="utf-8") if out.is_file() else "",
            err.read_text(encoding="utf-8") if err.is_file() else "",
        )

    def unused(self) -> list[str]:
        """Files no command of this run asked for: usually a misspelt key."""
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if p.is_file() and p.suffix in REPLAY_SUFFIXES and p.stem not in self.used
        )


class RecordingRunner:
    """Runs live and writes each output as a replay file, to replay the run later."""

    def __init__(self, inner: Runner, folder: Path):
        self.inner = inner
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def run(self, command: Command) -> Output:
        result = self.inner.run(command)
        (self.folder / f"{command.key}.out").write_text(result.stdout, encoding="utf-8")
        if result.stderr:
            (self.folder / f"{command.key}.err").write_text(result.stderr, encoding="utf-8")
        if result.rc != 0:
            (self.folder / f"{command.key}.rc").write_text(f"{result.rc}\n", encoding="utf-8")
        return result

"""The program run once, its failure turned into one message: what `make plan` prints on bad input.

Under the mock engine an exception raised while the program runs can surface from `asyncio.run`,
from an Output callback, or only when asyncio collects a future nobody awaited ("Future exception
was never retrieved"); `run_program_cleanly` turns all three into one `PlanInputError`.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi

from offline.run.engine import DEFAULT_ENGINE, EngineOptions, ProgramRun, run_program, start_mocks
from offline.run.stack_files.esc import esc_note
from offline.run.stack_files.stack_config import StackConfig, StackFileError, read_stack_config, with_notes
from settings.common.errors import ConfigError
from settings.common.problems import Problem


class PlanInputError(Exception):
    """Bad input the user must fix; the message is all they need to see."""


def run_program_cleanly(project_dir: Path, stack: str, engine: EngineOptions = DEFAULT_ENGINE, esc_values: Optional[Path] = None) -> ProgramRun:
    """The program's `ProgramRun`, or `PlanInputError` with one clean message.

    Under the mock engine an exception raised while the program runs can surface from
    `asyncio.run`, from an Output callback, or only when asyncio collects a future nobody
    awaited ("Future exception was never retrieved"); all three become one message here.
    """
    try:
        config = read_stack_config(project_dir, stack, esc_values)
    except StackFileError as exc:
        raise PlanInputError(str(exc)) from None

    stray: list[BaseException] = []

    def keep_stray(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        stray.append(context.get("exception") or RuntimeError(context.get("message", "unknown asyncio error")))

    async def main() -> ProgramRun:
        asyncio.get_running_loop().set_exception_handler(keep_stray)
        return await run_program(project_dir, config, start_mocks(config, options=engine))

    def keep_unraisable(unraisable: Any) -> None:
        # A failed run can leave an event loop whose __del__ trips over its closed selector;
        # that is teardown noise, not the program's error.
        if "BaseEventLoop.__del__" not in repr(unraisable.object):
            stray.append(unraisable.exc_value)

    previous_hook = sys.unraisablehook
    sys.unraisablehook = keep_unraisable
    failure: Optional[BaseException] = None
    try:
        run = asyncio.run(main())
    except Exception as exc:  # reported below as one message, never as a traceback
        failure = exc
    finally:
        if failure is not None or stray:
            gc.collect()  # flush futures that hold an exception nobody retrieved, into `stray`
        sys.unraisablehook = previous_hook
    failure = failure or (stray[0] if stray else None)
    if failure is not None:
        raise PlanInputError(_describe_failure(failure, project_dir, config.notes) + _esc_note(config, failure)) from None
    if config.esc_environments:
        run.log.append(("warning", esc_note(config.stack_file.name, config.esc_environments)))
    return run


def _esc_note(config: StackConfig, failure: BaseException) -> str:
    """Where missing keys may have come from, when the stack file imports ESC environments."""
    if not config.esc_environments:
        return ""
    problems = failure.problems if isinstance(failure, ConfigError) else []
    missing = [p.path for p in problems if isinstance(p, Problem) and p.missing]
    return "\n" + esc_note(config.stack_file.name, config.esc_environments, missing)


def _describe_failure(exc: BaseException, project_dir: Path, notes: Mapping[str, str]) -> str:
    """Config errors (a `pulumi.RunError`) speak for themselves; a bug says where it happened."""
    if isinstance(exc, ConfigError) and notes:
        return str(ConfigError(exc.stack_file, with_notes(exc.problems, notes)))
    if isinstance(exc, (pulumi.RunError, StackFileError)):
        return str(exc)
    where = ""
    project = str(project_dir.resolve())
    traceback = exc.__traceback__
    while traceback is not None:
        frame_file = traceback.tb_frame.f_code.co_filename
        if frame_file.startswith(project) and "/offline/" not in frame_file:
            where = f" at {Path(frame_file).resolve().relative_to(project)}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return f"the program failed{where}: {type(exc).__name__}: {exc}"

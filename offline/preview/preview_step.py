"""The plan's change-preview step: `--against FILE` and `--principal OBJECT_ID`.

`offline.plan` calls in here so that its own flow changes by a few lines: read the deployed
state before the program runs (a bad file stops the plan before anything is written), then
compare the run with it (`offline.preview.change_preview`) and list what would be refused
(`offline.preview.change_checks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from offline.preview.change_checks import change_problems
from offline.preview.change_preview import changes_json, compute_changes, render_changes
from offline.preview.state_import import DeployedResource, read_state
from offline.run import ProgramRun
from settings.common.guids import is_guid
from settings.problems import Problem

CHANGES_FILE = "changes.json"
STATE_FILE = "state.json"


def principal_problem(principal: str) -> Optional[str]:
    """Why `--principal` is not an object id, or None."""
    if is_guid(principal):
        return None
    return f"--principal {principal!r}: must be the object id (a GUID such as 22222222-2222-2222-2222-222222222222) of the identity that runs `pulumi up`"


def other_stack_problem(deployed: list[DeployedResource], project: str, stack: str, against: str) -> Optional[str]:
    """Why `deployed` is the state of another stack or project, or None.

    Every URN starts `urn:pulumi:<stack>::<project>::`, so a file of another stack matches
    nothing, and the preview would list every resource as created and every old one as deleted.
    """
    prefix = f"urn:pulumi:{stack}::{project}::"
    if not deployed or any(r.urn.startswith(prefix) for r in deployed):
        return None
    found = sorted({"::".join(r.urn.split("::")[:2]).removeprefix("urn:pulumi:") for r in deployed})
    stacks = ", ".join(f"stack {s.split('::')[0]!r} of project {s.split('::')[-1]!r}" for s in found[:3])
    return f"{against}: is the state of {stacks}, not of stack {stack!r} of project {project!r}; export the stack you plan (`pulumi stack export --stack {stack}`)"


def read_deployed(path: Optional[Path]) -> Optional[list[DeployedResource]]:
    """The state to compare against, or None without `--against`; raises `StateFileError`."""
    return None if path is None else read_state(path)


@dataclass(frozen=True)
class Preview:
    text: str
    """The printed section: one line per resource."""
    changes_json: str
    problems: tuple[Problem, ...]
    """Changes `pulumi up` would refuse or that would destroy something."""


def preview(deployed: list[DeployedResource], run: ProgramRun, against: str) -> Preview:
    changes = compute_changes(deployed, run.registrations)
    return Preview(render_changes(changes, against), changes_json(changes), tuple(change_problems(changes)))

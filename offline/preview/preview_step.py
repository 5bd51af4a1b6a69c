"""The plan's change-preview step: `--against FILE` and `--principal OBJECT_ID`.

`offline.plan` calls in here so that its own flow changes by a few lines: read the export before
the program runs (a bad file stops the plan before anything is written), let its answers seed the
runs (`seeded`), then compare (`offline.preview.change_preview`) and list what would be refused
(`offline.preview.change_checks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from offline.preview.admin_warnings import admin_change_warnings
from offline.preview.change_checks import change_problems
from offline.preview.change_preview import changes_json, compute_changes, render_changes
from offline.preview.export_answers import ExportAnswers
from offline.preview.state.export_file import Export, ExportedResource, read_export
from offline.preview.state.state_flags import pending_operations_warning, refresh_notices
from offline.run import ProgramRun
from settings.common.guids import is_guid
from settings.common.problems import Problem

CHANGES_FILE = "changes.json"
STATE_FILE = "state.json"


def principal_problem(principal: str) -> Optional[str]:
    """Why `--principal` is not an object id, or None."""
    if is_guid(principal):
        return None
    return f"--principal {principal!r}: must be the object id (a GUID such as 22222222-2222-2222-2222-222222222222) of the identity that runs `pulumi up`"


def other_stack_problem(deployed: list[ExportedResource], project: str, stack: str, against: str) -> Optional[str]:
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


def read_deployed(path: Optional[Path]) -> Optional[Export]:
    """The export to compare against, or None without `--against`; raises `ExportFileError`."""
    return None if path is None else read_export(path)


@dataclass(frozen=True)
class Preview:
    text: str
    """The printed section: one line per resource, both columns."""
    changes_json: str
    problems: tuple[Problem, ...]
    """Changes `pulumi up` would refuse or that would destroy something."""
    notices: tuple[str, ...] = ()
    """What `pulumi up` will warn about (pending operations) and what this preview cannot see."""


def preview(deployed: Export, answers: tuple[ExportAnswers, ExportAnswers], runs: tuple[ProgramRun, ProgramRun], against: str) -> Preview:
    """`answers` and `runs`: as `pulumi preview` sees it, then as `pulumi up` does it."""
    changes = compute_changes(deployed, answers[0], answers[1], runs[1].registrations, runs[1].outputs)
    warning = pending_operations_warning(deployed.pending_operations)
    notices = tuple([*([warning] if warning else []), *refresh_notices(deployed)])
    warnings = "".join(f"WARNING: {w}\n" for w in admin_change_warnings(changes))  # offline/preview/admin_warnings.py
    text = render_changes(changes, against, notices) + warnings
    return Preview(text, changes_json(changes), tuple(change_problems(changes)), notices)

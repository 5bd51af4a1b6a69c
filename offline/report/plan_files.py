"""The plan's output folder: write the plan's files, and touch nothing else there.

The plan writes `plan.txt`, `graph.dot`, `state.json`, `changes.json` (with `--against`),
`kubernetes/*.yaml` and `helm/*.yaml`, and records
every file it wrote in `.plan-files.json`. On the next run it removes the files of that record
that it no longer writes (an object that is no longer declared), and only those. A file it did
not write, in a place where it writes, means the folder is someone else's: the plan refuses it
(exit code 2) unless told `--overwrite`, and even then it only replaces files of the same name
and never deletes the others.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Optional

MANIFEST = ".plan-files.json"
#: Where the plan writes inside the output folder: these files, and anything in these folders.
PLACES_FILES = ("plan.txt", "graph.dot", "state.json", "changes.json")
PLACES_DIRS = ("kubernetes", "helm")


class PlanFilesError(Exception):
    """The output folder cannot be written as asked; the message says why and what to do."""


def _is_ours(relative: str) -> bool:
    """A path the plan may have written: inside the folder, in one of its places."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or str(path) != relative:
        return False
    return relative in PLACES_FILES or (len(path.parts) == 2 and path.parts[0] in PLACES_DIRS)


def previous_files(out_dir: Path) -> Optional[set[str]]:
    """The files the last plan wrote here; None when there is no record."""
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return None
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
        files = record["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ValueError(files)
    except (OSError, ValueError, KeyError, TypeError):
        raise PlanFilesError(
            f"{manifest} is not the plan's record of the files it wrote; remove it (the plan then treats every file"
            " in its places as someone else's) or pass --overwrite"
        ) from None
    return {f for f in files if _is_ours(f)}


def has_no_record(out_dir: Path) -> bool:
    """An existing folder without `.plan-files.json` (e.g. written by a plan from before it existed)."""
    return out_dir.is_dir() and not (out_dir / MANIFEST).exists()


def present_files(out_dir: Path) -> set[str]:
    """Files now in the places the plan writes."""
    found = {name for name in PLACES_FILES if (out_dir / name).is_file()}
    for folder in PLACES_DIRS:
        if (out_dir / folder).is_dir():
            found |= {p.relative_to(out_dir).as_posix() for p in (out_dir / folder).rglob("*") if p.is_file() or p.is_symlink()}
    return found


def write_plan_files(out_dir: Path, files: dict[str, str], *, overwrite: bool) -> None:
    """Write `files` (relative path -> text) and the record; see the module docstring.

    Raises `PlanFilesError` for a folder holding files the plan did not write (without
    `overwrite`), and `OSError` when writing fails.
    """
    try:
        previous = previous_files(out_dir)
    except PlanFilesError:
        if not overwrite:
            raise
        previous = None
    foreign = sorted(present_files(out_dir) - (previous or set()))
    if foreign and not overwrite:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise PlanFilesError(
            f"{out_dir} holds files the plan did not write, where it writes its own: {shown}. The plan writes"
            f" {', '.join(PLACES_FILES)}, {'/, '.join(PLACES_DIRS)}/ and {MANIFEST} there and never deletes files it"
            " did not write; choose another folder with --out, or pass --overwrite to replace files of the same name"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted((previous or set()) - set(files)):
        (out_dir / stale).unlink(missing_ok=True)
    for relative, text in sorted(files.items()):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    record = {"writtenBy": "python -m offline.plan", "files": sorted(files)}
    (out_dir / MANIFEST).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8", newline="\n")

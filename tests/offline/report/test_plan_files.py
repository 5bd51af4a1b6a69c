"""The plan's output folder and its record of files (offline/report/plan_files.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.report.plan_files import MANIFEST, PlanFilesError, write_plan_files


def test_the_plan_never_deletes_a_file_its_record_names_outside_its_places(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "precious.txt").write_text("keep", encoding="utf-8")
    (out / "notes.md").write_text("keep", encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps({"files": ["../precious.txt", "notes.md", "kubernetes/old.yaml"]}), encoding="utf-8")
    write_plan_files(out, {"plan.txt": "x"}, overwrite=False)
    assert (tmp_path / "precious.txt").read_text() == "keep" and (out / "notes.md").read_text() == "keep"
    assert json.loads((out / MANIFEST).read_text())["files"] == ["plan.txt"]


def test_a_broken_record_is_refused_unless_overwrite(tmp_path: Path):
    (tmp_path / MANIFEST).write_text("not json", encoding="utf-8")
    with pytest.raises(PlanFilesError, match="is not the plan's record"):
        write_plan_files(tmp_path, {"plan.txt": "x"}, overwrite=False)
    write_plan_files(tmp_path, {"plan.txt": "x"}, overwrite=True)
    assert (tmp_path / "plan.txt").read_text() == "x"

"""The set-up files agree: one supported Python range, exact pins, and the pins are what runs.

The range is stated in pyproject.toml (`requires-python`), enforced by the Makefile
(`PYTHON_MIN`/`PYTHON_MAX`), offered by .python-version (pyenv exposes each line's version,
uv and pyenv default to the first) and told in the README; a change to one fails here until
the others follow.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from offline.run.stack_files import yaml_io
from tests.harness import PROJECT_DIR

REQUIREMENT_FILES = ("requirements.txt", "requirements-dev.txt", "requirements-setup.txt")
#: Installed by `python -m venv` (pip; setuptools up to 3.11) and by the first set-up step (uv).
BOOTSTRAP = {"pip", "setuptools", "uv"}


def requires_python() -> SpecifierSet:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return SpecifierSet(project["requires-python"])


def makefile_range() -> tuple[str, str]:
    text = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    low, high = (re.search(rf"^PYTHON_{end} := (\S+)$", text, re.M) for end in ("MIN", "MAX"))
    assert low and high, "Makefile must set PYTHON_MIN and PYTHON_MAX"
    return low[1], high[1]


def minor_versions(low: str, high: str) -> list[str]:
    major, first = map(int, low.split("."))
    return [f"{major}.{minor}" for minor in range(first, int(high.split(".")[1]) + 1)]


def pins() -> dict[str, Requirement]:
    found: dict[str, Requirement] = {}
    for name in REQUIREMENT_FILES:
        for line in (PROJECT_DIR / name).read_text(encoding="utf-8").splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-r ")):
                continue
            requirement = Requirement(line)
            key = canonicalize_name(requirement.name)
            assert key not in found, f"{requirement.name} is pinned twice"
            found[key] = requirement
    return found


def test_the_supported_range_is_the_same_everywhere() -> None:
    low, high = makefile_range()
    supported = minor_versions(low, high)
    assert supported == ["3.11", "3.12", "3.13"]
    specifier = requires_python()
    assert all(Version(f"{v}.0") in specifier for v in supported)
    assert Version(f"{supported[0].split('.')[0]}.{int(supported[0].split('.')[1]) - 1}.99") not in specifier
    assert Version(f"3.{int(high.split('.')[1]) + 1}.0") not in specifier
    assert (PROJECT_DIR / ".python-version").read_text(encoding="utf-8").split() == supported
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert f"CPython {', '.join(supported[:-1])} or {supported[-1]}" in readme


def test_this_interpreter_is_in_the_supported_range() -> None:
    assert sys.implementation.name == "cpython"
    assert Version(".".join(map(str, sys.version_info[:3]))) in requires_python()


def test_every_requirement_is_pinned_exactly() -> None:
    for requirement in pins().values():
        assert len(requirement.specifier) == 1, requirement
        (spec,) = requirement.specifier
        assert spec.operator == "==" and "*" not in spec.version, f"{requirement} is not an exact pin"


def test_the_virtualenv_holds_exactly_the_pins_for_this_python() -> None:
    wanted = {name: next(iter(r.specifier)).version for name, r in pins().items() if r.marker is None or r.marker.evaluate()}
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    assert {name: installed.get(name) for name in wanted} == wanted
    assert sorted(set(installed) - set(wanted) - BOOTSTRAP) == [], "installed but not pinned"


def test_pulumi_runs_the_virtualenv_make_builds() -> None:
    runtime = yaml_io.load((PROJECT_DIR / "Pulumi.yaml").read_text(encoding="utf-8"))["runtime"]
    assert runtime["options"] == {"toolchain": "pip", "virtualenv": "venv"}
    assert re.search(r"^VENV \?= venv$", (PROJECT_DIR / "Makefile").read_text(encoding="utf-8"), re.M)


# --- CI=true: missing reference data fails ---------------------------------------------------

_SKIP_CALL = re.compile(r"pytest\.skip\(|\.skipTest\(|mark\.skipif\(")


def test_every_skip_goes_through_the_harness_so_ci_true_turns_it_into_a_failure():
    tests = PROJECT_DIR / "tests"
    direct = sorted(
        f"{path.relative_to(PROJECT_DIR)}:{number}"
        for path in tests.rglob("*.py")
        if path != tests / "harness.py" and path != tests / "test_setup.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _SKIP_CALL.search(line)
    )
    assert direct == [], "skip with tests/harness.py skip_or_fail / needs_reference / needs_schemas instead"


def test_the_ci_script_runs_the_suite_with_ci_true():
    script = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export CI="${CI:-true}"' in script
    assert script.index("export CI=") < script.index("make test")

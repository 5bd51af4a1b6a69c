"""The documents match the code: the configuration key table, relative links, and repo paths in comments.

Docs drift silently: a key gets added without a row, a guide is renamed and a link or a comment
still names the old path. Each check here fails on exactly such a leftover.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
import typing
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from settings.common.base import section_model_in
from settings.common.errors import LOCATION_KEY, PROJECT
from settings.stack import ProjectConfig
from tests.harness import PROJECT_DIR

README_MAX_LINES = 230
CONFIGURATION_DOC = PROJECT_DIR / "docs" / "configuration.md"


def _is_sequence(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (tuple, list):
        return True
    return any(_is_sequence(a) for a in typing.get_args(annotation))


def _is_mapping_of_models(annotation) -> bool:
    return typing.get_origin(annotation) is dict and section_model_in(annotation) is not None


def settings_keys(model: type[BaseModel] = ProjectConfig, prefix: str = "") -> set[str]:
    """Every key path a user can set, as docs/configuration.md writes it."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        alias = field.alias or name
        if model is ProjectConfig:
            path = LOCATION_KEY if name == "location" else f"{PROJECT}:{alias}"
        else:
            path = f"{prefix}.{alias}"
        inner = section_model_in(field.annotation)
        if inner is None or _is_sequence(field.annotation) or _is_mapping_of_models(field.annotation):
            keys.add(path)  # a section itself is documented through its keys
        if inner is None:
            continue
        if _is_mapping_of_models(field.annotation):
            keys |= settings_keys(inner, f"{path}.<group>")
        elif _is_sequence(field.annotation):
            keys |= settings_keys(inner, f"{path}[i]")
        else:
            keys |= settings_keys(inner, path)
    return keys


def documented_keys() -> set[str]:
    keys: set[str] = set()
    table = CONFIGURATION_DOC.read_text(encoding="utf-8")
    for cell in re.findall(r"^\| `([^`]+)`(?: / `([^`]+)`)? \|", table, flags=re.M):
        first, second = cell
        if not (first.startswith(f"{PROJECT}:") or first == LOCATION_KEY):
            continue
        keys.add(first)
        if second:
            keys.add(first.rsplit(".", 1)[0] + "." + second)
    return keys


def test_every_settings_key_is_documented_in_the_configuration_table():
    missing = settings_keys() - documented_keys()
    assert not missing, f"keys without a row in docs/configuration.md: {sorted(missing)}"


def test_the_configuration_table_documents_no_key_the_settings_do_not_have():
    stale = documented_keys() - settings_keys()
    assert not stale, f"rows in docs/configuration.md for keys that do not exist: {sorted(stale)}"


# --- the files of the repository ----------------------------------------------------------


def repo_files() -> set[str]:
    """Tracked files plus new ones not committed yet, but nothing git ignores (venv/, plan-out/)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {f for f in listed.split("\0") if f and (PROJECT_DIR / f).is_file()}


FILES = repo_files()
DIRS = {str(parent) for f in FILES for parent in PurePosixPath(f).parents if str(parent) != "."}
TOP_LEVEL = {f.split("/", 1)[0] for f in FILES}


def exists_in_repo(path: str) -> bool:
    return path in FILES or path in DIRS


# --- relative links in Markdown -----------------------------------------------------------

_FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?", re.M)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def markdown_links(text: str) -> list[str]:
    """Link targets of a Markdown text, outside code blocks and code spans."""
    prose = _CODE_SPAN.sub("", _FENCED_CODE.sub("", text))
    return _INLINE_LINK.findall(prose) + _REFERENCE_LINK.findall(prose)


def broken_relative_links(md_file: str, text: str) -> list[str]:
    broken = []
    for target in markdown_links(text):
        if _SCHEME.match(target) or target.startswith(("#", "//")):
            continue  # a URL or an anchor in the same file
        path = target.split("#", 1)[0].split("?", 1)[0]
        base = PurePosixPath(".") if path.startswith("/") else PurePosixPath(md_file).parent
        resolved = (PROJECT_DIR / base / path.lstrip("/")).resolve()
        try:
            relative = resolved.relative_to(PROJECT_DIR.resolve()).as_posix()
        except ValueError:
            broken.append(f"{md_file}: {target} (outside the repository)")
            continue
        if not exists_in_repo(relative):
            broken.append(f"{md_file}: {target}")
    return broken


def test_a_link_to_a_missing_file_is_reported_and_urls_and_anchors_are_not():
    text = "[ok](docs/configuration.md#keys) [web](https://example.com/x.md) [here](#keys)\n`[code](nope.md)`\n[gone](docs/nope.md)"
    assert broken_relative_links("README.md", text) == ["README.md: docs/nope.md"]


def test_every_relative_link_in_every_markdown_file_resolves():
    md_files = sorted(f for f in FILES if f.endswith(".md"))
    assert "README.md" in md_files and "docs/configuration.md" in md_files
    links = 0
    broken: list[str] = []
    for md_file in md_files:
        text = (PROJECT_DIR / md_file).read_text(encoding="utf-8")
        links += len(markdown_links(text))
        broken += broken_relative_links(md_file, text)
    assert links > 0, "no links found: the link pattern is broken"
    assert not broken, "links to files that do not exist:\n  " + "\n  ".join(broken)


# --- repository paths named in comments ---------------------------------------------------

_TOKEN_SEPARATORS = re.compile(r"[\s`'\"(),;]+")
_LINE_SUFFIX = re.compile(r":\d+(?::\d+)?$")  # components/cluster.py:42
_HAS_EXTENSION = re.compile(r"\.[A-Za-z0-9]+$")
_YAML_OR_MAKE_COMMENT = re.compile(r"(?:^|\s)#(.*)$", re.M)


def named_repo_paths(text: str) -> list[str]:
    """Paths inside this repository that a piece of prose names.

    A token counts when its first segment is a top-level entry of this repository and it names
    a file (it has an extension) or a folder (it ends in '/'). That leaves out URLs, paths in
    other projects (`pkg/...`, `articles/aks/...`, `../shared/...`), Python modules
    (`offline.plan`) and placeholders (`settings/<section>.py`).
    """
    paths = []
    for token in _TOKEN_SEPARATORS.split(text):
        token = _LINE_SUFFIX.sub("", token.rstrip(".:,;!?")).split("#", 1)[0]
        if "/" not in token or "://" in token or any(c in token for c in "<>*{}$[]|=@~\\"):
            continue
        if token.split("/", 1)[0] not in TOP_LEVEL:
            continue
        if not (token.endswith("/") or _HAS_EXTENSION.search(token)):
            continue
        paths.append(token.rstrip("/"))
    return paths


def python_comments(source: str) -> list[str]:
    """Comments and docstrings of a Python file."""
    texts = [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                texts.append(docstring)
    return texts


def is_stack_file(path: str) -> bool:
    return bool(re.fullmatch(r"(.*/)?Pulumi\.[^/]+\.yaml", path))


def prose_of(path: str) -> list[str]:
    """The parts of a file whose repo paths must exist; empty for kinds of file not checked."""
    text = (PROJECT_DIR / path).read_text(encoding="utf-8")
    if path.endswith(".py"):
        return python_comments(text)
    if is_stack_file(path):
        return [text]  # comments, and values such as a service-tags file path
    if path.endswith((".yaml", ".yml")) or Path(path).name == "Makefile" or path.startswith(".ci/"):
        return _YAML_OR_MAKE_COMMENT.findall(text)
    return []


def test_the_path_detector_finds_repo_paths_and_ignores_everything_else():
    comment = (
        "see docs/egress-rules.md, components/cluster.py:42 and settings/; not "
        "https://github.com/x/docs/a.md, articles/aks/use-byo-cni.md, ../shared/reference/x.md, "
        "docs/book/src/login-modes, settings/<section>.py or offline.plan"
    )
    assert named_repo_paths(comment) == ["docs/egress-rules.md", "components/cluster.py", "settings"]


def test_every_repo_path_named_in_a_comment_or_stack_file_exists():
    checked = []
    missing = []
    for path in sorted(FILES):
        try:
            texts = prose_of(path)
        except (SyntaxError, UnicodeDecodeError):
            continue  # a fixture that is broken on purpose
        for text in texts:
            for named in named_repo_paths(text):
                checked.append((path, named))
                if not exists_in_repo(named):
                    missing.append(f"{path}: {named}")
    assert ("Pulumi.prod.yaml", "docs/egress-rules.md") in checked, "the detector missed a known reference"
    assert not missing, "comments name paths that do not exist:\n  " + "\n  ".join(missing)


# --- the README stays a first screen ------------------------------------------------------


def test_the_readme_stays_short():
    lines = len((PROJECT_DIR / "README.md").read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into a guide under docs/"

"""YAML in and out for everything offline, with libyaml when PyYAML was built with it.

libyaml's safe loader and dumper are several times faster than the pure-Python ones (the
Cilium policy CRDs are 400 kB each) and read and write the same documents, so one pick here
serves the stack files, the CRD schemas and the plan's output files.
"""

from __future__ import annotations

from typing import Any

import yaml

YAMLError = yaml.YAMLError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str) -> Any:
    """One YAML document, safe tags only; raises `YAMLError`."""
    return yaml.load(text, Loader=_LOADER)


def dump(value: Any, **options: Any) -> str:
    """`value` as YAML, safe tags only; `options` are `yaml.dump`'s (sort_keys, width, ...)."""
    return yaml.dump(value, Dumper=_DUMPER, **options)

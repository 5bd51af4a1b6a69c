"""Resource options a component hands on to its children."""

from __future__ import annotations

from typing import Optional

import pulumi


def deleted_with(opts: Optional[pulumi.ResourceOptions]) -> Optional[pulumi.Resource]:
    """The `deleted_with` a component was given, for each of its children.

    The Python SDK passes a parent's provider down but not its `deleted_with`
    (pulumi/resource.py `ResourceOptions`), and the engine reads the option per resource
    (pkg/resource/deploy/step_generator.go), so each child must carry it.
    """
    return opts.deleted_with if opts is not None else None

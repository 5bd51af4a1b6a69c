"""Probe pods: create -> wait -> read -> delete, and nothing left behind.

One pod per probe, `restartPolicy: Never`, running one shell line and printing one result line.
The delete always runs, also when creating or waiting failed; a failed delete is reported as its
own failure, naming the command that removes the pod.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from verify.context import Context
from verify.runner import Command, Output

PROBE_LABEL = "app.kubernetes.io/name=aks-cilium-verify"


@dataclass(frozen=True)
class ProbeRun:
    pod: str
    namespace: str
    logs: Optional[str]
    """The pod's output, or None when it did not complete."""
    problem: str
    """Why there are no logs; empty when there are."""
    cleanup: Optional[Command]
    """The delete command, when it failed: the pod may still exist."""


def pod_name(kind: str, suffix: str) -> str:
    return f"aks-cilium-verify-{kind}-{suffix}"


def _first_line(output: Output) -> str:
    text = (output.stderr or output.stdout).strip()
    return text.splitlines()[0] if text else f"exit code {output.rc}"


def lifecycle(ctx: Context, kind: str, namespace: str, script: str) -> tuple[Command, Command, Command, Command]:
    name, opts, kubectl = pod_name(kind, ctx.options.probe_suffix), ctx.options, ctx.tools.kubectl_command
    key = f"probe-{kind}-{namespace}"
    return (
        kubectl(f"{key}-create", "-n", namespace, "run", name, "--image", opts.probe_image, "--restart=Never",
                "--labels", PROBE_LABEL, "--command", "--", "sh", "-c", script),
        kubectl(f"{key}-wait", "-n", namespace, "wait", f"pod/{name}", "--for=jsonpath={.status.phase}=Succeeded",
                f"--timeout={opts.probe_timeout}", timeout=300.0),
        kubectl(f"{key}-logs", "-n", namespace, "logs", name),
        kubectl(f"{key}-delete", "-n", namespace, "delete", "pod", name, "--ignore-not-found", "--wait=true", "--timeout=60s",
                timeout=120.0),
    )  # fmt: skip


def run_probe(ctx: Context, kind: str, namespace: str, script: str) -> ProbeRun:
    create, wait, logs, delete = lifecycle(ctx, kind, namespace, script)
    name = pod_name(kind, ctx.options.probe_suffix)
    text, problem = None, ""
    try:
        created = ctx.run(create)
        if not created.ok:
            problem = f"could not create pod {namespace}/{name}: {_first_line(created)}"
        else:
            waited = ctx.run(wait)
            if not waited.ok:
                problem = f"pod {namespace}/{name} did not complete: {_first_line(waited)}"
            else:
                read = ctx.run(logs)
                text = read.stdout if read.ok else None
                problem = "" if read.ok else f"could not read pod {namespace}/{name}'s output: {_first_line(read)}"
    finally:
        deleted = ctx.run(delete)
    return ProbeRun(name, namespace, text, problem, None if deleted.ok else delete)

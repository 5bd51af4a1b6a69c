"""Values this run may not move freely, checked against what the stack last deployed: its own outputs.

`pulumi up` and `pulumi preview` both stop before a guarded resource can change when a rule
refuses the step from the deployed value to the wanted one (Cilium: one minor version at a time,
`settings.cilium.cilium_step_problem`). How, each step from pulumi/pulumi's sources:

- The guard reads the stack's own outputs through a `StackReference` to itself. That is a read,
  and "unlike most steps, Read steps run during previews" (pkg/resource/deploy/step.go
  `ReadStep.Apply`). The builtin provider answers it (pkg/resource/deploy/builtins.go
  `readStackReference`) with `backendClient.GetStackOutputs` (pkg/backend/backend.go): the root
  stack's outputs in the stack's last persisted checkpoint (`SnapshotStackOutputs`; diy
  pkg/backend/diy/state.go, Pulumi Cloud pkg/backend/httpstate/state.go), `{}` for a stack never
  deployed. Nothing refuses a reference to the stack being updated (a maintainer's example:
  https://github.com/pulumi/pulumi/issues/3722), and it reads the previous update's outputs: the
  root stack is a `same` step that keeps its old outputs (step.go `SameStep.Apply`) until they
  are finalized at the end of the deployment (deployment_executor.go, step_executor.go
  `executeRegisterResourceOutputs`).
- Each guarded output records what the resource itself reports after deploying (Cilium: the
  release's `status.version`, which pulumi-kubernetes sets from the installed chart in
  provider/pkg/provider/helm_release.go). The SDK sends the stack's outputs once the program has
  run, and only when every exported value resolves (pulumi sdk/python/lib/pulumi/runtime/stack.py
  `_finish`, runtime/resource.py `register_resource_outputs`): a release that failed or never
  ran because the check refused leaves the old output. When the outputs do reach the engine and
  the update fails elsewhere, they are merged over the old ones (step_executor.go, `errored`).
- The check's value feeds the guarded resource's inputs, so that resource is never registered
  after a refusal; it waits on the value, not on a recorded dependency on the read. The error is a `pulumi.RunError`, which the Python host prints without a
  traceback (pulumi sdk/python/cmd/pulumi-language-python-exec).

Limits (docs/day-2.md): the outputs are those of the last update that registered them, so after
a failed `pulumi up` they can be older than what runs (the check then refuses too much, never too
little); a stack deployed before a value was guarded has no output for it and is not checked
until one `pulumi up` records it; a change made outside Pulumi (`helm upgrade`) is not seen, and
`pulumi refresh` does not rewrite stack outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

import pulumi

from settings.common.problems import Problem

#: The organization every diy backend reports (pulumi pkg/backend/diy/state.go).
DIY_ORGANIZATION = "organization"

Rule = Callable[[str, str], Optional[Problem]]
"""(deployed, wanted) -> why this run may not move from one to the other, or None."""


@dataclass(frozen=True)
class GuardedValue:
    output: str
    """The stack output that records the deployed value, e.g. `ciliumVersion`."""
    wanted: str
    """The value this run declares (from the settings)."""
    rule: Rule


class DeployedStateRefused(pulumi.RunError):
    """A guarded value this run may not move to from the deployed one."""


def this_stack_reference(organization: Optional[str], project: str, stack: str) -> str:
    """The name that makes the backend's ParseStackReference find this very stack.

    Pulumi Cloud fills a missing owner with the user's *default* org, which need not own this
    stack (pkg/backend/httpstate/backend.go), so it gets `<org>/<project>/<stack>`. A diy backend
    always reports the org `organization` and reads a bare `<stack>` as the current project's
    (pkg/backend/diy/store.go); its legacy layout accepts nothing but a bare name, so diy gets that.
    """
    if not organization or organization == DIY_ORGANIZATION:
        return stack
    return f"{organization}/{project}/{stack}"


def refusal(stack: str, value: GuardedValue, deployed: str, problem: Problem) -> str:
    return (
        f"stack {stack}: its output {value.output} = {deployed!r} records what is deployed (by its last update"
        f" that completed the program), and this run may not move from it (docs/day-2.md):\n  - {problem}"
    )


class DeployedGuard:
    """One StackReference to this stack, the checks made against it, and the outputs that feed the next run's.

    Not a component: it creates nothing. Add a guarded value with `check` (its Output is the
    wanted value, once the rule has passed: feed it into the resource it guards) and `record`
    what that resource reports as deployed; export `recorded` as stack outputs.
    """

    def __init__(self, name: str):
        organization, project, stack = pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack()
        self.stack = f"{organization or DIY_ORGANIZATION}/{project}/{stack}"
        """The stack's full name, for messages."""
        # Under the root stack, like the engine's own resources: a read has nothing to group.
        self.reference = pulumi.StackReference(name, this_stack_reference(organization, project, stack))
        self.recorded: dict[str, pulumi.Output[Any]] = {}
        """Stack output name -> the deployed value to export; every checked value must get one."""

    def check(self, value: GuardedValue) -> pulumi.Output[str]:
        return pulumi.Output.from_input(self._check(value))

    async def _check(self, value: GuardedValue) -> str:
        # `get_output_details` reads the one key, as a plain value only when the backend does not
        # list it among the secret outputs (pulumi sdk/python/lib/pulumi/stack_reference.py); the
        # kubeconfig output is never touched. `get_output` would leave un-awaited coroutines
        # behind when the program fails elsewhere.
        details = await self.reference.get_output_details(value.output)
        return self._checked(value, details.value)

    def record(self, output: str, deployed: pulumi.Input[Any]) -> None:
        self.recorded[output] = pulumi.Output.from_input(deployed)

    def _checked(self, value: GuardedValue, found: Any) -> str:
        if found is None:  # a first deploy, or a stack deployed before this value was guarded
            return value.wanted
        problem = value.rule(str(found), value.wanted)
        if problem is not None:
            raise DeployedStateRefused(refusal(self.stack, value, str(found), problem))
        return value.wanted

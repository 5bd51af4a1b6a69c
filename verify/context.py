"""What every check gets: the runner, the tools, the stack's promises, the options; outputs cached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from verify import commands, kube
from verify.model import CheckResult, Verdict
from verify.runner import Command, Output, Runner
from verify.stack import Expectations

#: curl and busybox's nslookup in one small image; `--probe-image` names a mirror.
DEFAULT_PROBE_IMAGE = "curlimages/curl:8.11.1"


@dataclass(frozen=True)
class Options:
    probes: bool = False
    """Create probe pods (DNS lookup, IMDS requests); off unless asked for."""
    probe_suffix: str = "run"
    """Ends every probe pod's name and the DNS name looked up; unique per run unless given."""
    probe_image: str = DEFAULT_PROBE_IMAGE
    probe_timeout: str = "90s"


class Context:
    def __init__(self, runner: Runner, tools: commands.Tools, expect: Expectations, options: Options | None = None):
        self.runner = runner
        self.tools = tools
        self.expect = expect
        self.options = options or Options()
        self._outputs: dict[str, Output] = {}

    def run(self, command: Command) -> Output:
        """Each command runs once per verify run; checks that need the same facts share it."""
        if command.key not in self._outputs:
            self._outputs[command.key] = self.runner.run(command)
        return self._outputs[command.key]

    def agents(self) -> tuple[Optional[list[kube.Pod]], Optional[tuple[Verdict, str]]]:
        """The agent pods, or why they cannot be listed."""
        output = self.run(commands.get_agents(self.tools))
        if not output.ok:
            return None, kube.failure(output)
        try:
            return kube.agent_pods(output, commands.AGENT_CONTAINER), None
        except kube.ParseError as exc:
            return None, (Verdict.INCONCLUSIVE, f"cannot read the agent pods: {exc}")


def result(check: str, title: str, verdict: Verdict, reason: str, see: Command | str) -> CheckResult:
    return CheckResult(check, title, verdict, reason, see.text if isinstance(see, Command) else see)

"""Every command `make verify` runs, with the stable key that names its replay files.

Cilium's objects live where its Helm chart puts them: the agent DaemonSet's pods carry
`k8s-app=cilium` in kube-system, Hubble Relay is the `hubble-relay` Deployment, and the agent's
settings are the `cilium-config` ConfigMap (cilium/cilium `install/kubernetes/cilium/templates/`:
`cilium-agent/daemonset.yaml`, `hubble-relay/deployment.yaml`, `cilium-configmap.yaml`).

Without Relay, Hubble is read inside each agent: the agent image ships the `hubble` CLI pointed
at the node's own socket (`HUBBLE_SERVER=unix:///var/run/cilium/hubble.sock` in cilium/cilium
`images/cilium/Dockerfile`), so each agent shows only its own node's flows and every agent is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from verify.runner import Command

KUBE_SYSTEM = "kube-system"
AGENT_SELECTOR = "k8s-app=cilium"
AGENT_CONTAINER = "cilium-agent"
RELAY_DEPLOYMENT = "hubble-relay"
CILIUM_CONFIG = "cilium-config"
#: `-o jsonpb` prints one GetFlowsResponse per line: `{"flow": {...}}` (cilium/cilium
#: `hubble/pkg/printer/printer.go`, WriteProtoFlow). The default compact output prints a
#: CIDR group's identity as `(ID:<n>)` and no labels, so it cannot show the claim.
HUBBLE_OUTPUT = ("-o", "jsonpb")


@dataclass(frozen=True)
class Tools:
    """How to reach the cluster: the user's own kubectl and hubble, and the options they take."""

    kubectl: tuple[str, ...] = ("kubectl",)
    """kubectl with its global options, e.g. ("kubectl", "--context", "aks-cilium-prod")."""
    hubble: str = "hubble"
    relay: Optional[str] = None
    """Hubble Relay address for the local `hubble` (e.g. localhost:4245 after a port-forward);
    None reads flows inside each agent with `kubectl exec`."""
    window: str = "10m"
    """How far back to look for flows (`hubble observe --since`)."""

    def kubectl_command(self, key: str, *args: str, timeout: float = 60.0) -> Command:
        return Command(key, (*self.kubectl, *args), timeout)


def get_nodes(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-nodes", "get", "nodes", "-o", "json")


def get_agents(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-cilium-pods", "-n", KUBE_SYSTEM, "get", "pods", "-l", AGENT_SELECTOR, "-o", "json")


def get_cilium_config(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-cilium-config", "-n", KUBE_SYSTEM, "get", "configmap", CILIUM_CONFIG, "-o", "json")


def get_cilium_nodes(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-ciliumnodes", "get", "ciliumnodes", "-o", "json")


def get_relay(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-hubble-relay", "-n", KUBE_SYSTEM, "get", "deployment", RELAY_DEPLOYMENT, "-o", "json")


def get_cidr_groups(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-ciliumcidrgroups", "get", "ciliumcidrgroups", "-o", "json")


def get_policies(tools: Tools) -> Command:
    return tools.kubectl_command("kubectl-get-ccnp", "get", "ciliumclusterwidenetworkpolicies", "-o", "json")


def observe(tools: Tools, group: str, address: str, agent_pod: Optional[str]) -> Command:
    """Flows to `address` in the window, from one agent (`agent_pod`) or from Relay (None)."""
    query = ("observe", "--to-ip", address, "--since", tools.window, *HUBBLE_OUTPUT)
    if agent_pod is None:
        assert tools.relay is not None, "observe without an agent pod needs a Relay address"
        return Command(f"hubble-observe-{group}-relay", (tools.hubble, "--server", tools.relay, *query), 120.0)
    return tools.kubectl_command(
        f"hubble-observe-{group}-{agent_pod}",
        "-n", KUBE_SYSTEM, "exec", agent_pod, "-c", AGENT_CONTAINER, "--", "hubble", *query,
        timeout=120.0,
    )  # fmt: skip

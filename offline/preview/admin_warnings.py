"""A warning when the cluster's admins change in the same run as objects on the cluster.

A new role assignment for "Azure Kubernetes Service RBAC Cluster Admin" takes up to five
minutes to propagate (Microsoft Learn, "Use Azure RBAC for Kubernetes authorization":
https://learn.microsoft.com/azure/aks/manage-azure-rbac). With local accounts off, `pulumi up`
reaches the Kubernetes API only through Entra ID, so a run that swaps the admin group and then
changes Kubernetes objects can be refused with 403 halfway. Changing admins in a run of their
own avoids it (docs/day-2.md). With local accounts on, the static admin kubeconfig bypasses
Azure RBAC and nothing is warned.
"""

from __future__ import annotations

from collections.abc import Sequence

from offline.preview.change_preview import SAME, ResourceChange
from offline.run import MANAGED_CLUSTER_TYPE
from settings.common.problems import Problem

ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"
#: The built-in role "Azure Kubernetes Service RBAC Cluster Admin" (components/cluster_access.py).
CLUSTER_ADMIN_ROLE = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
PROPAGATION_DOC = "https://learn.microsoft.com/azure/aks/manage-azure-rbac"


def admin_change_warnings(changes: Sequence[ResourceChange]) -> list[Problem]:
    """One warning when a cluster-admin assignment and a Kubernetes object change together under Entra ID logins."""
    clusters = [c.new for c in changes if c.type == MANAGED_CLUSTER_TYPE and c.new is not None]
    if not any(c.inputs.get("disableLocalAccounts") is True for c in clusters):
        return []
    admins = [c for c in changes if c.op != SAME and c.type == ROLE_ASSIGNMENT_TYPE and _is_cluster_admin(c)]
    on_cluster = [c for c in changes if c.op != SAME and c.type.startswith("kubernetes:")]
    if not admins or not on_cluster:
        return []
    return [
        Problem(
            ", ".join(f"{c.op} {c.label}" for c in admins),
            f"the cluster's admins change in the same run as {len(on_cluster)} Kubernetes resource(s); a new admin role"
            f" assignment takes up to five minutes to propagate ({PROPAGATION_DOC}), so `pulumi up` may be refused"
            " with 403 on the cluster halfway",
            hint="change the admins in a run of their own, wait a few minutes, then deploy the rest (docs/day-2.md)",
        )
    ]


def _is_cluster_admin(change: ResourceChange) -> bool:
    sides = [s.inputs for s in (change.old, change.new) if s is not None]
    return any(CLUSTER_ADMIN_ROLE in str(inputs.get("roleDefinitionId", "")) for inputs in sides)

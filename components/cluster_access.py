"""Cluster-admin for the principals in `aks-cilium:cluster.admins`, and nobody else.

With Entra ID and Azure RBAC for Kubernetes authorization, an identity may use the Kubernetes
API only once it holds a data-plane role (https://learn.microsoft.com/azure/aks/manage-azure-rbac).
Each admin gets "Azure Kubernetes Service RBAC Cluster Admin":
- at the RESOURCE GROUP's scope, which the cluster inherits. The assignment then needs only the
  group, so it is created alongside the cluster, not after it: the same page says a new
  assignment takes up to five minutes to propagate, and a cluster takes longer than that to
  create, so the access exists well before the Cilium release (which depends on it) starts.
- named by a GUID derived from (cluster name, principal, role), never from whoever runs
  `pulumi up`: a run by another principal declares the same assignments, so it replaces and
  deletes none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
from pulumi_azure_native import authorization

from components.cluster import role_assignment_name, role_definition_id
from settings.access import ClusterAdminSettings

# Built-in role (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers).
AKS_RBAC_CLUSTER_ADMIN_ROLE = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


@dataclass(frozen=True)
class ClusterAdminsArgs:
    resource_group_id: pulumi.Input[str]
    """Scope of every assignment: the cluster's resource group."""
    cluster_name: str
    """Seeds the assignments' GUIDs, so two clusters never share one."""
    admins: Sequence[ClusterAdminSettings]
    """Who gets cluster-admin; unique object IDs (checked by the settings). May be empty only
    when local accounts are on (the settings refuse it otherwise)."""


class ClusterAdmins(pulumi.ComponentResource):
    """One role assignment per admin; everything that talks to the cluster waits for them all."""

    assignments: list[authorization.RoleAssignment]

    def __init__(self, name: str, args: ClusterAdminsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("aks-cilium:clusteraccess:ClusterAdmins", name, None, opts)
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        role = role_definition_id(client.subscription_id, AKS_RBAC_CLUSTER_ADMIN_ROLE)
        self.assignments = [
            authorization.RoleAssignment(
                f"{name}-{admin.object_id}",
                role_assignment_name=role_assignment_name(args.cluster_name, admin.object_id, AKS_RBAC_CLUSTER_ADMIN_ROLE),
                scope=args.resource_group_id,
                role_definition_id=role,
                principal_id=admin.object_id,
                # Stated: Azure refuses a mismatch, and cannot look up a principal that has not
                # replicated yet (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template).
                principal_type=admin.principal_type,
                # A replacement keeps the same GUID, and Azure refuses a second assignment under
                # it while the first exists (pulumi/pulumi-azure-native#2253): delete first.
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
            for admin in args.admins
        ]
        self.register_outputs({"principalIds": [a.object_id for a in args.admins]})

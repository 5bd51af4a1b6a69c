"""`aks-cilium:cluster.admins`: who gets cluster-admin on the Kubernetes API, and its rules.

The list is the one place that grants Kubernetes access. Every entry gets the built-in role
"Azure Kubernetes Service RBAC Cluster Admin" through Azure RBAC for Kubernetes authorization
(https://learn.microsoft.com/azure/aks/manage-azure-rbac). Nothing is derived from whoever runs
`pulumi up`: a run by a CI service principal and a run by a person declare the same role
assignments, so neither replaces nor deletes the other's access.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import field_validator

from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.guids import is_guid
from settings.common.problems import Problem

#: What Azure accepts as a role assignment's principalType for a Kubernetes admin
#: (https://learn.microsoft.com/rest/api/authorization/role-assignments/create).
PrincipalType = Literal["User", "Group", "ServicePrincipal"]


class ClusterAdminSettings(Section):
    """One entry of `aks-cilium:cluster.admins`."""

    object_id: str
    """Entra ID object ID of the user, group or service principal (a GUID)."""
    principal_type: PrincipalType
    """`User`, `Group` or `ServicePrincipal`; Azure refuses an assignment whose type does not match
    the principal, and a new principal may not have replicated yet for Azure to look it up."""

    @field_validator("object_id")
    @classmethod
    def _object_id(cls, value: str) -> str:
        if not is_guid(value):
            raise ValueError(
                "is not an Entra ID object ID: a GUID such as 00000000-0000-0000-0000-000000000000"
                " (`az ad user show --id <upn> --query id`, `az ad group show -g <name> --query id`,"
                " `az ad sp show --id <appId> --query id`)"
            )
        # Entra ID compares object IDs case-insensitively; one spelling keeps role-assignment
        # names and the duplicate check stable.
        return value.lower()


def cluster_access_problems(admins: Sequence[ClusterAdminSettings], disable_local_accounts: bool) -> list[Problem]:
    """Each admin once; and someone to install Cilium when only Entra ID logins exist."""
    key = key_path("cluster", "admins")
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, admin in enumerate(admins):
        if admin.object_id in seen:
            problems.append(
                Problem(
                    f"{key}[{i}].objectId",
                    f"already listed as {key}[{seen[admin.object_id]}]; each principal gets one role assignment",
                    admin.object_id,
                )
            )
        seen.setdefault(admin.object_id, i)
    if not admins and disable_local_accounts:
        problems.append(
            Problem(
                key,
                f"with {key_path('cluster', 'disableLocalAccounts')} = true only Entra ID logins exist, and nobody would be"
                " allowed to install Cilium (the Helm install is forbidden under Azure RBAC)",
                [],
                hint="list the identity that runs `pulumi up`, or a group it is in, e.g."
                f" `pulumi config set --path '{key}[0].objectId' <guid>` and"
                f" `pulumi config set --path '{key}[0].principalType' Group`",
            )
        )
    return problems

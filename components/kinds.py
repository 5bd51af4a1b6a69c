"""What the program declares, by name: the Cilium chart, the Kubernetes kinds and their versions.

One place for facts the components and the offline tool (`offline/`) both need; the program
never imports `offline/`, the tool imports these.
"""

from __future__ import annotations

#: The chart and release name of Cilium (https://helm.cilium.io/).
CILIUM_CHART = "cilium"
#: pulumi-kubernetes' type token of a Helm release (`k8s.helm.v3.Release`).
HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes"
#: The explicit azure-native provider components/platform.py declares.
AZURE_NATIVE_PROVIDER_TYPE = "pulumi:providers:azure-native"

CIDR_GROUP_KIND = "CiliumCIDRGroup"
#: Every apiVersion a CiliumCIDRGroup of a supported Cilium (>= 1.17) is declared with.
CIDR_GROUP_API_VERSIONS = ("cilium.io/v2alpha1", "cilium.io/v2")

# Fixed: CiliumClusterwideNetworkPolicy has been `cilium.io/v2` in every supported Cilium
# (>= 1.17), so unlike the CIDR groups' its resource type never changes with a Cilium upgrade
# and needs no alias. The Helm release's type is fixed too.
POLICY_KIND = "CiliumClusterwideNetworkPolicy"
POLICY_API_VERSION = "cilium.io/v2"


def kubernetes_type(api_version: str, kind: str) -> str:
    """pulumi-kubernetes types a custom resource as `kubernetes:<apiVersion>:<kind>`."""
    return f"kubernetes:{api_version}:{kind}"


def cidr_group_api_version(cilium_version: tuple[int, int, int]) -> str:
    """`cilium.io/v2` is stored from 1.18.0; 1.17.x serves only v2alpha1.

    The CRD moved from crds/v2alpha1/ to crds/v2/ in 1.18.0:
    https://github.com/cilium/cilium/blob/v1.18.0/pkg/k8s/apis/cilium.io/client/crds/v2/ciliumcidrgroups.yaml
    """
    return CIDR_GROUP_API_VERSIONS[1] if cilium_version >= (1, 18, 0) else CIDR_GROUP_API_VERSIONS[0]

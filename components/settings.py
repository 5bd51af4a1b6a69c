"""Stack settings: every config key of the project, parsed and validated once.

`load_settings` turns the stack's raw config bag (the strings the Pulumi CLI hands the
program, or that `offline.stack_config` reads from `Pulumi.<stack>.yaml`) into one frozen
`StackSettings`. Components receive these typed objects and never read `pulumi.Config`.

Validation happens in two passes, both before any resource is declared:
1. shape: pydantic checks types, enums, unknown keys and per-value rules;
2. cross-field rules (overlaps, containment, subnet capacity, names that must be unique),
   run only once every section parsed, because they need typed values to compare.
All problems of a pass are reported together in one `ConfigError`, whose message names the
stack file, the key path (as `pulumi config set --path` spells it), the value and what is
allowed. `ConfigError` is a `pulumi.RunError`, which the Pulumi CLI prints without a traceback.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, Union

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components import service_tags
from components.service_tags import ServiceTagGroup, ServiceTagsFile, read_service_tags_file

PROJECT = "aks-cilium"
LOCATION_KEY = "azure-native:location"

#: The two groups every stack declares; extra groups may not reuse these names.
BUILTIN_CIDR_GROUPS: dict[str, str] = {
    "azure-imds": "169.254.169.254/32",
    "azure-internal-dns": "168.63.129.16/32",
}

#: Oldest Cilium release whose Hubble labels traffic to CIDR groups that no policy
#: references (cilium 1.17.0 release notes; FACTS.md "Cilium").
MIN_CILIUM_VERSION = (1, 17, 0)

#: Ranges AKS forbids for pod and service CIDRs (MicrosoftDocs azure-aks-docs,
#: articles/aks/use-byo-cni.md and concepts-network-cni-overview.md).
AKS_RESERVED_RANGES = tuple(
    ipaddress.ip_network(c)
    for c in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24")
)

#: Azure keeps five addresses of every subnet for itself
#: (learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
AZURE_SUBNET_RESERVED_ADDRESSES = 5


class ConfigError(pulumi.RunError):
    """One or more stack config problems; the message lists each one."""

    def __init__(self, stack_file: str, problems: list[str]):
        self.stack_file = stack_file
        self.problems = problems
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid stack configuration in {stack_file} ({count}):\n{lines}")


# --- value parsers (used as pydantic BeforeValidators) -----------------------------------


def _parse_network(value: Any, version: Optional[int]) -> Union[ipaddress.IPv4Network, ipaddress.IPv6Network]:
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    if not isinstance(value, str) or "/" not in value:
        raise ValueError("must be a CIDR such as 10.0.0.0/16 (address/prefix length)")
    try:
        loose = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError("is not a valid CIDR (expected address/prefix length, e.g. 10.0.0.0/16)") from None
    if version is not None and loose.version != version:
        raise ValueError(f"must be an IPv{version} CIDR")
    if str(loose.network_address) != value.strip().split("/")[0]:
        raise ValueError(f"has host bits set; the network it lies in is {loose}")
    return loose


def _ipv4_network(value: Any) -> ipaddress.IPv4Network:
    return _parse_network(value, 4)  # type: ignore[return-value]


def _any_network(value: Any) -> Union[ipaddress.IPv4Network, ipaddress.IPv6Network]:
    return _parse_network(value, None)


def _ipv4_address(value: Any) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(str(value).strip())
    except ValueError:
        raise ValueError("is not a valid IPv4 address (e.g. 10.0.0.10)") from None


def _zone(value: Any) -> Any:
    # YAML turns `zones: [1, 2]` into integers; Azure wants the strings "1", "2", "3".
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Ipv4Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_ipv4_network)]
AnyCidr = Annotated[Union[ipaddress.IPv4Network, ipaddress.IPv6Network], BeforeValidator(_any_network)]
Ipv4Address = Annotated[ipaddress.IPv4Address, BeforeValidator(_ipv4_address)]
#: kubelogin `--login` modes (github.com/Azure/kubelogin, docs: login modes).
KubeloginMode = Literal["azurecli", "devicecode", "spn", "msi", "workloadidentity", "azd"]
Zone = Annotated[Literal["1", "2", "3"], BeforeValidator(_zone)]

_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"^{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_dns1123_subdomain(name: str) -> str:
    """Kubernetes object names (k8s.io/apimachinery validation.IsDNS1123Subdomain)."""
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        raise ValueError(
            "is not a valid Kubernetes object name: use at most 253 lowercase letters, digits,"
            " '-' and '.', starting and ending with a letter or digit"
        )
    return name


def check_label_key(key: str) -> str:
    """Kubernetes label keys: optional DNS subdomain prefix, '/', name of at most 63 chars."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        raise ValueError(f"label key {key!r} has an invalid prefix {prefix!r}: it must be a lowercase DNS subdomain")
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        raise ValueError(
            f"label key {key!r} is invalid: the name part must be 1-63 letters, digits, '-', '_' or '.',"
            " starting and ending with a letter or digit"
        )
    return key


def check_label_value(value: str) -> str:
    if value and (len(value) > 63 or not _LABEL_NAME.match(value)):
        raise ValueError(
            f"label value {value!r} is invalid: use at most 63 letters, digits, '-', '_' or '.',"
            " starting and ending with a letter or digit (or an empty string)"
        )
    return value


def parse_version(text: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        raise ValueError("must be a release version MAJOR.MINOR.PATCH such as 1.20.0 (no 'v', no pre-release)")
    return tuple(int(p) for p in match.groups())  # type: ignore[return-value]


# --- the settings models -------------------------------------------------------------------


class _Section(BaseModel):
    """Base of every settings section: immutable, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        hide_input_in_errors=True,
    )


class NetworkSettings(_Section):
    """`aks-cilium:network`: all addressing is required, because it must fit the company's IP plan."""

    vnet_cidr: Ipv4Cidr = Field(examples=["10.10.0.0/16"])
    """Address space of the VNet the stack creates."""
    node_subnet_cidr: Ipv4Cidr = Field(examples=["10.10.0.0/22"])
    """Subnet for node NICs; must lie in `vnetCidr` and hold every node plus surge."""
    pod_cidr: Ipv4Cidr = Field(examples=["10.244.0.0/16"])
    """Pod range: given to AKS (`networkProfile.podCidr`) and to Cilium cluster-pool IPAM."""
    service_cidr: Ipv4Cidr = Field(examples=["10.0.0.0/16"])
    """Kubernetes service range (`networkProfile.serviceCidr`)."""
    dns_service_ip: Ipv4Address = Field(examples=["10.0.0.10"])
    """ClusterIP of CoreDNS; inside `serviceCidr`, not its first two addresses."""


class NodePoolSettings(_Section):
    """One entry of `aks-cilium:cluster.nodePools`."""

    name: str
    """Linux pool name: lowercase letters and digits, starting with a letter, 1-12 characters."""
    mode: Literal["System", "User"] = "User"
    """AKS pool mode; at least one pool must be `System`."""
    vm_size: str = "Standard_D4ds_v5"
    """Azure VM size of the pool's nodes."""
    count: Optional[int] = Field(default=None, ge=0, le=1000)
    """Fixed node count (no autoscaler), or the initial count when minCount/maxCount are set."""
    min_count: Optional[int] = Field(default=None, ge=0, le=1000)
    """Autoscaler lower bound; set together with maxCount."""
    max_count: Optional[int] = Field(default=None, ge=1, le=1000)
    """Autoscaler upper bound; set together with minCount."""
    zones: tuple[Zone, ...] = ()
    """Availability zones ("1", "2", "3"); empty means no zone pinning."""
    max_surge: str = "10%"
    """Extra nodes during upgrades: a node count ("1") or a percentage ("33%")."""
    max_pods: Optional[int] = Field(default=None, ge=10, le=250)
    """Pods per node; AKS's default when unset."""
    os_disk_size_gb: Optional[int] = Field(default=None, ge=30, le=2048)
    """OS disk size in GB; AKS's default when unset."""
    os_sku: Literal["Ubuntu", "AzureLinux"] = "AzureLinux"
    """Node OS image family."""

    @field_validator("name")
    @classmethod
    def _pool_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9]{0,11}", value):
            raise ValueError(
                "is not a valid Linux node pool name: use 1-12 lowercase letters and digits, starting with a letter"
            )
        return value

    @field_validator("max_surge")
    @classmethod
    def _surge(cls, value: str) -> str:
        if not re.fullmatch(r"[1-9]\d*%?", value) or (value.endswith("%") and int(value[:-1]) > 100):
            raise ValueError('must be a node count such as "1" or a percentage from "1%" to "100%"')
        return value

    @property
    def autoscaling(self) -> bool:
        return self.min_count is not None or self.max_count is not None

    @property
    def peak_nodes(self) -> int:
        """Most nodes the pool can have: its maximum plus the surge nodes of an upgrade."""
        top = self.max_count if self.autoscaling and self.max_count is not None else (self.count or 0)
        if self.max_surge.endswith("%"):
            # AKS rounds a percentage surge up to whole nodes (articles/aks/upgrade-aks-cluster.md).
            surge = math.ceil(top * int(self.max_surge[:-1]) / 100)
        else:
            surge = int(self.max_surge)
        return top + surge


def _default_node_pools() -> tuple[NodePoolSettings, ...]:
    return (NodePoolSettings(name="system", mode="System", count=2),)


class ClusterSettings(_Section):
    """`aks-cilium:cluster`: the AKS managed cluster."""

    kubernetes_version: Optional[str] = None
    """"1.33" or "1.33.2"; AKS's default version when unset."""
    sku_tier: Literal["Free", "Standard", "Premium"] = "Free"
    """Control-plane tier; Standard adds the uptime SLA."""
    upgrade_channel: Literal["none", "patch", "stable", "rapid", "node-image"] = "patch"
    """Cluster auto-upgrade channel; anything but `none` lets Azure change the Kubernetes version."""
    node_os_upgrade_channel: Literal["None", "Unmanaged", "NodeImage", "SecurityPatch"] = "NodeImage"
    """Node OS upgrade channel."""
    disable_local_accounts: bool = True
    """Turn off the static admin kubeconfig; every login then goes through Entra ID (kubelogin)."""
    authorized_ip_ranges: tuple[Ipv4Cidr, ...] = ()
    """CIDRs allowed to reach the API server; empty means reachable from anywhere."""
    admin_group_object_ids: tuple[str, ...] = ()
    """Entra ID group object IDs that get cluster-admin through AKS's Entra integration."""
    deployer_principal_type: Literal["User", "ServicePrincipal", "Group"] = "User"
    """What kind of principal runs `pulumi up` (from `az login`): it gets the cluster-admin data-plane
    role, and Azure refuses a role assignment whose principalType does not match the principal."""
    kubelogin_mode: KubeloginMode = "azurecli"
    """How the exec kubeconfig used by `pulumi up` logs in (kubelogin `--login`)."""
    node_pools: tuple[NodePoolSettings, ...] = Field(default_factory=_default_node_pools)
    """Node pools; default one System pool `system` of 2 x Standard_D4ds_v5."""

    @field_validator("kubernetes_version")
    @classmethod
    def _k8s_version(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not re.fullmatch(r"1\.\d+(\.\d+)?", value):
            raise ValueError('must be a Kubernetes version such as "1.33" or "1.33.2"')
        return value

    @field_validator("admin_group_object_ids")
    @classmethod
    def _object_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if not _UUID.match(item):
                raise ValueError(f"{item!r} is not an Entra ID object ID (a GUID such as 00000000-0000-0000-0000-000000000000)")
        return value


class CiliumSettings(_Section):
    """`aks-cilium:cilium`: the Cilium Helm release."""

    version: str = "1.20.0"
    """Cilium chart version, exactly MAJOR.MINOR.PATCH, at least 1.17.0."""
    chart_repository: str = "https://helm.cilium.io/"
    """Helm repository that serves the `cilium` chart."""
    values: dict[str, Any] = Field(default_factory=dict)
    """Extra Helm values, deep-merged over the stack's own (which they may not change)."""

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if parse_version(value) < MIN_CILIUM_VERSION:
            raise ValueError(
                "is too old: CIDR groups label Hubble flows without a referencing policy only from"
                " Cilium 1.17.0; use 1.17.0 or newer"
            )
        return value

    @field_validator("chart_repository")
    @classmethod
    def _repo(cls, value: str) -> str:
        if not re.fullmatch(r"(https?|oci)://\S+", value):
            raise ValueError("must be an https://, http:// or oci:// URL")
        return value

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return parse_version(self.version)


class CidrGroupSettings(_Section):
    """One entry of `aks-cilium:cidrGroups`."""

    name: str
    """CiliumCIDRGroup name (a DNS-1123 subdomain), unique, not a built-in group's name."""
    cidrs: tuple[AnyCidr, ...]
    """IPv4 or IPv6 CIDRs of the group; at least one."""
    labels: dict[str, str] = Field(default_factory=dict)
    """metadata.labels; Hubble shows each as `cidrgroup:<key>=<value>`."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_subdomain(value)

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[Any, ...]) -> tuple[Any, ...]:
        if not value:
            raise ValueError("must list at least one CIDR")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key, label_value in value.items():
            check_label_key(key)
            check_label_value(label_value)
        return value


# --- aks-cilium:egressRules: per-CIDR-group egress policies (components/egress_policies.py) ---

#: Ports a restriction may name; 0 is not one: Cilium reads port "0" as "every port".
PORT_RANGE = (1, 65535)

#: First Cilium release line in which an L7 rule in a policy with `enableDefaultDeny` off no
#: longer 403s every other HTTP request on that port (cilium/cilium#38676, fixed by #38841 in
#: April 2025, so in 1.18.0; backported to late 1.16/1.17 patches we do not pin down).
MIN_CILIUM_FOR_HTTP_RULES = (1, 18, 0)

#: Groups whose restriction must keep one namespace able to reach them, and why.
REQUIRED_EGRESS_NAMESPACES: dict[str, tuple[str, str]] = {
    "azure-internal-dns": (
        "kube-system",
        "CoreDNS runs there and forwards every non-cluster lookup to 168.63.129.16 (the VNet's"
        " Azure-provided DNS), so without it no pod can resolve external names",
    ),
}


def check_namespace_name(value: Any) -> str:
    """Namespace names are DNS-1123 labels (k8s.io/apimachinery ValidateNamespaceName)."""
    if not isinstance(value, str) or len(value) > 63 or not re.fullmatch(_DNS1123_LABEL, value):
        raise ValueError(
            "is not a valid namespace name: use at most 63 lowercase letters, digits and '-',"
            " starting and ending with a letter or digit"
        )
    return value


def _port_entry(value: Any) -> Any:
    # `ports: [80]` is shorthand for `ports: [{port: 80}]` (TCP); checked here so that an error
    # names `ports[0]` and shows the value.
    if isinstance(value, Mapping):
        return value
    return {"port": _port_number(value)}


def _port_number(value: Any) -> int:
    low, high = PORT_RANGE
    number = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if isinstance(value, float) and value.is_integer():
        number = int(value)  # numbers may arrive as floats
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise ValueError(f"must be a port number from {low} to {high}")
    return number


def _http_path(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValueError("must be a URL path regular expression starting with '/', e.g. '/metadata/.*'")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from None
    return value


NamespaceName = Annotated[str, BeforeValidator(check_namespace_name)]
HttpPath = Annotated[str, BeforeValidator(_http_path)]


class EgressPortSettings(_Section):
    """One entry of `aks-cilium:egressRules.<group>.ports`; a bare number means that TCP port."""

    port: Annotated[int, BeforeValidator(_port_number)]
    """Destination port, 1-65535."""
    protocol: Literal["TCP", "UDP", "SCTP", "ANY"] = "TCP"
    """Transport protocol; ANY means TCP, UDP and SCTP (Cilium's meaning)."""


EgressPort = Annotated[EgressPortSettings, BeforeValidator(_port_entry)]


class EgressRuleSettings(_Section):
    """`aks-cilium:egressRules.<group>`: who may send traffic to one declared CIDR group."""

    mode: Literal["open", "restricted"] = "open"
    """`open`: no policy, the group only labels flows. `restricted`: pods outside
    `allowNamespaces` are denied egress to the group."""
    allow_namespaces: tuple[NamespaceName, ...] = ()
    """Namespaces whose pods may still reach the group (restricted only); default none, which
    is an error unless `allowNobody` is true."""
    allow_nobody: bool = False
    """Say so explicitly to restrict the group with an empty allowlist (every pod denied)."""
    ports: tuple[EgressPort, ...] = Field(default=(), max_length=40)
    """If set, allowlisted pods may reach the group on these ports only; default every port.
    At most 40: Cilium's limit of ports in one rule."""
    http_get_paths: tuple[HttpPath, ...] = ()
    """If set, allowlisted pods may send only HTTP GET requests whose path fully matches one of
    these regular expressions (e.g. '/metadata/.*') on `ports`, which must then be TCP."""


def declared_cidr_group_names(s: StackSettings) -> list[str]:
    """Every CiliumCIDRGroup the stack declares: what an egress rule may name."""
    tagged = s.service_tags.groups if s.service_tags is not None else ()
    return [*BUILTIN_CIDR_GROUPS, *(g.name for g in s.cidr_groups), *(g.name for g in tagged)]


def egress_policy_names(group: str) -> tuple[str, str]:
    """CiliumClusterwideNetworkPolicy names for (pods outside, pods inside) a group's allowlist."""
    return f"aks-cilium-egress-{group}", f"aks-cilium-egress-{group}-allowlisted"


def _egress_rule_problems(s: StackSettings) -> list[str]:
    declared = declared_cidr_group_names(s)
    problems: list[str] = []
    for group, rule in s.egress_rules.items():
        at = f"{PROJECT}:egressRules.{group}"
        if group not in declared:
            close = difflib.get_close_matches(group, declared, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"{at}: no CIDR group named {group!r} is declared{hint} Declared groups: {', '.join(declared)}"
                f" (built-in, {PROJECT}:cidrGroups and {PROJECT}:serviceTags)"
            )
            continue
        problems += _one_egress_rule_problems(s, at, group, rule)
    return problems


def _one_egress_rule_problems(s: StackSettings, at: str, group: str, rule: EgressRuleSettings) -> list[str]:
    set_keys = [to_camel(name) for name in rule.model_fields_set if name != "mode"]
    if rule.mode == "open":
        return [f"{at}.{key}: can be set only when {at}.mode is 'restricted'; an open group has no policy" for key in sorted(set_keys)]
    problems = _allowlist_problems(at, group, rule)
    problems += _port_problems(at, rule)
    if rule.http_get_paths:
        problems += _http_problems(s, at, rule)
    longest = max(egress_policy_names(group), key=len)
    if len(longest) > 253:
        problems.append(f"{at}: the policy name {longest[:40]!r}... would exceed Kubernetes' 253 characters; use a shorter group name")
    return problems


def _allowlist_problems(at: str, group: str, rule: EgressRuleSettings) -> list[str]:
    namespaces = rule.allow_namespaces
    problems: list[str] = []
    if not namespaces and not rule.allow_nobody:
        example = "[kube-system]" if group == "azure-imds" else "[my-namespace]"
        problems.append(
            f"{at}.allowNamespaces: restricted with an empty allowlist would deny {group!r} to every pod;"
            f" list the namespaces that need it (e.g. {example}), or set {at}.allowNobody to true to mean exactly that"
        )
    if namespaces and rule.allow_nobody:
        problems.append(f"{at}.allowNobody = true: can be true only when {at}.allowNamespaces is empty")
    if rule.allow_nobody and (rule.ports or rule.http_get_paths):
        problems.append(f"{at}: ports and httpGetPaths narrow what allowlisted namespaces may send; with allowNobody there are none")
    for i, namespace in enumerate(namespaces):
        if namespace in namespaces[:i]:
            problems.append(f"{at}.allowNamespaces[{i}] = '{namespace}': listed twice")
    required, why = REQUIRED_EGRESS_NAMESPACES.get(group, (None, ""))
    if required is not None and required not in namespaces:
        problems.append(f"{at}.allowNamespaces: must include '{required}' when {group!r} is restricted: {why}")
    return problems


def _port_problems(at: str, rule: EgressRuleSettings) -> list[str]:
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for i, entry in enumerate(rule.ports):
        key = (entry.port, entry.protocol)
        if key in seen:
            problems.append(f"{at}.ports[{i}] = {entry.port}/{entry.protocol}: listed twice")
        seen.add(key)
    return problems


def _http_problems(s: StackSettings, at: str, rule: EgressRuleSettings) -> list[str]:
    problems: list[str] = []
    if not rule.ports:
        problems.append(
            f"{at}.httpGetPaths: can be set only when {at}.ports names the TCP ports the HTTP traffic uses"
            f" (e.g. `pulumi config set --path '{at}.ports[0]' 80` for IMDS)"
        )
    for i, entry in enumerate(rule.ports):
        if entry.protocol != "TCP":
            problems.append(f"{at}.ports[{i}].protocol = '{entry.protocol}': must be TCP when httpGetPaths is set; HTTP rules apply to TCP only")
    if s.cilium.version_tuple < MIN_CILIUM_FOR_HTTP_RULES:
        needed = ".".join(map(str, MIN_CILIUM_FOR_HTTP_RULES))
        problems.append(
            f"{PROJECT}:cilium.version = '{s.cilium.version}': {at}.httpGetPaths needs Cilium {needed} or newer;"
            " older releases make an HTTP rule in a policy with enableDefaultDeny off reject every other HTTP"
            " request on that port (cilium/cilium#38676)"
        )
    if flatten_values(s.cilium.values).get("l7Proxy") is False:
        problems.append(f"{PROJECT}:cilium.values.l7Proxy = false: {at}.httpGetPaths needs Cilium's L7 proxy; remove l7Proxy or httpGetPaths")
    return problems


# --- aks-cilium:serviceTags: CIDR groups from Azure service tags (components/service_tags.py) ---


def _service_tags_file(value: Any) -> ServiceTagsFile:
    # The file is read here, while settings load, so a bad file stops the run before any
    # resource is declared; relative paths resolve against the project directory.
    if isinstance(value, ServiceTagsFile):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be the path of an Azure service-tags JSON file, relative to the project or absolute")
    return read_service_tags_file(value.strip())


def _service_tag_name(value: str, info: ValidationInfo) -> str:
    file = info.data.get("file")
    if file is None:
        return value  # the file itself failed; that problem is reported on its own
    tag = file.tag(value)
    file.networks(value)
    name = service_tags.base_name(tag.name)
    try:
        check_dns1123_subdomain(name)
    except ValueError as exc:
        raise ValueError(f"gives the CIDR group name {name!r}, which {exc}") from None
    for label_value in service_tags.tag_labels(tag).values():
        check_label_value(label_value)
    return value


class ServiceTagsSettings(_Section):
    """`aks-cilium:serviceTags`: Azure service tags declared as CiliumCIDRGroups."""

    # `file` holds the loaded file (a plain object, checked by isinstance only).
    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: Annotated[ServiceTagsFile, BeforeValidator(_service_tags_file)] = Field(
        examples=["service-tags/ServiceTags_Public.json"]
    )
    """Path of the weekly `ServiceTags_<Cloud>_<date>.json`, relative to the project directory or absolute."""
    tags: tuple[Annotated[str, AfterValidator(_service_tag_name)], ...]
    """Tag names as in the file (`Storage.WestEurope`, `AzureActiveDirectory`); each becomes one
    or more groups labelled `azure-service-tag: <name>`."""
    ipv4_only: bool = False
    """Leave out IPv6 prefixes (for IPv4-only clusters)."""
    _groups: tuple[ServiceTagGroup, ...] = PrivateAttr(default=())

    @field_validator("tags")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Checked here, not with min_length, which would also fire when one listed tag is bad.
        if not value:
            raise ValueError("must list at least one tag, e.g. `pulumi config set --path 'aks-cilium:serviceTags.tags[0]' Storage.WestEurope`")
        seen: set[str] = set()
        twice = sorted({t for t in value if t in seen or seen.add(t)})
        if twice:
            raise ValueError(f"lists {', '.join(repr(t) for t in twice)} more than once")
        return value

    @model_validator(mode="after")
    def _build_groups(self) -> ServiceTagsSettings:
        self._groups = service_tags.service_tag_groups(self.file, self.tags, ipv4_only=self.ipv4_only)
        return self

    @property
    def groups(self) -> tuple[ServiceTagGroup, ...]:
        """Collapsed, split, named and labelled groups, in the order of `tags`."""
        return self._groups

    @property
    def source(self) -> dict[str, Any]:
        """The file's name, cloud and changeNumber: a stack output, not an annotation, because it
        changes every week and would otherwise update every group (README, "Change numbers")."""
        document = self.file.document
        return {"file": self.file.name, "cloud": document.cloud, "changeNumber": document.change_number}


# Sections added by later features go above this line, one block per feature.


class ProjectConfig(_Section):
    """Every key of the `aks-cilium:` namespace, plus `azure-native:location`."""

    location: str = Field(examples=["westeurope"])
    """`azure-native:location`: Azure region of every resource, e.g. `westeurope`."""
    network: NetworkSettings
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    cilium: CiliumSettings = Field(default_factory=CiliumSettings)
    cidr_groups: tuple[CidrGroupSettings, ...] = ()
    egress_rules: dict[str, EgressRuleSettings] = Field(default_factory=dict)
    """Egress rule per declared CIDR group name; a group without one is `open`."""
    service_tags: Optional[ServiceTagsSettings] = None
    """Azure service tags to declare as CIDR groups; none when unset."""
    cluster_name: Optional[str] = None
    """AKS cluster name; default `<project>-<stack>`. Other Azure names derive from it."""
    protect: bool = False
    """Set Pulumi's `protect` on the resource group and the cluster (prod)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Azure tags on every Azure resource the stack creates."""

    @field_validator("location")
    @classmethod
    def _location(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+", value):
            hint = re.sub(r"[^a-z0-9]", "", value.lower())
            raise ValueError(f"must be an Azure region name such as 'westeurope' (lowercase, no spaces); did you mean {hint!r}?")
        return value

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?", value):
            raise ValueError(
                "is not a valid AKS cluster name: 1-63 letters, digits, '-' and '_', starting and ending with a letter or digit"
            )
        return value


@dataclass(frozen=True)
class StackSettings:
    """The whole stack's settings: what `__main__.py` hands to the platform component."""

    project: str
    stack: str
    stack_file: str
    config: ProjectConfig

    @property
    def location(self) -> str:
        return self.config.location

    @property
    def network(self) -> NetworkSettings:
        return self.config.network

    @property
    def cluster(self) -> ClusterSettings:
        return self.config.cluster

    @property
    def cilium(self) -> CiliumSettings:
        return self.config.cilium

    @property
    def cidr_groups(self) -> tuple[CidrGroupSettings, ...]:
        return self.config.cidr_groups

    @property
    def egress_rules(self) -> dict[str, EgressRuleSettings]:
        return self.config.egress_rules

    @property
    def service_tags(self) -> Optional[ServiceTagsSettings]:
        return self.config.service_tags

    @property
    def protect(self) -> bool:
        return self.config.protect

    @property
    def tags(self) -> dict[str, str]:
        return self.config.tags

    @property
    def cluster_name(self) -> str:
        return self.config.cluster_name or f"{self.project}-{self.stack}"


# --- loading and error reporting -------------------------------------------------------


def _key_path(loc: tuple[Union[str, int], ...]) -> str:
    if not loc:
        return f"{PROJECT}:<root>"
    head, *rest = loc
    if head == "location":
        path = LOCATION_KEY
    else:
        path = f"{PROJECT}:{head}"
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _value_at(data: Any, loc: tuple[Union[str, int], ...]) -> tuple[bool, Any]:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, data


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def _section_model_at(loc: tuple[Union[str, int], ...]) -> Optional[type[BaseModel]]:
    """The settings model that owns the mapping at `loc`, to suggest its known keys."""
    model: Any = ProjectConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = next(
            (f for n, f in model.model_fields.items() if part in (n, f.alias)),
            None,
        )
        if field is None:
            # `loc` comes from a real error, so a part that names no field is a mapping's key
            # (the group name in `egressRules.<group>`): the model stays that of the values.
            continue
        model = section_model_in(field.annotation)
        if model is None:
            return None
    return model


def section_model_in(annotation: Any) -> Optional[type[BaseModel]]:
    """The config section (a `_Section` model) inside a field's annotation, if any."""
    if isinstance(annotation, type) and issubclass(annotation, _Section):
        return annotation
    for arg in typing.get_args(annotation):
        found = section_model_in(arg)
        if found is not None:
            return found
    return None


def _known_keys(model: type[BaseModel]) -> list[str]:
    keys = [f.alias or n for n, f in model.model_fields.items()]
    if model is ProjectConfig:
        keys = [LOCATION_KEY if k == "location" else f"{PROJECT}:{k}" for k in keys]
    return keys


def _field_at(loc: tuple[Union[str, int], ...]) -> Any:
    model = _section_model_at(loc[:-1])
    if model is None:
        return None
    return next((f for n, f in model.model_fields.items() if loc[-1] in (n, f.alias)), None)


def _missing_message(loc: tuple[Union[str, int], ...], path: str) -> str:
    field = _field_at(loc)
    section = section_model_in(field.annotation) if field is not None else None
    if section is not None:
        # A whole section is missing: name its required keys with an example each.
        needed = [(f.alias or n, f.examples) for n, f in section.model_fields.items() if f.is_required()]
        commands = "; ".join(
            f"`pulumi config set --path '{path}.{key}' {examples[0] if examples else '<value>'}`"
            for key, examples in needed
        )
        return f"{path}: required but not set; set {', '.join(k for k, _ in needed)}: {commands}"
    example = field.examples[0] if field is not None and field.examples else "<value>"
    return f"{path}: required but not set; set it with `pulumi config set --path '{path}' {example}`"


def _describe(error: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    path = _key_path(loc)
    kind = error["type"]
    if kind == "missing":
        return _missing_message(loc, path)
    if kind == "extra_forbidden":
        model = _section_model_at(loc[:-1])
        known = _known_keys(model) if model else []
        shown = path if len(loc) > 1 else f"{PROJECT}:{loc[-1]}"
        probe = shown.rsplit(".", 1)[-1] if len(loc) > 1 else shown
        by_lower = {k.lower(): k for k in known}
        close = difflib.get_close_matches(probe.lower(), list(by_lower), n=1, cutoff=0.6)
        hint = f"; did you mean {by_lower[close[0]]!r}?" if close else ""
        return f"{shown}: unknown key{hint} (known keys here: {', '.join(sorted(known))})"
    found, value = _value_at(data, loc)
    if kind == "value_error":
        problem = str(error["ctx"]["error"])
    else:
        problem = error["msg"][0].lower() + error["msg"][1:]
    return f"{path} = {_show(value)}: {problem}" if found else f"{path}: {problem}"


def _config_data(raw: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The project's keys as Python values; config values arrive as strings or JSON text."""
    data: dict[str, Any] = {}
    problems: list[str] = []
    prefix = f"{PROJECT}:"
    for key in sorted(raw):
        if not key.startswith(prefix):
            continue
        text = raw[key]
        try:
            data[key[len(prefix) :]] = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError:
            data[key[len(prefix) :]] = text  # a plain scalar string such as a name
    if LOCATION_KEY in raw:
        data["location"] = raw[LOCATION_KEY]
    elif "location" in data:
        problems.append(f"{PROJECT}:location: unknown key; the region is set as '{LOCATION_KEY}'")
        del data["location"]
    return data, problems


def load_settings(raw: Mapping[str, str], *, project: str, stack: str) -> StackSettings:
    """Parse and validate the raw config bag; raise `ConfigError` listing every problem."""
    stack_file = f"Pulumi.{stack}.yaml"
    data, problems = _config_data(raw)
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        problems += [_describe(e, data) for e in exc.errors(include_url=False)]
        raise ConfigError(stack_file, problems) from None
    if problems:
        raise ConfigError(stack_file, problems)
    settings = StackSettings(project=project, stack=stack, stack_file=stack_file, config=config)
    problems = cross_field_problems(settings)
    if problems:
        raise ConfigError(stack_file, problems)
    return settings


def raw_config_from_pulumi() -> dict[str, str]:
    """Every config value the engine gave this program, as `namespace:key` -> string.

    The SDK exposes single keys only, but unknown keys must be reported, so this reads the
    same sources `pulumi.Config` does: values set in-process (mocks, Automation API) and the
    PULUMI_CONFIG environment bag the language host passes to `pulumi up`.
    """
    from pulumi.runtime import config as runtime_config

    raw: dict[str, str] = dict(runtime_config.get_config_env())
    raw.update(runtime_config.CONFIG.get())
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


# --- cross-field rules ------------------------------------------------------------------

#: Helm values the stack derives from other settings; `aks-cilium:cilium.values` may not set
#: them, or the cluster and Cilium would disagree (FACTS.md "AKS BYOCNI install").
MANAGED_HELM_VALUES: dict[str, str] = {
    "aksbyocni.enabled": "always true: AKS runs in BYOCNI mode",
    "ipam.operator.clusterPoolIPv4PodCIDRList": "taken from aks-cilium:network.podCidr, so AKS and Cilium share one pod range",
    "hubble.relay.enabled": "always true: the stack promises Hubble relay",
    "hubble.ui.enabled": "always true: the stack promises the Hubble UI",
}

#: Helm values users may set, but only to these values, with the reason.
CONSTRAINED_HELM_VALUES: dict[str, tuple[Any, str]] = {
    "routingMode": ("tunnel", "aksbyocni requires tunnel routing; the chart fails otherwise"),
    "ipam.mode": ("cluster-pool", "the pod range must come from cluster-pool IPAM to match aks-cilium:network.podCidr"),
    "hubble.enabled": (True, "Hubble relay and UI need Hubble"),
}

#: Cilium's cluster-pool hands each node a block of this size unless the values say otherwise.
DEFAULT_CLUSTER_POOL_MASK_SIZE = 24


def flatten_values(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested Helm values as dotted paths, e.g. {'ipam': {'mode': x}} -> {'ipam.mode': x}."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten_values(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _overlap_problems(named: list[tuple[str, Any]], what: str) -> list[str]:
    problems = []
    for i, (name_a, net_a) in enumerate(named):
        for name_b, net_b in named[i + 1 :]:
            if net_a.version == net_b.version and net_a.overlaps(net_b):
                problems.append(f"{name_a} = '{net_a}' overlaps {name_b} = '{net_b}': {what}")
    return problems


def _network_problems(s: StackSettings) -> list[str]:
    net = s.network
    key = f"{PROJECT}:network"
    problems: list[str] = []
    if not net.node_subnet_cidr.subnet_of(net.vnet_cidr):
        problems.append(
            f"{key}.nodeSubnetCidr = '{net.node_subnet_cidr}': must lie inside {key}.vnetCidr = '{net.vnet_cidr}'"
        )
    problems += _overlap_problems(
        [
            (f"{key}.podCidr", net.pod_cidr),
            (f"{key}.serviceCidr", net.service_cidr),
            (f"{key}.vnetCidr", net.vnet_cidr),
        ],
        "pod, service and VNet ranges must be disjoint, or traffic is routed to the wrong place",
    )
    for field, cidr in (("podCidr", net.pod_cidr), ("serviceCidr", net.service_cidr)):
        for reserved in AKS_RESERVED_RANGES:
            if cidr.overlaps(reserved):
                problems.append(
                    f"{key}.{field} = '{cidr}': overlaps {reserved}, which AKS reserves;"
                    " pod and service CIDRs may not use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 or 192.0.2.0/24"
                )
    if net.service_cidr.prefixlen < 12:
        problems.append(
            f"{key}.serviceCidr = '{net.service_cidr}': too large; Kubernetes allows at most a /12 service range"
        )
    dns = net.dns_service_ip
    if dns not in net.service_cidr:
        problems.append(f"{key}.dnsServiceIp = '{dns}': must lie inside {key}.serviceCidr = '{net.service_cidr}'")
    elif dns == net.service_cidr.network_address:
        problems.append(f"{key}.dnsServiceIp = '{dns}': is the network address of {key}.serviceCidr; use e.g. {net.service_cidr[10]}")
    elif dns == net.service_cidr[1]:
        problems.append(
            f"{key}.dnsServiceIp = '{dns}': is the first address of {key}.serviceCidr, which Kubernetes gives"
            f" the API server service; use e.g. {net.service_cidr[10]}"
        )
    elif dns == net.service_cidr.broadcast_address:
        problems.append(f"{key}.dnsServiceIp = '{dns}': is the last address of {key}.serviceCidr; use e.g. {net.service_cidr[10]}")
    return problems


def _node_pool_problems(s: StackSettings) -> list[str]:
    pools = s.cluster.node_pools
    key = f"{PROJECT}:cluster.nodePools"
    problems: list[str] = []
    seen: set[str] = set()
    for i, pool in enumerate(pools):
        at = f"{key}[{i}]"
        if pool.name in seen:
            problems.append(f"{at}.name = '{pool.name}': node pool names must be unique")
        seen.add(pool.name)
        lowest = 1 if pool.mode == "System" else 0
        if pool.autoscaling:
            if pool.min_count is None or pool.max_count is None:
                problems.append(f"{at}: minCount and maxCount turn on the autoscaler together; set both or neither")
                continue
            if pool.min_count > pool.max_count:
                problems.append(f"{at}.minCount = {pool.min_count}: must not exceed maxCount = {pool.max_count}")
            if pool.min_count < lowest:
                problems.append(f"{at}.minCount = {pool.min_count}: a System pool needs at least 1 node")
            if pool.count is not None and not pool.min_count <= pool.count <= pool.max_count:
                problems.append(
                    f"{at}.count = {pool.count}: with the autoscaler the initial count must lie within"
                    f" minCount..maxCount ({pool.min_count}..{pool.max_count})"
                )
        elif pool.count is None:
            problems.append(
                f"{at}: set count (a fixed node count) or minCount and maxCount (autoscaler);"
                f" e.g. `pulumi config set --path '{at}.count' 2`"
            )
        elif pool.count < lowest:
            problems.append(f"{at}.count = {pool.count}: a System pool needs at least 1 node")
        if len(set(pool.zones)) != len(pool.zones):
            problems.append(f"{at}.zones = {list(pool.zones)}: zones must not repeat")
    if not any(p.mode == "System" for p in pools):
        problems.append(f"{key}: AKS needs at least one pool with mode 'System' to run its system pods")

    subnet = s.network.node_subnet_cidr
    usable = subnet.num_addresses - AZURE_SUBNET_RESERVED_ADDRESSES
    peak = sum(p.peak_nodes for p in pools)
    if peak > usable:
        problems.append(
            f"{PROJECT}:network.nodeSubnetCidr = '{subnet}': has {usable} usable addresses (Azure keeps"
            f" {AZURE_SUBNET_RESERVED_ADDRESSES}) but the node pools may grow to {peak} nodes including"
            " upgrade surge; use a larger subnet or lower maxCount/maxSurge"
        )
    mask = flatten_values(s.cilium.values).get(
        "ipam.operator.clusterPoolIPv4MaskSize", DEFAULT_CLUSTER_POOL_MASK_SIZE
    )
    pod = s.network.pod_cidr
    if isinstance(mask, int) and not isinstance(mask, bool):
        if mask <= pod.prefixlen:
            problems.append(
                f"{PROJECT}:network.podCidr = '{pod}': Cilium gives each node a /{mask} from it, so it must be"
                f" larger than /{mask}"
            )
        elif 2 ** (mask - pod.prefixlen) < peak:
            problems.append(
                f"{PROJECT}:network.podCidr = '{pod}': holds {2 ** (mask - pod.prefixlen)} per-node /{mask}"
                f" blocks but the node pools may grow to {peak} nodes; use a larger pod range"
            )
    return problems


def _cilium_problems(s: StackSettings) -> list[str]:
    key = f"{PROJECT}:cilium.values"
    flat = flatten_values(s.cilium.values)
    problems: list[str] = []
    for path, why in MANAGED_HELM_VALUES.items():
        if any(p == path or p.startswith(f"{path}.") for p in flat):
            problems.append(f"{key}.{path}: is set by the stack ({why}); remove it")
    for path, (allowed, why) in CONSTRAINED_HELM_VALUES.items():
        if path in flat and flat[path] != allowed:
            problems.append(f"{key}.{path} = {_show(flat[path])}: may only be {_show(allowed)} ({why})")
    return problems


def _cidr_group_problems(s: StackSettings) -> list[str]:
    key = f"{PROJECT}:cidrGroups"
    problems: list[str] = []
    seen: set[str] = set()
    for i, group in enumerate(s.cidr_groups):
        at = f"{key}[{i}]"
        if group.name in BUILTIN_CIDR_GROUPS:
            problems.append(
                f"{at}.name = '{group.name}': is a built-in group the stack always declares"
                f" ({', '.join(BUILTIN_CIDR_GROUPS)}); choose another name"
            )
        elif group.name in seen:
            problems.append(f"{at}.name = '{group.name}': CIDR group names must be unique")
        seen.add(group.name)
        for j, cidr, name, net in _in_cluster_overlaps(s, group.cidrs):
            problems.append(f"{at}.cidrs[{j}] = '{cidr}': overlaps {name} = '{net}'; {_IN_CLUSTER_WHY}")
    return problems


_IN_CLUSTER_WHY = "in-cluster addresses are identified by workload labels, so a CIDR group there would never match"


def _in_cluster_overlaps(s: StackSettings, cidrs: typing.Iterable[Any]) -> typing.Iterator[tuple[int, Any, str, Any]]:
    """(index, CIDR, key, range) for each CIDR that overlaps the pod or service range."""
    internal = [(f"{PROJECT}:network.podCidr", s.network.pod_cidr), (f"{PROJECT}:network.serviceCidr", s.network.service_cidr)]
    for j, cidr in enumerate(cidrs):
        for name, net in internal:
            if cidr.version == net.version and cidr.overlaps(net):
                yield j, cidr, name, net


def _service_tag_problems(s: StackSettings) -> list[str]:
    section = s.service_tags
    if section is None:
        return []
    key = f"{PROJECT}:serviceTags"
    owners = {name: "a built-in group" for name in BUILTIN_CIDR_GROUPS}
    owners.update({g.name: f"{PROJECT}:cidrGroups[{i}]" for i, g in enumerate(s.cidr_groups)})
    by_tag: dict[str, list[str]] = {}
    for group in section.groups:
        by_tag.setdefault(group.tag, []).append(group.name)
    problems: list[str] = []
    for i, tag in enumerate(section.tags):
        at = f"{key}.tags[{i}] = {tag!r}"
        names = by_tag.get(tag, [])
        if not names:
            what = "IPv4 prefixes" if section.ipv4_only else "address prefixes"
            why = f" and {key}.ipv4Only is true" if section.ipv4_only else ""
            problems.append(f"{at}: has no {what} in {section.file.name}{why}, so it would declare no CIDR group")
        for name in names:
            if name in owners:
                problems.append(f"{at}: its CIDR group name '{name}' is already used by {owners[name]}; names must be unique")
            owners.setdefault(name, f"{key}.tags[{i}]")
        overlaps = list(_in_cluster_overlaps(s, section.file.networks(tag)))
        for _, cidr, name, net in overlaps[:3]:
            problems.append(f"{at}: its prefix '{cidr}' in {section.file.name} overlaps {name} = '{net}'; {_IN_CLUSTER_WHY}")
        if len(overlaps) > 3:
            problems.append(f"{at}: {len(overlaps) - 3} more of its prefixes overlap the pod or service range")
    return problems


def cross_field_problems(s: StackSettings) -> list[str]:
    """Rules that compare several settings; each problem names the keys it involves."""
    return _network_problems(s) + _node_pool_problems(s) + _cilium_problems(s) + _cidr_group_problems(s) + _egress_rule_problems(s) + _service_tag_problems(s)

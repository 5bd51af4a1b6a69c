"""The run wing: the real program on the mock engine, and the model of what it declared.

The other wings import from here only: the model (`offline.run.model`), the objects it emits,
the deploy graph and the resource-type table.
"""

from offline.run.answers import UNKNOWN, Answer, ClientConfig, ResourceAnswers, ResourceRequest
from offline.run.engine import DEFAULT_ENGINE, EngineOptions, ProgramRun, run_program, start_mocks
from offline.run.graph import DeployGraph, build_graph, to_dot, typical_minutes
from offline.run.mocks import FAKE_DEPLOYER_OBJECT_ID
from offline.run.model import HelmRelease, KubernetesObject, Read, Registration, StackOutput, Validation
from offline.run.objects import HIDDEN_INPUTS, cilium_version, custom_resource_kind, helm_releases, kubernetes_objects, plain
from offline.run.replace_rules import AGENT_POOL_FIXED_FIELDS, covers
from offline.run.resource_types import (
    AGENT_POOL_TYPE,
    CILIUM_CHART,
    HELM_RELEASE_TYPE,
    KUBERNETES_PROVIDER_TYPE,
    MANAGED_CLUSTER_TYPE,
    SECRET_PLACEHOLDER,
    UNKNOWN_PLACEHOLDER,
    UnknownResourceType,
    resource_type,
    types_without_row,
)
from offline.run.stack_files import yaml_io
from offline.run.stack_files.plain_values import plain_numbers
from offline.run.stack_files.stack_config import StackConfig, StackFileError, list_stacks, read_stack_config, with_notes
from offline.run.urns import resource_urn, urn_name

__all__ = [
    "UNKNOWN", "Answer", "ClientConfig", "ResourceAnswers", "ResourceRequest",
    "AGENT_POOL_FIXED_FIELDS", "AGENT_POOL_TYPE", "CILIUM_CHART", "DEFAULT_ENGINE", "FAKE_DEPLOYER_OBJECT_ID", "HELM_RELEASE_TYPE", "HIDDEN_INPUTS", "KUBERNETES_PROVIDER_TYPE",
    "MANAGED_CLUSTER_TYPE", "SECRET_PLACEHOLDER", "UNKNOWN_PLACEHOLDER", "DeployGraph", "EngineOptions", "HelmRelease",
    "KubernetesObject", "ProgramRun", "Read", "Registration", "StackConfig", "StackFileError", "StackOutput", "Validation",
    "build_graph", "cilium_version", "covers", "custom_resource_kind", "helm_releases", "kubernetes_objects", "list_stacks",
    "plain", "plain_numbers", "read_stack_config", "resource_type", "resource_urn", "run_program", "start_mocks", "to_dot",
    "typical_minutes", "types_without_row", "UnknownResourceType", "urn_name", "with_notes", "yaml_io",
]

"""aks-cilium: AKS in BYOCNI mode, Cilium with Hubble, and CIDR groups for Azure's addresses."""

from pathlib import Path

import pulumi

from components.kubeconfig import kubeconfig_login
from components.platform import AksCiliumPlatform, hubble_ui_command
from settings.common.placeholders import check_placeholders
from settings.common.pulumi_config import raw_config_from_pulumi, secret_keys_from_pulumi
from settings.stack import load_settings

# Every config problem is reported here, before the first resource is declared.
raw_config = raw_config_from_pulumi()
# A fleet member reads its peers' stack files beside this file (docs/fleet.md).
settings = load_settings(
    raw_config, project=pulumi.get_project(), stack=pulumi.get_stack(), secret_keys=secret_keys_from_pulumi(raw_config), project_dir=Path(__file__).resolve().parent
)
# Documentation addresses and zero GUIDs: a preview warns, a real `pulumi up` stops here.
warning = check_placeholders(settings.stack_file, settings.placeholders, dry_run=pulumi.runtime.is_dry_run())
if warning:
    pulumi.log.warn(warning)
for loud in settings.warnings:
    pulumi.log.warn(f"{settings.stack_file}: {loud}")

platform = AksCiliumPlatform("aks-cilium", settings)

pulumi.export("resourceGroupName", platform.resource_group_name)
pulumi.export("clusterName", platform.cluster_name)
pulumi.export("oidcIssuerUrl", platform.oidc_issuer_url)
pulumi.export("kubeconfig", platform.kubeconfig)
pulumi.export("kubeconfigLogin", kubeconfig_login(settings.cluster.disable_local_accounts, settings.cluster.kubelogin))
pulumi.export("cidrGroupNames", platform.cidr_groups.names)
if settings.service_tags is not None:
    pulumi.export("serviceTagsSource", settings.service_tags.source)
pulumi.export("hubbleUiCommand", hubble_ui_command())
# What the next run checks its steps against (components/deployed_guard.py), e.g. ciliumVersion.
for name, value in platform.deployed.recorded.items():
    pulumi.export(name, value)

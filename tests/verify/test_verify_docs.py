"""docs/verify.md and the README's manual commands say what the code does."""

from __future__ import annotations

import re

from tests.verify.conftest import PROJECT_DIR
from verify import commands

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
GUIDE = (PROJECT_DIR / "docs" / "verify.md").read_text(encoding="utf-8")


def readme_section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_reads_cidr_group_labels_from_json_and_ipam_from_the_configmap():
    section = readme_section("Verify on the cluster")
    observes = [line for line in section.splitlines() if "hubble observe" in line]
    assert observes and all(re.search(r"-o (json|jsonpb)\b", line) for line in observes)
    assert "IPAM: ClusterPool" not in README
    assert "cilium-config" in section and "spec.ipam.podCIDRs" in section
    assert "make verify" in section and "docs/verify.md" in section


def test_every_replay_key_is_documented():
    tools = commands.Tools(relay="localhost:4245")
    keys = [
        commands.get_nodes(tools).key,
        commands.get_agents(tools).key,
        commands.get_cilium_config(tools).key,
        commands.get_cilium_nodes(tools).key,
        commands.get_relay(tools).key,
        commands.get_cidr_groups(tools).key,
        commands.get_policies(tools).key,
    ]
    for key in keys:
        assert f"| `{key}` |" in GUIDE, key
    assert "`hubble-observe-<group>-<agent pod>`" in GUIDE and commands.observe(tools, "g", "1.2.3.4", "pod").key == "hubble-observe-g-pod"
    assert "`hubble-observe-<group>-relay`" in GUIDE and commands.observe(tools, "g", "1.2.3.4", None).key == "hubble-observe-g-relay"


def test_the_documented_exit_codes_are_the_codes():
    from verify.model import EXIT_ALL_INCONCLUSIVE, EXIT_FAILED, EXIT_USAGE

    for code in (EXIT_FAILED, EXIT_USAGE, EXIT_ALL_INCONCLUSIVE):
        assert f"\n| {code} |" in GUIDE

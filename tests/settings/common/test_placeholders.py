"""Placeholders (documentation addresses, all-zero GUIDs) never reach Azure: a preview and the
offline plan warn naming each key, a real `pulumi up` refuses before declaring anything."""

from __future__ import annotations

import pytest

from offline.run.engine import start_mocks
from settings.common.errors import ConfigError
from settings.common.placeholders import ZERO_GUID, check_placeholders, find_placeholders
from tests.harness import ProgramTestCase, load_stack_settings, plan

PROD_PLACEHOLDERS = [
    "aks-cilium:cluster.admins[0].objectId",
    "aks-cilium:cluster.authorizedIpRanges[0]",
    "aks-cilium:cluster.authorizedIpRanges[1]",
]
REAL_VALUES = {
    "aks-cilium:cluster": {
        "authorizedIpRanges": ["20.50.2.0/24", "52.174.10.7/32"],
        "admins": [{"objectId": "5b8e2f1c-3d4a-4e6f-9a7b-1c2d3e4f5a6b", "principalType": "Group"}],
    }
}


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("192.0.2.10", "an address reserved for documentation (RFC 5737)"),
        ("198.51.100.0/24", "a range reserved for documentation (RFC 5737)"),
        ("203.0.113.128/25", "a range reserved for documentation (RFC 5737)"),
        ("2001:db8:1::/48", "a range reserved for documentation (RFC 3849)"),
        ("3fff::/24", "a range reserved for documentation (RFC 9637)"),
        (ZERO_GUID.upper(), "the all-zero GUID"),
    ],
)
def test_documentation_addresses_and_the_zero_guid_are_placeholders(value, what):
    [found] = find_placeholders({"cidrGroups": [{"name": "x", "cidrs": [value]}]})
    assert (found.path, found.value, found.message) == ("aks-cilium:cidrGroups[0].cidrs[0]", value, f"is {what}, a placeholder")


@pytest.mark.parametrize("value", ["10.0.0.0/8", "192.0.3.0/24", "2001:db9::/32", "0.0.0.0/0", "192.0.0.0/16", "2000::/3", "11111111-1111-1111-1111-111111111111", "westeurope", "1"])
def test_real_values_are_not_placeholders(value):
    assert find_placeholders({"tags": {"x": value}, "cluster": {"nodePools": [{"count": 1}]}}) == ()


def test_the_shipped_prod_stack_has_exactly_its_documented_placeholders():
    assert [p.path for p in load_stack_settings("prod").placeholders] == PROD_PLACEHOLDERS
    assert load_stack_settings("dev").placeholders == ()


def test_a_zero_admin_group_id_is_a_placeholder_that_says_how_to_find_the_real_one():
    [found] = load_stack_settings("dev", {"aks-cilium:cluster": {"admins": [{"objectId": ZERO_GUID, "principalType": "Group"}]}}).placeholders
    assert str(found) == (
        f"aks-cilium:cluster.admins[0].objectId = '{ZERO_GUID}': is the all-zero GUID, a placeholder; put the object ID"
        " of your Entra ID admin group (`az ad group show --group <name> --query id -o tsv`) or of the user or service principal"
    )


def test_a_preview_gets_one_warning_naming_every_key_and_what_to_put_there():
    settings = load_stack_settings("prod")
    warning = check_placeholders(settings.stack_file, settings.placeholders, dry_run=True)
    assert warning.startswith("PLACEHOLDERS in Pulumi.prod.yaml: `pulumi up` will refuse to deploy until you replace these 3 values:")
    for key in PROD_PLACEHOLDERS:
        assert f"  - {key} = '" in warning
    assert "public egress ranges" in warning


def test_a_real_deployment_refuses_every_placeholder_with_its_key():
    settings = load_stack_settings("prod")
    with pytest.raises(ConfigError) as caught:
        check_placeholders(settings.stack_file, settings.placeholders, dry_run=False)
    assert str(caught.value).startswith("invalid stack configuration in Pulumi.prod.yaml (3 problems):")
    assert [p.path for p in caught.value.problems] == PROD_PLACEHOLDERS
    assert all(str(p).endswith("(a real `pulumi up` refuses placeholders)") for p in caught.value.problems)


def test_nothing_to_replace_means_no_warning_and_no_error():
    assert check_placeholders("Pulumi.dev.yaml", (), dry_run=False) == ""


class ProdPlaceholders(ProgramTestCase):
    stack = "prod"

    async def test_a_preview_warns_naming_each_key_and_still_declares_the_stack(self):
        run = await self.run_program()
        [warning] = run.warnings
        self.assertTrue(all(key in warning for key in PROD_PLACEHOLDERS), warning)
        self.assertGreater(len(run.registrations), 10)

    async def test_a_real_pulumi_up_refuses_before_any_resource_is_declared(self):
        self.monitor = start_mocks(self.config, preview=False)
        with self.assertRaises(ConfigError) as caught:
            await self.run_program()
        self.assertEqual([p.path for p in caught.exception.problems], PROD_PLACEHOLDERS)
        self.assertEqual(self.monitor.registrations, [])

    async def test_a_real_pulumi_up_with_real_ranges_deploys_without_a_warning(self):
        from tests.harness import changed_config

        self.config = changed_config(self.config, REAL_VALUES)
        self.monitor = start_mocks(self.config, preview=False)
        run = await self.run_program()
        self.assertEqual(run.warnings, [])
        self.assertGreater(len(run.registrations), 10)


def test_the_offline_plan_of_prod_prints_the_warning_and_still_succeeds(tmp_path):
    result = plan("prod", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "\nWARNING: PLACEHOLDERS in Pulumi.prod.yaml" in result.stdout
    assert result.stderr.startswith("plan: warning: PLACEHOLDERS in Pulumi.prod.yaml")
    for key in PROD_PLACEHOLDERS:
        assert key in result.stdout and key in result.stderr
    assert "WARNING" in result.file("plan.txt")

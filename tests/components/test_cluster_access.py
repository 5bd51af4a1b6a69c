"""Cluster access: who is cluster-admin comes from `aks-cilium:cluster.admins`, never from whoever
runs `pulumi up`; each admin's role sits on the resource group, is created alongside the cluster,
and everything on the cluster waits for it; bad admin lists are refused."""

from __future__ import annotations

from components.cluster import role_assignment_name
from components.cluster_access import AKS_RBAC_CLUSTER_ADMIN_ROLE
from offline.run import EngineOptions
from offline.run.engine import run_program, start_mocks
from tests.harness import PROJECT_DIR, ProgramTestCase, fingerprint_of, load_stack_settings, problems_for

ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
CLUSTER = "azure-native:containerservice:ManagedCluster"
RELEASE = "kubernetes:helm.sh/v3:Release"
PROVIDER = "pulumi:providers:kubernetes"

TEAM = {"objectId": "4a4a4a4a-4444-4444-4444-44444444444a", "principalType": "Group"}
CI = {"objectId": "55555555-5555-5555-5555-555555555555", "principalType": "ServicePrincipal"}
ANOTHER_DEPLOYER = "66666666-6666-6666-6666-666666666666"


def admins(*entries: dict) -> dict:
    return {"aks-cilium:cluster": {"admins": list(entries)}}


def admin_grants(run) -> dict:
    found = [r for r in run.by_type(ROLE_ASSIGNMENT) if r.inputs["roleDefinitionId"].endswith(f"/{AKS_RBAC_CLUSTER_ADMIN_ROLE}")]
    return {r.inputs["principalId"]: r for r in found}


def test_rejects_an_object_id_that_is_not_a_guid():
    (problem,) = problems_for(admins({"objectId": "platform-admins", "principalType": "Group"}))
    assert problem.startswith("aks-cilium:cluster.admins[0].objectId = 'platform-admins': is not an Entra ID object ID")


def test_rejects_an_unknown_principal_type():
    (problem,) = problems_for(admins({**TEAM, "principalType": "Robot"}))
    assert problem == "aks-cilium:cluster.admins[0].principalType = 'Robot': input should be 'User', 'Group' or 'ServicePrincipal'"


def test_rejects_an_admin_without_a_principal_type():
    (problem,) = problems_for(admins({"objectId": TEAM["objectId"]}))
    assert problem.startswith("aks-cilium:cluster.admins[0].principalType: required but not set")


def test_rejects_the_same_principal_twice_even_in_another_spelling():
    (problem,) = problems_for(admins(TEAM, CI, {**TEAM, "objectId": TEAM["objectId"].upper()}))
    assert problem.startswith(f"aks-cilium:cluster.admins[2].objectId = '{TEAM['objectId']}': already listed as aks-cilium:cluster.admins[0]")


def test_rejects_no_admins_when_only_entra_id_logins_exist():
    (problem,) = problems_for(admins(), stack="prod")
    assert problem.startswith("aks-cilium:cluster.admins = []: with aks-cilium:cluster.disableLocalAccounts = true")
    assert "list the identity that runs `pulumi up`, or a group it is in" in problem


def test_accepts_no_admins_when_the_static_admin_kubeconfig_installs_cilium():
    # Dev: local accounts on, so the admin kubeconfig (not Azure RBAC) installs Cilium.
    assert load_stack_settings("dev", admins()).cluster.admins == ()


class DevClusterAccess(ProgramTestCase):
    stack = "dev"

    async def test_each_admin_gets_aks_rbac_cluster_admin_on_the_resource_group_with_its_type(self):
        run = await self.run_program(admins(TEAM, CI))
        group = run.one("azure-native:resources:ResourceGroup")
        grants = admin_grants(run)
        self.assertEqual(sorted(grants), [TEAM["objectId"], CI["objectId"]])
        for admin in (TEAM, CI):
            grant = grants[admin["objectId"]]
            self.assertEqual(grant.inputs["scope"], group.state["id"], grant.urn)
            self.assertEqual(grant.inputs["principalType"], admin["principalType"], grant.urn)
            self.assertTrue(grant.delete_before_replace, grant.urn)

    async def test_admin_grants_are_created_alongside_the_cluster_not_after_it(self):
        run = await self.run_program(admins(TEAM))
        cluster = run.one(CLUSTER)
        (grant,) = admin_grants(run).values()
        self.assertNotIn(cluster.urn, grant.dependencies)
        self.assertEqual([run.by_urn(u).type for u in grant.dependencies], ["azure-native:resources:ResourceGroup"])

    async def test_the_provider_and_the_cilium_release_wait_for_every_admin_grant(self):
        run = await self.run_program(admins(TEAM, CI))
        for grant in admin_grants(run).values():
            self.assertIn(grant.urn, run.one(RELEASE).dependencies)
            self.assertIn(grant.urn, run.one(PROVIDER).dependencies)

    async def test_the_deployer_gets_no_role_unless_config_lists_it(self):
        run = await self.run_program()
        self.assertEqual(admin_grants(run), {})

    async def test_grant_names_are_guids_of_cluster_name_principal_and_role(self):
        run = await self.run_program(admins(TEAM))
        grant = admin_grants(run)[TEAM["objectId"]]
        expected = role_assignment_name("aks-cilium-dev", TEAM["objectId"], AKS_RBAC_CLUSTER_ADMIN_ROLE)
        self.assertEqual(grant.inputs["roleAssignmentName"], expected, grant.urn)

    async def test_a_run_by_another_principal_declares_identical_role_assignments(self):
        before = sorted(fingerprint_of(r) for r in (await self.run_program(admins(TEAM, CI))).by_type(ROLE_ASSIGNMENT))
        self.monitor = start_mocks(self.config, options=EngineOptions(principal=ANOTHER_DEPLOYER))
        run = await run_program(PROJECT_DIR, self.config, self.monitor)
        after = sorted(fingerprint_of(r) for r in run.by_type(ROLE_ASSIGNMENT))
        self.assertEqual(len(before), 3)  # two admins and the identity's subnet role
        self.assertEqual(before, after)

    async def test_changing_admins_leaves_the_clusters_registration_identical(self):
        one = fingerprint_of((await self.run_program(admins(TEAM))).one(CLUSTER))
        two = fingerprint_of((await self.run_program(admins(TEAM, CI))).one(CLUSTER))
        self.assertEqual(one, two)


class ProdClusterAccess(ProgramTestCase):
    stack = "prod"

    async def test_prod_grants_cluster_admin_to_the_configured_group(self):
        run = await self.run_program()
        (grant,) = admin_grants(run).values()
        self.assertEqual(grant.inputs["principalType"], "Group", grant.urn)

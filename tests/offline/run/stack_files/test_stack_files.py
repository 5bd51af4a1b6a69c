"""Stack files as people really write them, planned end to end (`python -m offline.plan`).

One table, one row per mistake, at least two rows per kind of mistake (issue #12). Every row
plans a test-only stack file in a temporary copy of the program and asserts the exit code (2 for
every input error, 1 only for a schema violation, 0 for what must pass), the key path and the
words of the message, and that no traceback is ever printed. The plans run in this process
(`offline.plan.main`, tests/harness.py `plan`); tests/offline/test_plan.py runs the real command line.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest

from offline.run.stack_files.stack_config import StackFileError, copy_program, read_stack_config, with_notes
from settings.common.problems import UNSET, Problem, Written
from tests.harness import CILIUM_REFERENCE_DIR, PROJECT_DIR, PlanResult, plan, skip_or_fail
from tests.service_tag_data import small_document

NETWORK = "{vnetCidr: 10.10.0.0/16, nodeSubnetCidr: 10.10.0.0/22, podCidr: 10.244.0.0/16, serviceCidr: 10.0.0.0/16, dnsServiceIp: 10.0.0.10}"


#: Cilium's cluster identity, which every stack sets (settings/mesh/identity.py).
IDENTITY = "cluster: {name: t, id: 1}"


def stack(
    *lines: str, location: Optional[str] = "azure-native:location: westeurope", network: bool = True, cluster: str = ""
) -> str:
    """A small valid stack file plus `lines` under `config:`; `cluster` adds keys to `aks-cilium:cluster`
    (and the cluster identity unless `lines` set aks-cilium:cilium)."""
    head = [f"  {location}"] if location else []
    head += [f"  aks-cilium:network: {NETWORK}"] if network else []
    head += [f"  aks-cilium:cluster: {{disableLocalAccounts: false{', ' + cluster if cluster else ''}}}"]
    # Last, so the line numbers the cases expect stay those of `lines`.
    tail = [f"  aks-cilium:cilium: {{{IDENTITY}}}"] if not any(line.startswith("aks-cilium:cilium:") for line in lines) else []
    return "config:\n" + "\n".join([*head, *(f"  {line}" for line in lines), *tail]) + "\n"


def network(vnet: str = "10.10.0.0/16", subnet: str = "10.10.0.0/22", **ranges: str) -> str:
    """`aks-cilium:network` with some of the small valid stack's ranges replaced."""
    values = {"vnetCidr": vnet, "nodeSubnetCidr": subnet, "podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIp": "10.0.0.10"}
    values.update(ranges)
    return "aks-cilium:network: {" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}"


def pools(*pool: str) -> str:
    return "nodePools: [" + ", ".join("{" + p + "}" for p in pool) + "]"


def tags_file(name: str, raw: bytes) -> dict[str, bytes]:
    return {name: raw}


TAGS_JSON = json.dumps(small_document()).encode("utf-8")
ESC_IMPORT = "environment:\n  - platform/aks-dev\n"
#: What `pulumi env open platform/aks-dev --format json` prints for an environment whose pulumiConfig holds the location and network.
ESC_VALUES = json.dumps(
    {
        "pulumiConfig": {
            "azure-native:location": "westeurope",
            "network": {"vnetCidr": "10.10.0.0/16", "nodeSubnetCidr": "10.10.0.0/22", "podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16", "dnsServiceIp": "10.0.0.10"},
        },
        "environmentVariables": {},
    }
).encode()
TWICE = small_document()
TWICE["values"].append(dict(TWICE["values"][1]))


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    """The issue's class of mistake (1-11)."""
    stack_file: str
    code: int
    words: tuple[str, ...] = ()
    """Fragments stderr must contain (stdout for exit code 0)."""
    absent: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    files: dict[str, bytes] = field(default_factory=dict)
    """Files in the project copy; `{project}` in the stack file is its folder."""
    before: Optional[Callable[[Path], None]] = None
    """Prepares the output folder."""
    after: Optional[Callable[[Path], None]] = None
    """Checks the output folder."""
    schemas: bool = False


def user_file(relative: str) -> Callable[[Path], None]:
    def put(out: Path) -> None:
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text("# my own notes\n", encoding="utf-8")

    return put


def still_there(relative: str, written: bool) -> Callable[[Path], None]:
    def check(out: Path) -> None:
        assert (out / relative).read_text(encoding="utf-8") == "# my own notes\n"
        record = out / ".plan-files.json"
        assert record.is_file() == written
        if written:
            assert relative not in json.loads(record.read_text(encoding="utf-8"))["files"]

    return check


CASES = [
    # 1. near-miss namespaces
    Case("namespace-extra-letter", "1", stack("aks-cillium:egressRules: {azure-imds: {mode: restricted, allowNamespaces: [kube-system]}}"), 2,
         ("aks-cillium:egressRules: the namespace 'aks-cillium' is not 'aks-cilium'", "did you mean 'aks-cilium:egressRules'?")),
    Case("namespace-missing-letter", "1", stack("aks-cilum:protect: true"), 2, ("aks-cilum:protect:", "did you mean 'aks-cilium:protect'?")),
    Case("namespace-case-and-separator", "1", stack(location="Azure_Native:location: westeurope"), 2,
         ("Azure_Native:location: the namespace 'Azure_Native' is not 'azure-native'", "did you mean 'azure-native:location'?")),
    Case("classic-azure-location", "1", stack(location="azure:location: westeurope"), 2,
         ("azure-native:location: required but not set; azure:location is set, but that is the classic azure provider's key",),
         ("azure-native:location: required but not set; set it",)),
    Case("other-namespaces-pass", "1", stack("kubernetes:context: my-cluster", "pulumi:disable-default-providers: ['*']"), 0, ("Plan for stack",)),
    # 2. values that are not JSON data, recursive aliases, non-text keys
    Case("date-in-tags", "2", stack("aks-cilium:tags: {expires: 2026-12-31}"), 2,
         ("Pulumi.t.yaml: line 5: aks-cilium:tags.expires = 2026-12-31: is a date or time to YAML", "quote it ('2026-12-31')")),
    Case("date-in-labels", "2", stack("aks-cilium:cidrGroups:", "  - name: corp", "    cidrs: [203.0.113.0/24]", "    labels: {expires: 2026-12-31}"), 2,
         ("line 8: aks-cilium:cidrGroups[0].labels.expires = 2026-12-31: is a date",)),
    Case("binary", "2", stack("aks-cilium:tags: {owner: !!binary aGk=}"), 2, ("line 5: aks-cilium:tags.owner = aGk=: is bytes (!!binary)",)),
    Case("recursive-alias", "2", stack("aks-cilium:cidrGroups: &groups [{name: corp, cidrs: *groups}]"), 2,
         ("line 5: aks-cilium:cidrGroups[0].cidrs: is an alias (*name) of a mapping or list that contains it",)),
    Case("number-key", "2", stack("aks-cilium:tags: {1: one}"), 2, ("line 5: aks-cilium:tags: has the key 1, which YAML reads as a number", "quote it ('1')")),
    Case("boolean-key", "2", stack("aks-cilium:tags:", "  on: call"), 2, ("line 6: aks-cilium:tags: has the key on, which YAML reads as a boolean",)),
    # 3. keys set twice, at any depth
    Case("top-level-twice", "3", stack("aks-cilium:protect: true", "aks-cilium:protect: false"), 2,
         ("line 6: aks-cilium:protect: is set twice in one mapping (first at line 5); the Pulumi CLI refuses that",)),
    Case("nested-twice", "3", stack("aks-cilium:cilium:", "  values:", "    operator: {replicas: 1}", "    operator: {replicas: 2}"), 2,
         ("line 8: aks-cilium:cilium.values.operator: is set twice in one mapping (first at line 7)",)),
    # 4. YAML coercions, and quoted text taken as text
    Case("no-as-name", "4", stack("aks-cilium:cidrGroups: [{name: no, cidrs: [203.0.113.0/24]}]"), 2,
         ("line 5: aks-cilium:cidrGroups[0].name = no: YAML 1.1 reads no as the boolean false", "quote it ('no') for text")),
    Case("trailing-zero-version", "4", stack("aks-cilium:cilium: {version: 1.20.0, values: {}}", "aks-cilium:tags: {release: 1.30}"), 2,
         ("aks-cilium:tags.release = 1.3: must be text, not a number", "(line 6 has 1.30, which YAML reads as the number 1.3: write '1.30'")),
    Case("octal-looking", "4", stack("aks-cilium:tags: {costCenter: 0755}"), 2, ("aks-cilium:tags.costCenter = 0755: YAML 1.1 and the Pulumi CLI read 0755 as the octal number 493",)),
    Case("quoted-number-name", "4", stack('aks-cilium:clusterName: "20251"'), 0, ("resourceName: '20251'",)),
    Case("unquoted-number-name", "4", stack("aks-cilium:clusterName: 20251"), 0, ("resourceName: '20251'",)),
    # 5. secure values
    Case("secure-location", "5", stack(location="azure-native:location: {secure: v1:AAAA}"), 2,
         ("azure-native:location: holds an encrypted value (secure:), but no key of this stack may be secret",),
         ("did you mean", "required but not set")),
    Case("secure-pod-cidr", "5", stack("aks-cilium:network: {vnetCidr: 10.10.0.0/16, nodeSubnetCidr: 10.10.0.0/22, podCidr: {secure: v1:AAAA}, serviceCidr: 10.0.0.0/16, dnsServiceIp: 10.0.0.10}", network=False), 2,
         ("aks-cilium:network: holds an encrypted value (secure:)",), ("must be", "[secret]'")),
    # 6. HTTP paths in RE2
    Case("negative-lookahead", "6", stack("aks-cilium:egressRules: {azure-imds: {mode: restricted, allowNamespaces: [kube-system], ports: [80], httpGetPaths: ['/metadata/(?!identity).*']}}"), 2,
         ("aks-cilium:egressRules.azure-imds.httpGetPaths[0] = '/metadata/(?!identity).*': uses a negative lookahead (?!...), which Cilium's proxy (Envoy, RE2 syntax) does not support",)),
    Case("backreference", "6", stack("aks-cilium:egressRules: {azure-imds: {mode: restricted, allowNamespaces: [kube-system], ports: [80], httpGetPaths: ['/(a)\\1']}}"), 2,
         ("httpGetPaths[0] = '/(a)\\\\1': uses a backreference \\1",)),
    # 7. unknown top-level Helm values (a schema violation: exit code 1)
    Case("helm-hubbel", "7", stack(f"aks-cilium:cilium: {{{IDENTITY}, values: {{hubbel: {{relay: {{replicas: 2}}}}}}}}"), 1,
         ("helm values: hubbel: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.hubbel; did you mean 'hubble'?",), schemas=True),
    Case("helm-case", "7", stack(f"aks-cilium:cilium: {{{IDENTITY}, values: {{Operator: {{replicas: 1}}}}}}"), 1, ("aks-cilium:cilium.values.Operator; did you mean 'operator'?",), schemas=True),
    # 8. messages in the stack file's words, every problem of a value
    Case("section-as-text", "8", stack("aks-cilium:cilium: latest"), 2,
         ("aks-cilium:cilium = 'latest': must be a mapping of keys to values (keys: chartRepository, cluster, values, version)",), ("CiliumSettings", "instance of")),
    Case("section-as-list", "8", stack("aks-cilium:egressRules: [azure-imds]"), 2, ("aks-cilium:egressRules = [\"azure-imds\"]: must be a mapping of keys to values",), ("dict", "instance of")),
    Case("accented-region", "8", stack(location="azure-native:location: wéstëurope"), 2, ("did you mean 'westeurope'?",)),
    Case("two-bad-labels", "8", stack("aks-cilium:cidrGroups: [{name: corp, cidrs: [203.0.113.0/24], labels: {a: 'b c', b: '-x'}}]"), 2,
         ("label value 'b c' is invalid", "label value '-x' is invalid")),
    # 9. service-tag files
    Case("tags-with-bom", "9", stack("aks-cilium:serviceTags: {file: '{project}/tags.json', tags: [AzureActiveDirectory]}"), 0,
         ("azure-service-tag-azureactivedirectory",), files=tags_file("tags.json", codecs.BOM_UTF8 + TAGS_JSON)),
    Case("tags-in-utf16", "9", stack("aks-cilium:serviceTags: {file: '{project}/tags.json', tags: [AzureActiveDirectory]}"), 2,
         ("tags.json is UTF-16LE text, not the UTF-8 JSON Azure publishes", "iconv -f UTF-16 -t UTF-8", "Set-Content -Encoding utf8"),
         files=tags_file("tags.json", codecs.BOM_UTF16_LE + TAGS_JSON.decode().encode("utf-16-le"))),
    Case("tag-twice-in-file", "9", stack("aks-cilium:serviceTags: {file: '{project}/tags.json', tags: [AzureActiveDirectory]}"), 2,
         ("tags.json lists a tag more than once ('AzureActiveDirectory' at values[1], values[3])",),
         files=tags_file("tags.json", json.dumps(TWICE).encode())),
    # 10. the output folder: never delete or overwrite a file the plan did not write
    Case("users-yaml-in-kubernetes", "10", stack(), 2, ("holds files the plan did not write, where it writes its own: kubernetes/mine.yaml", "--overwrite"),
         before=user_file("kubernetes/mine.yaml"), after=still_there("kubernetes/mine.yaml", written=False)),
    Case("users-yaml-in-helm", "10", stack(), 2, ("helm/values-notes.yaml",), before=user_file("helm/values-notes.yaml"), after=still_there("helm/values-notes.yaml", written=False)),
    Case("overwrite-keeps-users-file", "10", stack(), 0, ("Plan for stack",), args=("--overwrite",),
         before=user_file("kubernetes/mine.yaml"), after=still_there("kubernetes/mine.yaml", written=True)),
    # 11. exit codes: bad options and broken YAML are input errors too
    Case("invalid-yaml", "11", "config:\n  aks-cilium:tags: {a: [}\n", 2, ("Pulumi.t.yaml: is not valid YAML at line 2",)),
    Case("not-a-mapping", "11", "- config\n", 2, ("Pulumi.t.yaml: must be a mapping with a `config:` key",)),
    # 12. accepted offline, then refused by Azure or AKS (issue #18)
    Case("vnet-link-local", "12", stack(network("169.254.0.0/16", "169.254.0.0/22"), network=False), 2,
         ("aks-cilium:network.vnetCidr = '169.254.0.0/16': overlaps 169.254.0.0/16, which AKS reserves (link-local)", "use-byo-cni",
          "aks-cilium:network.nodeSubnetCidr = '169.254.0.0/22'")),
    Case("vnet-loopback", "12", stack(network("127.0.0.0/16", "127.0.0.0/22"), network=False), 2,
         ("aks-cilium:network.vnetCidr = '127.0.0.0/16': overlaps 127.0.0.0/8, which Azure reserves (loopback); Azure refuses it in any VNet address space", "virtual-networks-faq")),
    Case("vnet-holds-azure-dns", "12", stack(network("168.63.0.0/16", "168.63.0.0/22"), network=False), 2,
         ("aks-cilium:network.vnetCidr = '168.63.0.0/16': overlaps 168.63.129.16/32, which Azure reserves (Azure's internal DNS)",),
         ("nodeSubnetCidr = '168.63.0.0/22': overlaps",)),
    Case("node-subnet-172-31", "12", stack(network("172.31.0.0/16", "172.31.0.0/22"), network=False), 2,
         ("aks-cilium:network.nodeSubnetCidr = '172.31.0.0/22': overlaps 172.31.0.0/16, which AKS reserves",)),
    Case("pod-range-multicast", "12", stack(network(podCidr="224.1.0.0/16"), network=False), 2,
         ("aks-cilium:network.podCidr = '224.1.0.0/16': overlaps 224.0.0.0/4, which Azure reserves (multicast)",)),
    Case("cidr-groups-may-name-azure-addresses", "12",
         stack("aks-cilium:cidrGroups: [{name: wireserver, cidrs: [168.63.129.16/32]}, {name: metadata, cidrs: [169.254.169.254/32]}]"), 0,
         ("wireserver", "169.254.169.254/32")),
    Case("authorized-open-beside-ranges", "12", stack(cluster="authorizedIpRanges: [198.18.0.0/24, 0.0.0.0/0]"), 2,
         ("aks-cilium:cluster.authorizedIpRanges[1] = '0.0.0.0/0': allows every address, so the other 1 range(s) restrict nothing",)),
    Case("authorized-open-alone", "12", stack(cluster="authorizedIpRanges: [0.0.0.0/0]"), 0,
         ('WARNING: Pulumi.t.yaml: aks-cilium:cluster.authorizedIpRanges = ["0.0.0.0/0"]: allows every address on the internet',)),
    Case("authorized-own-outbound-ip", "12", stack(cluster="authorizedIpRanges: [0.0.0.0/32]"), 0, ("0.0.0.0/32",), ("allows every address",)),
    Case("tag-names-differ-in-case", "12", stack("aks-cilium:tags: {environment: dev, Environment: prod}"), 2,
         ("aks-cilium:tags.environment = 'dev': differs from the tag 'Environment' only in case, but Azure tag names are case-insensitive",)),
    Case("max-pods-10-on-two-nodes", "12", stack(cluster=pools("name: system, mode: System, count: 2, maxPods: 10")), 2,
         ("aks-cilium:cluster.nodePools[0].maxPods = 10: with count = 2 the pool has room for 20 pods", "raise maxPods to at least 15 or count to at least 3")),
    Case("max-pods-20-autoscaled-from-1", "12", stack(cluster=pools("name: system, mode: System, minCount: 1, maxCount: 5, maxPods: 20")), 2,
         ("aks-cilium:cluster.nodePools[0].maxPods = 20: with minCount = 1 the pool has room for 20 pods",)),
    Case("max-pods-10-on-three-nodes", "12", stack(cluster=pools("name: system, mode: System, count: 3, maxPods: 10")), 0, ("Plan for stack",)),
    # 13. what the Pulumi CLI would do, modelled offline
    Case("default-providers-disabled", "13", stack("pulumi:disable-default-providers: ['*']"), 0,
         ("pulumi:providers:azure-native  aks-cilium-azure-native", "(provider: aks-cilium-azure-native;")),
    Case("default-providers-disabled-by-name", "13", stack("pulumi:disable-default-providers: [azure-native, kubernetes]"), 0, ("Plan for stack",)),
    Case("provider-takes-the-stacks-azure-native-keys", "13", stack("azure-native:subscriptionId: 5f3c1c1e-1111-4a4a-9999-123456789abc"), 0,
         ("|     subscriptionId: 5f3c1c1e-1111-4a4a-9999-123456789abc",)),
    Case("azure-native-key-the-provider-lacks", "13", stack("azure-native:subscriptionid: 5f3c1c1e-1111-4a4a-9999-123456789abc"), 2,
         ("azure-native:subscriptionid: is not a setting of the azure-native provider the program declares", "did you mean 'subscriptionId'?")),
    Case("esc-import-supplies-keys", "13", ESC_IMPORT + stack(location=None, network=False), 2,
         ("azure-native:location: required but not set", "Pulumi.t.yaml imports the Pulumi ESC environment(s) platform/aks-dev",
          "the keys reported missing may come from there: azure-native:location, aks-cilium:network",
          "pulumi env open platform/aks-dev --format json > esc.json", "make plan STACK=t PLAN_ARGS='--esc-values esc.json'")),
    Case("esc-import-with-opened-values", "13", ESC_IMPORT + stack(location=None, network=False), 0, ("Plan for stack",), ("imports the Pulumi ESC",),
         args=("--esc-values", "{project}/esc.json"), files={"esc.json": ESC_VALUES}),
    Case("esc-import-beside-a-complete-stack", "13", ESC_IMPORT + stack(), 0,
         ("WARNING: Pulumi.t.yaml imports the Pulumi ESC environment(s) platform/aks-dev (`environment:`), which an offline plan cannot open",)),
    # 14. valid input refused
    Case("max-surge-number", "14", stack(cluster=pools("name: system, mode: System, count: 2, maxSurge: 1")), 0, ("maxSurge: '1'",)),
    Case("max-surge-fraction-still-refused", "14", stack(cluster=pools("name: system, mode: System, count: 2, maxSurge: 1.5")), 2,
         ("aks-cilium:cluster.nodePools[0].maxSurge = 1.5: must be text, not a number",)),
    # 15. messages that name the allowed values or the exact fix
    Case("principal-type-missing", "15", stack(cluster="admins: [{objectId: 5f3c1c1e-1111-4a4a-9999-123456789abc}]"), 2,
         ("aks-cilium:cluster.admins[0].principalType: required but not set; one of 'User', 'Group', 'ServicePrincipal'",
          "pulumi config set --path 'aks-cilium:cluster.admins[0].principalType' User")),
    Case("vm-size-without-tier", "15", stack(cluster=pools("name: system, mode: System, count: 2, vmSize: D8ds_v5")), 2,
         ("aks-cilium:cluster.nodePools[0].vmSize = 'D8ds_v5': is not an Azure VM size", "did you mean 'Standard_D8ds_v5'?")),
    Case("egress-rule-for-unknown-group", "15", stack("aks-cilium:egressRules: {corp: {mode: restricted, allowNamespaces: [kube-system]}}"), 2,
         ("no CIDR group named 'corp' is declared; the declared groups are azure-imds, azure-internal-dns",), ("declared Declared",)),
]


def _plan(case: Case, root: Path) -> PlanResult:
    project = copy_program(PROJECT_DIR, root / "project")
    for name, raw in case.files.items():
        (project / name).write_bytes(raw)
    (project / "Pulumi.t.yaml").write_text(case.stack_file.replace("{project}", str(project)), encoding="utf-8")
    out = root / "out"
    if case.before is not None:
        out.mkdir(parents=True)
        case.before(out)
    args = [*(a.replace("{project}", str(project)) for a in case.args), *(["--schemas", str(CILIUM_REFERENCE_DIR)] if case.schemas else [])]
    return plan("t", out, *args, project=project)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlanResult]:
    return {case.id: _plan(case, tmp_path_factory.mktemp(case.id)) for case in CASES}


def test_the_table_has_two_rows_for_every_kind_of_mistake() -> None:
    kinds = [case.kind for case in CASES]
    assert {k: kinds.count(k) for k in map(str, range(1, 16))} == {k: max(2, kinds.count(k)) for k in map(str, range(1, 16))}
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}-{c.id}" for c in CASES])
def test_a_stack_file_mistake_ends_with_one_clean_message(case: Case, results: dict[str, PlanResult]) -> None:
    if case.schemas and not CILIUM_REFERENCE_DIR.is_dir():
        skip_or_fail(f"no Cilium schemas at {CILIUM_REFERENCE_DIR}")
    result = results[case.id]
    assert result.exit_code == case.code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if case.code == 2:
        assert result.stderr.startswith("plan: ") and result.stdout == "", result.stderr
    text = result.stdout if case.code == 0 else result.stderr
    for words in case.words:
        assert words in text, text
    for words in case.absent:
        assert words not in result.stderr + result.stdout, result.stderr + result.stdout
    if case.after is not None:
        case.after(result.out_dir)


def test_a_stack_file_error_carries_each_problem_with_its_key_path_line_and_value(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_bytes((PROJECT_DIR / "Pulumi.yaml").read_bytes())
    (tmp_path / "Pulumi.t.yaml").write_text(stack("aks-cilium:tags: {owner: yes, expires: 2026-12-31}"), encoding="utf-8")
    with pytest.raises(StackFileError) as caught:
        read_stack_config(tmp_path, "t")
    assert caught.value.file == "Pulumi.t.yaml"
    assert [(p.path, p.line, p.value) for p in caught.value.problems] == [
        ("aks-cilium:tags.owner", 5, Written("yes")),
        ("aks-cilium:tags.expires", 5, Written("2026-12-31")),
    ]
    assert str(caught.value).startswith("Pulumi.t.yaml: 2 problems:\n  - line 5: aks-cilium:tags.owner = yes: YAML 1.1 reads yes")


def test_a_note_on_how_yaml_read_a_number_joins_the_problem_at_that_key_path() -> None:
    notes = {"aks-cilium:tags.release": "line 6 has 1.30, which YAML reads as the number 1.3"}
    at_key = Problem("aks-cilium:tags.release", "must be text, not a number", 1.3)
    # The same words elsewhere are not this key: only the path decides.
    elsewhere = Problem("aks-cilium:tags", "aks-cilium:tags.release must be text", UNSET)
    assert [str(p) for p in with_notes([at_key, elsewhere], notes)] == [
        "aks-cilium:tags.release = 1.3: must be text, not a number (line 6 has 1.30, which YAML reads as the number 1.3)",
        "aks-cilium:tags: aks-cilium:tags.release must be text",
    ]

"""The stack adapter (settings and exports), the probes' lifecycle, and the runner's replay rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.cidr_groups import builtin_groups
from tests.verify.conftest import EXPORTS, PROJECT_DIR
from verify import commands, stack
from verify.checks import mesh, probes
from verify.context import Context, Options
from verify.model import Verdict
from verify.runner import NOT_FOUND, Command, Output, ReplayError, ReplayRunner


def test_prod_promises_come_from_the_components_builders():
    expect = stack.from_settings(PROJECT_DIR, "prod")
    assert expect.pod_cidrs == ("10.245.0.0/16",)
    assert list(expect.cidr_groups[:2]) == builtin_groups()
    assert [p.name for p in expect.policies] == ["aks-cilium-egress-azure-imds"]
    assert expect.restrictions["azure-imds"].allow_namespaces == ("kube-system",)
    assert expect.builtin_addresses == {"azure-imds": "169.254.169.254", "azure-internal-dns": "168.63.129.16"}


def test_an_export_of_another_stack_is_refused():
    with pytest.raises(stack.StackError, match="state of stack prod, not 'dev'"):
        stack.from_export(EXPORTS / "prod-before-egress-rule.json", "dev")


def test_an_encrypted_value_the_checks_need_asks_for_show_secrets(tmp_path: Path):
    doc = json.loads((EXPORTS / "prod-before-egress-rule.json").read_text())
    release = next(r for r in doc["deployment"]["resources"] if r["type"] == stack.RELEASE_TYPE)
    release["inputs"]["values"] = {stack.SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "AAAA"}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(stack.StackError, match="--show-secrets"):
        stack.from_export(path, "prod")


class Recorder:
    """Answers every command with `answers[key]` (default: success) and remembers the order."""

    def __init__(self, answers: dict[str, Output]):
        self.answers, self.keys = answers, []

    def run(self, command: Command) -> Output:
        self.keys.append(command.key)
        return self.answers.get(command.key, Output(0, ""))


def prod_context(runner, **options) -> Context:
    return Context(runner, commands.Tools(), stack.from_settings(PROJECT_DIR, "prod"), Options(probe_suffix="t1", **options))


def test_probes_do_not_run_without_the_flag():
    runner = Recorder({})
    results = probes.imds_probes(prod_context(runner))
    assert runner.keys == [] and {r.verdict for r in results} == {Verdict.SKIP}
    assert results[0].see == "python -m verify prod --probes"


def test_a_probe_pod_is_deleted_even_when_it_never_completes():
    runner = Recorder({"probe-imds-default-wait": Output(1, "", "error: timed out waiting for the condition on pods/x")})
    results = probes.imds_probes(prod_context(runner, probes=True))
    assert runner.keys[:3] == ["probe-imds-default-create", "probe-imds-default-wait", "probe-imds-default-delete"]
    assert results[0].verdict is Verdict.INCONCLUSIVE and "did not complete" in results[0].reason


def test_the_probe_pod_name_and_dns_name_use_the_injected_suffix():
    ctx = prod_context(Recorder({}), probes=True)
    create = probes.lifecycle(ctx, "dns", "default", "true")[0]
    assert "aks-cilium-verify-dns-t1" in create.argv and probes.dns_name(ctx) == "aks-cilium-verify-t1.example.com."


def test_an_answer_other_than_200_outside_the_allowlist_still_fails():
    runner = Recorder({"probe-imds-default-logs": Output(0, "curl_exit=0 http_code=400\n")})
    outside = probes.imds_probes(prod_context(runner, probes=True))[0]
    assert outside.verdict is Verdict.FAIL and "HTTP 400" in outside.reason


def test_clustermesh_is_a_skip_until_a_mesh_is_declared():
    ctx = prod_context(Recorder({}))
    assert mesh.clustermesh(ctx)[0].verdict is Verdict.SKIP
    declared = Context(ctx.runner, ctx.tools, stack.Expectations("prod", "x", (), (), (), mesh=True))
    assert mesh.clustermesh(declared)[0].verdict is Verdict.INCONCLUSIVE


def test_replay_reads_exit_codes_and_refuses_a_bad_one(tmp_path: Path):
    (tmp_path / "a.out").write_text("hello\n")
    (tmp_path / "b.rc").write_text("1\n")
    (tmp_path / "b.err").write_text("boom\n")
    (tmp_path / "c.rc").write_text("one\n")
    (tmp_path / "stray.out").write_text("")
    runner = ReplayRunner(tmp_path)
    assert runner.run(Command("a", ("x",))) == Output(0, "hello\n", "")
    assert runner.run(Command("b", ("x",))) == Output(1, "", "boom\n")
    assert runner.run(Command("missing", ("x",))).rc == NOT_FOUND
    with pytest.raises(ReplayError, match="must hold an exit code"):
        runner.run(Command("c", ("x",)))
    assert runner.unused() == ["stray.out"]


def test_live_runs_record_replayable_files(tmp_path: Path):
    import sys

    from verify.runner import LiveRunner, RecordingRunner

    recorder = RecordingRunner(LiveRunner(), tmp_path)
    assert recorder.run(Command("ok", (sys.executable, "-c", "print('hi')"))) == Output(0, "hi\n", "")
    assert recorder.run(Command("gone", ("aks-cilium-no-such-tool",))).rc == NOT_FOUND
    replay = ReplayRunner(tmp_path)
    assert replay.run(Command("ok", ("anything",))) == Output(0, "hi\n", "")
    assert replay.run(Command("gone", ("anything",))).rc == NOT_FOUND


def test_only_the_runner_starts_processes():
    sources = {p.relative_to(PROJECT_DIR).as_posix(): p.read_text() for p in (PROJECT_DIR / "verify").rglob("*.py")}
    starting = sorted(path for path, text in sources.items() if "subprocess" in text or "os.system" in text or "os.popen" in text)
    assert starting == ["verify/runner.py"]


def test_an_export_missing_a_field_is_an_error_not_a_traceback(tmp_path: Path):
    doc = json.loads((EXPORTS / "prod-before-egress-rule.json").read_text())
    group = next(r for r in doc["deployment"]["resources"] if r["type"] in stack.CIDR_GROUP_TYPES)
    del group["inputs"]["spec"]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(stack.StackError, match="lacks a field"):
        stack.from_export(path, "prod")

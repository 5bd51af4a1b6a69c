"""`python -m verify STACK`: check on the live cluster what the stack promises (docs/verify.md)."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Optional, Sequence

from verify import report
from verify.checks import run_all
from verify.commands import Tools
from verify.context import DEFAULT_PROBE_IMAGE, Context, Options
from verify.model import EXIT_USAGE, exit_code
from verify.runner import LiveRunner, RecordingRunner, ReplayError, ReplayRunner, Runner
from verify.stack import StackError, from_export, from_settings

PROJECT_DIR = Path(__file__).resolve().parents[1]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verify",
        description="Check on the live cluster what a stack promises: nodes, agents, IPAM, Relay, CIDR groups, "
        "policies, labelled flows and the IMDS lock-down. Exit 0: nothing failed; 1: something failed; "
        "3: every check that ran was inconclusive; 2: bad arguments or stack settings.",
    )
    p.add_argument("stack", help="stack name: the <stack> of Pulumi.<stack>.yaml")
    p.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help="folder with Pulumi.yaml (default: this project)")
    p.add_argument("--against", type=Path, metavar="FILE", help="check what this `pulumi stack export` says is deployed, not the stack file")
    p.add_argument("--replay", type=Path, metavar="DIR", help="read every command's output from DIR instead of running it")
    p.add_argument("--record", type=Path, metavar="DIR", help="run live and write every command's output to DIR, for --replay")
    p.add_argument("--kubeconfig", help="kubeconfig file for kubectl (default: $KUBECONFIG or ~/.kube/config)")
    p.add_argument("--context", help="kubeconfig context for kubectl")
    p.add_argument("--relay", metavar="ADDR", help="read flows with the local hubble CLI from Relay at ADDR (e.g. localhost:4245)"
                   " instead of `kubectl exec` into every agent")  # fmt: skip
    p.add_argument("--since", default="10m", metavar="DURATION", help="how far back to look for flows (default: 10m)")
    p.add_argument("--probes", action="store_true", help="create short-lived probe pods (DNS lookup, IMDS requests); off by default")
    p.add_argument("--probe-suffix", help="suffix of the probe pods' names and the DNS name looked up (default: random per run)")
    p.add_argument("--probe-image", default=DEFAULT_PROBE_IMAGE, help=f"probe pods' image, with sh, curl, nslookup (default: {DEFAULT_PROBE_IMAGE})")
    p.add_argument("--strict", action="store_true", help="treat inconclusive as failure")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write the results as JUnit XML to FILE")
    return p


def _runner(args: argparse.Namespace) -> Runner:
    if args.replay:
        return ReplayRunner(args.replay)
    return RecordingRunner(LiveRunner(), args.record) if args.record else LiveRunner()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.replay and args.record:
        print("error: --replay and --record exclude each other", file=sys.stderr)
        return EXIT_USAGE
    try:
        expect = from_export(args.against, args.stack) if args.against else from_settings(args.project_dir, args.stack)
        runner = _runner(args)
    except (StackError, ReplayError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    kubectl = ("kubectl", *(("--kubeconfig", args.kubeconfig) if args.kubeconfig else ()), *(("--context", args.context) if args.context else ()))
    tools = Tools(kubectl=kubectl, relay=args.relay, window=args.since)
    options = Options(probes=args.probes, probe_suffix=args.probe_suffix or uuid.uuid4().hex[:8], probe_image=args.probe_image)
    try:
        results = run_all(Context(runner, tools, expect, options))
    except ReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    code = exit_code(results, strict=args.strict)
    if args.json:
        print(report.as_json(results, stack=args.stack, source=expect.source, code=code, strict=args.strict))
    else:
        print(report.table(results, stack=args.stack, source=expect.source, code=code), end="")
    if args.junit:
        args.junit.write_text(report.junit(results, stack=args.stack, strict=args.strict), encoding="utf-8")
    if isinstance(runner, ReplayRunner) and runner.unused():
        print(f"warning: {args.replay}: files no command asked for: {', '.join(runner.unused())}", file=sys.stderr)
    return code

"""ClusterMesh: `cilium clustermesh status`, once a fleet declares a mesh. No setting does yet."""

from __future__ import annotations

from verify.context import Context, result
from verify.model import CheckResult, Verdict

CHECK = "clustermesh"
SEE = "cilium clustermesh status --wait=false"


def clustermesh(ctx: Context) -> list[CheckResult]:
    if not ctx.expect.mesh:
        return [result(CHECK, "ClusterMesh is connected", Verdict.SKIP, "no mesh declared", SEE)]
    return [result(CHECK, "ClusterMesh is connected", Verdict.INCONCLUSIVE, "a mesh is declared, but this version cannot check it yet", SEE)]

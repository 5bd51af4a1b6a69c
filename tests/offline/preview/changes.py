"""Previews of hand-made registrations against hand-made recorded resources, as both runs answer them."""

from __future__ import annotations

from typing import Any, Optional

from offline.preview.change_preview import ResourceChange, compute_changes
from offline.preview.check_inputs import checked_inputs
from offline.preview.export_answers import PREVIEW, UP, ExportAnswers
from offline.preview.state.export_file import Export, ExportedResource
from offline.run import Answer, ResourceRequest
from offline.run.engine import Registration
from offline.run.urns import resource_urn


def urn(type_: str, name: str, parent: str = "") -> str:
    return resource_urn("dev", "proj", parent, type_, name)


def registration(type_: str, name: str, inputs: dict[str, Any], *, aliases: Optional[list[str]] = None, ignore: Optional[list[str]] = None, provider: str = "") -> Registration:
    return Registration(urn(type_, name), type_, name, True, "", [], provider, ignore or [], False, inputs, aliases=tuple(aliases or ()))


def deployed(type_: str, name: str, inputs: dict[str, Any], protect: bool = False, **flags: Any) -> ExportedResource:
    """A recorded resource: its inputs as Check stored them."""
    return ExportedResource(urn(type_, name), type_, True, f"{name}-id", checked_inputs(type_, inputs), {}, protect=protect, **flags)


def compute(olds: list[ExportedResource], news: list[Registration]) -> list[ResourceChange]:
    """The preview of `news` against `olds`, registered in order, as both runs answer them."""
    export = Export("test", 3, (), tuple(olds))
    answers = []
    for mode in (PREVIEW, UP):
        answering = ExportAnswers(export, mode)
        for r in news:
            request = ResourceRequest(r.urn, r.type, r.name, r.custom, r.inputs, provider=r.provider, parent=r.parent,
                                      aliases=tuple(r.aliases), ignore_changes=tuple(r.ignore_changes), protect=r.protect)
            answering.resource(request, Answer(f"{r.name}-id", {}))
        answers.append(answering)
    return compute_changes(export, answers[0], answers[1], news, {})

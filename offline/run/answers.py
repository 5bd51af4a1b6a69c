"""How the mock engine asks for a resource's id and outputs, so that someone else can answer.

Without answers the mock engine makes up fixed fakes (`offline.engine.OfflineMocks`). A change
preview answers from a deployed state instead (`offline.preview.export_answers`): the recorded id and outputs
where the real engine would keep them, unknowns where it would not. The run defines the questions and
never looks at an export; the preview answers them and never touches the mocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

#: The wire's "unknown" (pulumi `sdk/python/lib/pulumi/runtime/rpc.py` `UNKNOWN`): an output or id
#: answered with it is unknown to the program, as in a real preview.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class ResourceRequest:
    """One `RegisterResource` call, with what the engine knows when it plans the step."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: Mapping[str, Any]
    """Inputs as sent: unknowns as `UNKNOWN`, secrets still wrapped."""
    provider: str = ""
    """`<provider urn>::<provider id>`; "" for a default provider."""
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per input, the resources its value came from."""
    aliases: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()
    protect: bool = False
    deleted_with: str = ""
    replace_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """A resource's id and outputs as the program will see them."""

    id: str
    """`""` is an unknown id (a resource not created yet, in a preview)."""
    outputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientConfig:
    subscription_id: str
    tenant_id: str


class ResourceAnswers(Protocol):
    """Answers the mock engine's questions; `None` leaves the mock's own fake in place."""

    def resource(self, request: ResourceRequest, fake: Answer) -> Answer:
        """The id and outputs of `request`; `fake` is what the mock engine would answer on its own."""
        ...

    def client_config(self) -> Optional[ClientConfig]:
        """The subscription and tenant the program runs against."""
        ...

"""A stand-in for raw.githubusercontent.com/cilium/cilium: the hand-made files in
tests/fixtures/cilium, served by http.server on 127.0.0.1 (an ephemeral port, in a thread),
at the paths offline.schemas.fetch asks for. No test reaches the network.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from offline.schemas.fetch import schema_files

FIXTURES = Path(__file__).parent / "fixtures" / "cilium"


def fixture_for(repo_path: str) -> Path:
    """The fixture that stands for a file of cilium/cilium (crds/v2alpha1/ has its own CIDR-group file)."""
    name = Path(repo_path).name
    if "/v2alpha1/" in repo_path:
        return FIXTURES / name.replace(".yaml", "-v2alpha1.yaml")
    return FIXTURES / name


@dataclass
class SchemaServer:
    base_url: str
    served: dict[str, bytes] = field(default_factory=dict)
    """URL path -> body; a path not here answers 404."""
    requests: list[str] = field(default_factory=list)

    def publish(self, version: str) -> None:
        """Serve the fixtures at the paths of Cilium `version`'s tag."""
        for wanted in schema_files(version):
            self.served[f"/v{version}/{wanted.repo_path}"] = fixture_for(wanted.repo_path).read_bytes()


@contextmanager
def schema_server() -> Iterator[SchemaServer]:
    state = SchemaServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            body = state.served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body if body is not None else b"404: Not Found")

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # shutdown() waits for serve_forever's next poll: the default interval, 0.5 s, per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fill_cache(folder: Path, version: str, stand_in: str = "") -> Path:
    """Put the fixtures into `folder` under the names `make schemas` writes for `version`.

    `stand_in` names them as another release instead, e.g. `v1.20-branchpoint-abc123`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for wanted in schema_files(version):
        name = wanted.file_name.replace(f"v{version}", stand_in) if stand_in else wanted.file_name
        shutil.copyfile(fixture_for(wanted.repo_path), folder / name)
    return folder

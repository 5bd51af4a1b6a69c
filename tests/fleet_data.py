"""A two-member fleet as stack-file data, for the mesh and fleet tests (no real key: the CA key
is only ever the offline placeholder)."""

from __future__ import annotations

import base64
import copy
from typing import Any


def fake_certificate(body: bytes) -> str:
    """A PEM block whose body is DER-shaped (an ASN.1 SEQUENCE); the program checks no more than that."""
    return "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"\x30\x82\x01\x0a" + body).decode() + "\n-----END CERTIFICATE-----\n"


CA_CERT = fake_certificate(b"not a real certificate, only its outer shape")


def member_config(stack: str, index: int, **mesh: Any) -> dict[str, Any]:
    """Plain member keys of `Pulumi.<stack>.yaml` for member `index` (1, 2, ...) of fleet `mesh`."""
    base = 30 + index * 10
    config = {
        "azure-native:location": "westeurope",
        "aks-cilium:network": {
            "vnetCidr": f"10.{base}.0.0/16",
            "nodeSubnetCidr": f"10.{base}.0.0/22",
            "podCidr": f"10.{base + 100}.0.0/16",
            "serviceCidr": f"172.{16 + index}.0.0/16",
            "dnsServiceIp": f"172.{16 + index}.0.10",
        },
        "aks-cilium:cilium": {"version": "1.20.0", "cluster": {"name": stack, "id": index}},
        "aks-cilium:mesh": {
            "fleet": "mesh",
            "members": ["mesh-a", "mesh-b"],
            "apiServerIp": f"10.{base}.255.4",
            "ilbSubnetCidr": f"10.{base}.255.0/28",
            "caCert": CA_CERT,
        },
    }
    config["aks-cilium:mesh"].update(mesh)
    return copy.deepcopy(config)

"""Service-tag test data: small files in Azure's published layout, and the real files' location."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

from azure_service_tags.file import read_service_tags_file
from azure_service_tags.groups import service_tag_groups
from tests.harness import REFERENCE_DIR

SERVICE_TAGS_DIR = REFERENCE_DIR / "azure-service-tags"
REAL_FILES = sorted(SERVICE_TAGS_DIR.glob("ServiceTags_*.json")) if SERVICE_TAGS_DIR.is_dir() else []
PUBLIC_FILE = next((f for f in REAL_FILES if "_Public_" in f.name), None)
NO_REAL_FILES = f"no real service-tags files in {SERVICE_TAGS_DIR} (set AKS_CILIUM_REFERENCE to the reference folder)"
#: Real tags of every size, up to the largest (AzureCloud: 13,155 prefixes, 3,232 collapsed).
REAL_TAGS = ["Storage.WestEurope", "AzureActiveDirectory", "AzureMonitor", "AzureContainerRegistry", "AzureCloud"]


def net(text: str) -> Any:
    return ipaddress.ip_network(text)


def nets(*texts: str) -> list[Any]:
    return [net(t) for t in texts]


def tag_entry(name: str, prefixes: list[str], *, change: int = 1, region: str = "", service: str = "") -> dict:
    return {
        "name": name,
        "id": name,
        "properties": {
            "changeNumber": change,
            "region": region,
            "regionId": 0,
            "platform": "Azure",
            "systemService": service,
            "addressPrefixes": prefixes,
            "networkFeatures": ["API", "NSG"],
        },
    }


def small_document(change: int = 100, **overrides: dict) -> dict:
    """A service-tags file in the published layout, with three small tags."""
    entries = {
        "Storage.WestEurope": tag_entry(
            "Storage.WestEurope",
            ["20.38.108.0/24", "20.38.109.0/24", "20.38.109.16/28", "2603:1020:201::/48"],
            change=39,
            region="westeurope",
            service="AzureStorage",
        ),
        "AzureActiveDirectory": tag_entry("AzureActiveDirectory", ["20.190.128.0/18", "40.126.0.0/18"], change=26, service="AzureAD"),
        "AzureSignalR.FranceSouth": tag_entry("AzureSignalR.FranceSouth", ["2603:1020:905::/48"], change=3, region="francesouth", service="AzureSignalR"),
    }
    entries.update(overrides)
    return {"changeNumber": change, "cloud": "Public", "values": list(entries.values())}


def write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def groups_in(file: Path, tags: list[str], **kwargs: Any) -> dict[str, Any]:
    loaded = read_service_tags_file(str(file))
    return {g.name: g for g in service_tag_groups(loaded, tags, ipv4_only=kwargs.pop("ipv4_only", False), **kwargs)}

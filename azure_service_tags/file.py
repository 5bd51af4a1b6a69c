"""Azure's weekly service-tag files: read one, check its layout, and look up its tags.

Azure publishes the address ranges of its services weekly as "Azure IP Ranges and Service
Tags" (`ServiceTags_<Cloud>_<YYYYMMDD>.json`,
https://learn.microsoft.com/azure/virtual-network/service-tags-overview#discover-service-tags-by-using-downloadable-json-files).
The settings read the file while they load (settings/service_tags.py), so a bad file is a
config error before any resource is declared.
"""

from __future__ import annotations

import codecs
import ipaddress
from pathlib import Path
from typing import Optional, Union

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

#: The directory holding `Pulumi.yaml` and `__main__.py` (this module lives in its
#: `azure_service_tags/`). A relative `file` resolves against it rather than the working
#: directory, so `pulumi up`, the offline engine and the tests all read the same file.
PROJECT_DIR = Path(__file__).resolve().parent.parent

LAYOUT = "top-level cloud, changeNumber and values[] of {name, id, properties: {changeNumber, region, systemService, addressPrefixes[]}}"


# --- the file's layout ----------------------------------------------------------------------


class _Layout(BaseModel):
    # Unknown fields are ignored: Microsoft adds fields over time, and the REST API /
    # `az network list-service-tags` output carries extra ones (state, serviceTagChangeNumber).
    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)


class ServiceTagProperties(_Layout):
    change_number: int
    """The tag's revision (a number in the download, a numeric string from the REST API)."""
    region: str
    """Lowercase region name; empty for a global tag."""
    system_service: str
    """Service family, e.g. `AzureStorage`; empty for `AzureCloud.<region>`."""
    address_prefixes: tuple[str, ...]
    """CIDRs, IPv4 first, then IPv6."""
    region_id: Optional[int] = None
    """Present in the download, absent from the REST API output."""
    platform: Optional[str] = None
    network_features: Optional[tuple[str, ...]] = None


class ServiceTag(_Layout):
    name: str
    id: str
    properties: ServiceTagProperties


class ServiceTagsDocument(_Layout):
    change_number: int
    cloud: str
    values: tuple[ServiceTag, ...]


class ServiceTagsFile:
    """One loaded service-tags file, with its tags parsed on demand and remembered.

    A plain class rather than a settings model: it is data read from disk, not config keys.
    """

    __slots__ = ("path", "document", "_index", "_networks")

    def __init__(self, path: Path, document: ServiceTagsDocument):
        self.path = path
        """Absolute path of the file."""
        self.document = document
        self._index = {tag.name: i for i, tag in enumerate(document.values)}
        self._networks: dict[str, tuple[Network, ...]] = {}

    def __repr__(self) -> str:
        return f"ServiceTagsFile({str(self.path)!r}, cloud={self.document.cloud!r}, changeNumber={self.document.change_number})"

    @property
    def name(self) -> str:
        return self.path.name

    def tag(self, name: str) -> ServiceTag:
        """The tag called `name`; `UnknownServiceTag` when the file has none."""
        if name not in self._index:
            raise UnknownServiceTag(name, self.name, tuple(self._index))
        return self.document.values[self._index[name]]

    def networks(self, name: str) -> tuple[Network, ...]:
        """The tag's prefixes as networks; `ValueError` naming the first that does not parse."""
        if name not in self._networks:
            self._networks[name] = self._parse(name)
        return self._networks[name]

    def _parse(self, name: str) -> tuple[Network, ...]:
        tag = self.tag(name)
        networks = []
        for j, text in enumerate(tag.properties.address_prefixes):
            try:
                networks.append(ipaddress.ip_network(text))
            except ValueError as exc:
                at = f"values[{self._index[name]}].properties.addressPrefixes[{j}]"
                raise ValueError(f"{self.name} has an invalid prefix at {at}: {text!r} ({exc})") from None
        return tuple(networks)


class UnknownServiceTag(LookupError):
    """A tag name the file does not list; the settings suggest close names from `known`."""

    def __init__(self, name: str, file_name: str, known: tuple[str, ...]):
        super().__init__(name)
        self.name = name
        self.file_name = file_name
        self.known = known


class NotUtf8(ValueError):
    """The file is UTF-16 text (PowerShell's `>` writes that), not the UTF-8 JSON Azure publishes."""

    def __init__(self, file_name: str, encoding: str):
        super().__init__(f"{file_name} is {encoding} text")
        self.file_name = file_name
        self.encoding = encoding


class DuplicateServiceTags(ValueError):
    """The file lists a tag name more than once; `places` maps each such name to its `values` indexes."""

    def __init__(self, file_name: str, places: dict[str, list[int]]):
        super().__init__(f"{file_name} lists {', '.join(places)} more than once")
        self.file_name = file_name
        self.places = places


def _utf16(raw: bytes) -> Optional[str]:
    """'UTF-16LE'/'UTF-16BE' when the bytes are UTF-16 (with or without a byte order mark)."""
    if raw.startswith(codecs.BOM_UTF16_LE) or (len(raw) > 1 and raw[0] != 0 and raw[1] == 0):
        return "UTF-16LE"
    if raw.startswith(codecs.BOM_UTF16_BE) or (len(raw) > 1 and raw[0] == 0 and raw[1] != 0):
        return "UTF-16BE"
    return None


def _duplicates(document: ServiceTagsDocument) -> dict[str, list[int]]:
    places: dict[str, list[int]] = {}
    for i, tag in enumerate(document.values):
        places.setdefault(tag.name, []).append(i)
    return {name: where for name, where in places.items() if len(where) > 1}


def resolve_path(configured: str, project_dir: Path = PROJECT_DIR) -> Path:
    path = Path(configured).expanduser()
    return path if path.is_absolute() else (project_dir / path)


def read_service_tags_file(configured: str, project_dir: Path = PROJECT_DIR) -> ServiceTagsFile:
    """Read and check the file's layout.

    Raises `ValueError` naming the file when it cannot be read, `NotUtf8` for UTF-16 text,
    `DuplicateServiceTags` when a tag is listed twice (which one would the groups use?), and
    pydantic's `ValidationError` (also a `ValueError`) when it is not JSON or not in Azure's
    layout. A UTF-8 byte order mark, which Windows editors write, is skipped.
    """
    path = resolve_path(configured, project_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(
            f"{path} does not exist (a relative path is resolved against the project directory {project_dir})"
        ) from None
    except OSError as exc:
        raise ValueError(f"{path} cannot be read: {exc.strerror or exc}") from None
    encoding = _utf16(raw)
    if encoding is not None:
        raise NotUtf8(path.name, encoding)
    document = ServiceTagsDocument.model_validate_json(raw.removeprefix(codecs.BOM_UTF8))
    twice = _duplicates(document)
    if twice:
        raise DuplicateServiceTags(path.name, twice)
    return ServiceTagsFile(path.resolve(), document)

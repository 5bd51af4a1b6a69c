"""Reading a service-tags file (azure_service_tags/file.py): bytes, encodings, layout, paths."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from azure_service_tags.file import PROJECT_DIR as SERVICE_TAGS_PROJECT_DIR
from azure_service_tags.file import DuplicateServiceTags, NotUtf8, read_service_tags_file, resolve_path
from azure_service_tags.groups import (
    CHANGE_NUMBER_ANNOTATION,
)
from tests.harness import PROJECT_DIR
from tests.service_tag_data import groups_in, small_document, write


def test_a_utf8_bom_is_skipped_and_utf16_is_named(tmp_path: Path):
    text = json.dumps(small_document())
    (tmp_path / "bom.json").write_bytes(codecs.BOM_UTF8 + text.encode())
    assert read_service_tags_file(str(tmp_path / "bom.json")).document.cloud == "Public"
    (tmp_path / "be.json").write_bytes(text.encode("utf-16-be"))  # no byte order mark
    with pytest.raises(NotUtf8) as caught:
        read_service_tags_file(str(tmp_path / "be.json"))
    assert caught.value.encoding == "UTF-16BE"


def test_a_tag_listed_twice_in_the_file_is_refused_with_its_places(tmp_path: Path):
    document = small_document()
    document["values"].insert(0, document["values"][2])
    (tmp_path / "twice.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DuplicateServiceTags) as caught:
        read_service_tags_file(str(tmp_path / "twice.json"))
    assert caught.value.places == {"AzureSignalR.FranceSouth": [0, 3]}


def test_relative_paths_resolve_against_the_project_directory_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert SERVICE_TAGS_PROJECT_DIR == PROJECT_DIR
    assert resolve_path("service-tags/ServiceTags_Public.json") == PROJECT_DIR / "service-tags" / "ServiceTags_Public.json"
    assert resolve_path(str(tmp_path / "x.json")) == tmp_path / "x.json"


def test_the_rest_api_and_az_cli_layout_with_string_change_numbers_is_accepted(tmp_path):
    document = {
        "name": "Public",
        "id": "/subscriptions/0/providers/Microsoft.Network/serviceTags/Public",
        "type": "Microsoft.Network/serviceTags",
        "changeNumber": "63",
        "cloud": "Public",
        "values": [
            {
                "name": "ApiManagement.AustraliaCentral",
                "id": "ApiManagement.AustraliaCentral",
                "serviceTagChangeNumber": "86",
                "properties": {
                    "changeNumber": "2",
                    "region": "australiacentral",
                    "state": "GA",
                    "systemService": "AzureApiManagement",
                    "addressPrefixes": ["20.36.106.68/31", "20.36.107.176/28"],
                    "networkFeatures": ["API", "NSG", "UDR", "FW"],
                },
            }
        ],
    }
    groups = groups_in(write(tmp_path / "az.json", document), ["ApiManagement.AustraliaCentral"])
    assert groups["azure-service-tag-apimanagement.australiacentral"].annotations[CHANGE_NUMBER_ANNOTATION] == "2"


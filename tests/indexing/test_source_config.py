"""The sources file: owner-only permissions (it holds secrets), clear Dutch errors, and no secret in
what is shown of a source."""

from __future__ import annotations

import os

import pytest

from bot.indexing.source_config import SourcesFileError, build_source, load_source_configs

GRAPH = """
[[source]]
name = "sharepoint"
kind = "graph"
collection = "intranet"
tenant_id = "contoso-tenant"
client_id = "vraagbaak-app"
client_secret = "geheim-7f3a9c"
sites = ["contoso.sharepoint.com:/sites/personeel"]

[[source]]
name = "cloud"
kind = "nextcloud"
collection = "gemeente"
url = "https://cloud.gemeente.nl"
username = "vraagbaak"
password = "wachtwoord-9d2e"
folder = "Beleid"
"""


def write(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / "bronnen.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_a_file_others_may_read_is_refused_in_dutch_with_the_fix(tmp_path):
    path = write(tmp_path, GRAPH, 0o644)
    with pytest.raises(SourcesFileError) as caught:
        load_source_configs(path)
    message = str(caught.value)
    assert "chmod 600" in message and "644" in message and "geheim-7f3a9c" not in message


def test_sources_are_read_and_shown_without_their_secrets(tmp_path):
    configs = load_source_configs(write(tmp_path, GRAPH))
    assert [(c.name, c.kind, c.collection) for c in configs] == [("sharepoint", "graph", "intranet"),
                                                                 ("cloud", "nextcloud", "gemeente")]
    shown = repr(configs) + str(configs)
    assert "geheim-7f3a9c" not in shown and "wachtwoord-9d2e" not in shown
    assert configs[1].host == "https://cloud.gemeente.nl"
    source = build_source(configs[1])
    try:
        assert source.name == "cloud" and source.kind == "nextcloud"
    finally:
        source.close()


@pytest.mark.parametrize("text, words", [
    ('[[source]]\nname = "x"\nkind = "dropbox"\ncollection = "c"\n', "soort 'dropbox' bestaat niet"),
    ('[[source]]\nname = "x"\nkind = "webdav"\ncollection = "c"\nurl = "https://dav"\n', "ontbreekt username"),
    ('[[source]]\nname = "x"\nkind = "graph"\ncollection = "c"\ntenant_id = "t"\nclient_id = "a"\n'
     'sites = ["s"]\n', "client_secret of certificate_file"),
    ('[[source]]\nname = "x"\nkind = "folder"\ncollection = "c"\npath = "/tmp"\nwachtwoord = "p"\n',
     "onbekende instelling(en) wachtwoord"),
    ('[bron]\nnaam = "x"\n', "onbekend onderdeel bron"),
    ('[[source]\n', "geen geldig TOML"),
])
def test_mistakes_are_named_in_dutch(tmp_path, text, words):
    with pytest.raises(SourcesFileError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_source_configs(write(tmp_path, text))


def test_a_collection_has_one_source_and_no_folder_beside_it(tmp_path):
    twice = GRAPH.replace('collection = "gemeente"', 'collection = "intranet"')
    with pytest.raises(SourcesFileError, match="collectie 'intranet' heeft al een bron"):
        load_source_configs(write(tmp_path, twice))
    with pytest.raises(SourcesFileError, match="collectie 'gemeente' heeft al een bron"):
        load_source_configs(write(tmp_path, GRAPH), folder_collections={"gemeente"})


def test_no_file_no_sources(tmp_path):
    assert load_source_configs(None) == []
    with pytest.raises(SourcesFileError, match="kan niet worden gelezen"):
        load_source_configs(tmp_path / "ontbreekt.toml")

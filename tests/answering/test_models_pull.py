"""`vraagbaak models pull` against a local hub: verified, resumable, atomic; corrupt files re-fetched."""

from __future__ import annotations

import hashlib
import json

import pytest

from bot.cli import main
from bot.errors import ModelError
from bot.hub import DownloadError, HubClient
from bot.models import (MANIFEST_NAME, PRODUCTION_EMBEDDING_REPO, PRODUCTION_LLM, check_gguf_file,
                        pull_models)
from tests.fakehub import FakeHub

GGUF = b"GGUF" + bytes(range(256)) * 400  # ~100 KB, an "LFS" file
E5 = {
    "config.json": b'{"model_type": "bert"}',
    "modules.json": b"[]",
    "tokenizer.json": b"{}" + b" " * 3000,  # large enough to be an LFS file
    "sentencepiece.bpe.model": b"spm" * 600,
    "model.safetensors": b"weights" * 5000,
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "pytorch_model.bin": b"not wanted" * 200,
    "onnx/model.onnx": b"not wanted either" * 100,
    "README.md": b"# e5",
}


def hub_repos() -> dict[str, dict[str, bytes]]:
    return {PRODUCTION_LLM.repo: {PRODUCTION_LLM.filename: GGUF, "other.gguf": b"GGUF other"},
            PRODUCTION_EMBEDDING_REPO: dict(E5)}


@pytest.fixture
def hub():
    with FakeHub(hub_repos(), page_size=3) as running:
        yield running


def pull(models_dir, hub, **kwargs):
    return pull_models(models_dir, HubClient(hub.url, timeout=5), show_progress=False, **kwargs)


def test_pull_fetches_the_gguf_and_the_needed_embedding_files(tmp_path, hub):
    pulled = pull(tmp_path, hub)

    assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == GGUF
    folder = tmp_path / "multilingual-e5-small"
    fetched = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert fetched == ["1_Pooling/config.json", "config.json", "model.safetensors", "modules.json",
                       "sentencepiece.bpe.model", "tokenizer.json"]
    assert {p.action for p in pulled} == {"opgehaald"}
    assert not list(tmp_path.rglob("*.part"))
    # config.json, which marks the folder as usable, comes last
    assert pulled[-1].path == folder / "config.json"
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest[PRODUCTION_LLM.filename] == {"size": len(GGUF), "checksum": hashlib.sha256(GGUF).hexdigest()}
    # the tree listing was paginated (page_size=3) and followed to the end
    assert sum(r.path.startswith("/api/models/") for r in hub.requests) >= 3


def test_a_second_pull_verifies_and_downloads_nothing(tmp_path, hub):
    pull(tmp_path, hub)
    served = len(hub.served)

    again = pull(tmp_path, hub)

    assert {p.action for p in again} == {"aanwezig"}
    assert len(hub.served) == served


def test_a_download_cut_off_half_way_resumes_from_where_it_stopped(tmp_path, hub):
    half = len(GGUF) // 2
    hub.cut_after[PRODUCTION_LLM.filename] = half

    pull(tmp_path, hub)

    assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == GGUF
    assert hub.downloads_of(PRODUCTION_LLM.filename) == [(0, half), (half, None)]


def test_a_part_file_left_by_an_earlier_run_is_resumed(tmp_path, hub):
    (tmp_path / (PRODUCTION_LLM.filename + ".part")).write_bytes(GGUF[:1000])

    pull(tmp_path, hub)

    assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == GGUF
    assert hub.downloads_of(PRODUCTION_LLM.filename) == [(1000, None)]


def test_a_corrupt_existing_file_is_detected_and_fetched_again(tmp_path, hub):
    pull(tmp_path, hub)
    target = tmp_path / PRODUCTION_LLM.filename
    damaged = bytearray(GGUF)
    damaged[5000] ^= 0xFF  # same size, wrong checksum
    target.write_bytes(bytes(damaged))

    pulled = pull(tmp_path, hub)

    assert target.read_bytes() == GGUF
    assert pulled[0].action == "vervangen"


def test_corrupt_bytes_from_the_server_are_downloaded_again_then_reported(tmp_path, hub):
    hub.corrupt[PRODUCTION_LLM.filename] = 1
    pull(tmp_path, hub)  # the first copy fails its sha256 and is fetched once more
    assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == GGUF
    assert len(hub.downloads_of(PRODUCTION_LLM.filename)) == 2

    other = tmp_path / "again"
    hub.corrupt[PRODUCTION_LLM.filename] = 5
    with pytest.raises(DownloadError, match="controlesom"):
        pull(other, hub)
    assert not (other / PRODUCTION_LLM.filename).exists()
    assert not (other / (PRODUCTION_LLM.filename + ".part")).exists()


def test_a_missing_repository_is_a_clear_error(tmp_path, hub):
    with pytest.raises(DownloadError, match="bestaat niet"):
        pull(tmp_path, hub, embedding_repo="nobody/nothing")


def test_an_unreachable_hub_is_a_clear_error(tmp_path):
    client = HubClient("http://127.0.0.1:9", timeout=2, retries=0)
    with pytest.raises(DownloadError, match="niet bereikbaar"):
        pull_models(tmp_path, client, show_progress=False)


def test_the_cli_pulls_from_HF_ENDPOINT_and_lists_what_is_present(tmp_path, hub, monkeypatch, capsys):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)

    assert main(["models", "pull", "--quiet"]) == 0
    assert (tmp_path / "models" / PRODUCTION_LLM.filename).is_file()

    capsys.readouterr()
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    production = next(line for line in out.splitlines() if PRODUCTION_LLM.filename in line)
    assert "aanwezig" in production and "in gebruik" in production
    packaged = next(line for line in out.splitlines() if "SmolLM2" in line)
    assert "in gebruik" not in packaged


def test_start_up_check_names_missing_foreign_and_truncated_files(tmp_path):
    with pytest.raises(ModelError, match="bestaat niet"):
        check_gguf_file(tmp_path / "missing.gguf")
    foreign = tmp_path / "model.gguf"
    foreign.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(ModelError, match="geen GGUF"):
        check_gguf_file(foreign)
    pulled = tmp_path / "pulled.gguf"
    pulled.write_bytes(GGUF)
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"pulled.gguf": {"size": len(GGUF) + 10, "checksum": "x"}}))
    with pytest.raises(ModelError, match="onvolledig"):
        check_gguf_file(pulled)


def test_hf_endpoint_comes_from_the_settings():
    from bot.settings import load_settings

    assert load_settings(environ={}, config_path=None).hf_endpoint == "https://huggingface.co"
    assert load_settings(environ={"HF_ENDPOINT": "http://mirror.local"}, config_path=None).hf_endpoint == \
        "http://mirror.local"

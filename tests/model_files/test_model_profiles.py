"""`vraagbaak models pull --profile` and `models list` against the local fake hub (tests/fakes/hub), and
which model `auto` then loads: profile resolution, resume and checksums per profile, Dutch errors."""

from __future__ import annotations

import hashlib
import logging

import pytest

from bot.cli import main
from bot.model_files.hub import DownloadError, HubClient
from bot.model_files.listing import list_profiles
from bot.model_files.profiles import (DEFAULT_PROFILE, PROFILES, PRODUCTION_EMBEDDING, PRODUCTION_RERANKER,
                                      profile_named)
from bot.model_files.pulling import pull_models
from bot.model_files.resolving import packaged_llm_path, resolve_llm_model, resolve_reranker_model
from bot.settings import LLM_PROFILES, SettingsError, load_settings
from tests.model_files.test_models_pull import E5, RERANKER
from tests.conftest import make_settings
from tests.fakes.hub import FakeHub


def gguf_for(name: str) -> bytes:
    return b"GGUF" + name.encode() * 3000  # a distinct "LFS" file per profile


def all_profiles_hub() -> dict[str, dict[str, bytes]]:
    repos: dict[str, dict[str, bytes]] = {PRODUCTION_EMBEDDING.repo: dict(E5), PRODUCTION_RERANKER.repo: dict(RERANKER)}
    for profile in PROFILES.values():
        repos.setdefault(profile.llm.repo, {})[profile.llm.filename] = gguf_for(profile.name)
        repos[profile.llm.repo]["README.md"] = b"# card"
    return repos


@pytest.fixture
def hub():
    with FakeHub(all_profiles_hub()) as running:
        yield running


@pytest.fixture
def cli_env(tmp_path, hub, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("VRAAGBAAK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("VRAAGBAAK_LLM_PROFILE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "models"


def profile_line(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if line.lstrip(" *").startswith(name + " "))


def test_the_four_profiles_and_the_default():
    assert tuple(PROFILES) == LLM_PROFILES == ("standaard", "klein", "gpu", "mistral7b")
    assert DEFAULT_PROFILE == "standaard" == load_settings(environ={}, config_path=None).llm.profile
    standaard = PROFILES["standaard"]
    assert (standaard.llm.repo, standaard.llm.filename) == (
        "mistralai/Ministral-3-8B-Instruct-2512-GGUF", "Ministral-3-8B-Instruct-2512-Q4_K_M.gguf")
    assert standaard.architecture == "mistral3" and "nl" in standaard.languages
    assert round(standaard.size_bytes / 1e9, 1) == 5.2
    assert PROFILES["klein"].size_bytes < standaard.size_bytes < PROFILES["gpu"].size_bytes
    assert PROFILES["mistral7b"].llm.filename == "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf"
    for profile in PROFILES.values():
        assert profile.llm.filename.endswith("Q4_K_M.gguf") and profile.licence == "Apache-2.0"
        assert profile.embedding == PRODUCTION_EMBEDDING  # one index serves every profile


def test_pull_klein_fetches_its_model_and_the_embedder_but_no_reranker_and_says_how_to_use_it(cli_env, hub,
                                                                                             capsys):
    assert main(["models", "pull", "--profile", "klein", "--quiet"]) == 0

    klein = PROFILES["klein"]
    assert (cli_env / klein.llm.filename).read_bytes() == gguf_for("klein")
    assert not (cli_env / PROFILES["standaard"].llm.filename).exists()
    assert (cli_env / "multilingual-e5-base" / "config.json").is_file()
    assert not (cli_env / "mmarco-mMiniLMv2-L12-H384-v1").exists()
    assert not any(PRODUCTION_RERANKER.repo in r.path for r in hub.requests)
    err = capsys.readouterr().err
    assert "Ministral 3 3B" in err and "VRAAGBAAK_LLM_PROFILE=klein" in err


def test_list_shows_every_profile_which_is_pulled_chosen_and_in_use(cli_env, monkeypatch, capsys):
    assert main(["models", "pull", "--profile", "klein", "--quiet"]) == 0
    capsys.readouterr()

    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for name in PROFILES:
        assert profile_line(out, name)
    assert "niet opgehaald" in profile_line(out, "standaard") and "ingesteld" in profile_line(out, "standaard")
    # the chosen profile (standaard) is not pulled, so the pulled klein model is the one in use
    assert "aanwezig" in profile_line(out, "klein") and "in gebruik" in profile_line(out, "klein")

    monkeypatch.setenv("VRAAGBAAK_LLM_PROFILE", "klein")
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert profile_line(out, "klein").startswith("  *") and "ingesteld, in gebruik" in profile_line(out, "klein")
    assert "in gebruik" not in profile_line(out, "standaard")
    reranker = next(line for line in out.splitlines() if line.startswith("herordening"))
    assert "uit in profiel klein" in reranker and "in gebruik" not in reranker


def test_pull_without_profile_takes_the_one_in_the_settings(cli_env, monkeypatch):
    monkeypatch.setenv("VRAAGBAAK_LLM_PROFILE", "mistral7b")
    assert main(["models", "pull", "--quiet"]) == 0
    assert (cli_env / PROFILES["mistral7b"].llm.filename).read_bytes() == gguf_for("mistral7b")
    assert (cli_env / "mmarco-mMiniLMv2-L12-H384-v1" / "config.json").is_file()


def test_an_unknown_profile_is_a_dutch_error_and_downloads_nothing(cli_env, hub, capsys):
    assert main(["models", "pull", "--profile", "reuze", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Onbekend modelprofiel 'reuze'" in err and "standaard, klein, gpu, mistral7b" in err
    assert "Traceback" not in err
    assert not hub.requests


def test_an_unknown_profile_in_the_settings_names_the_setting(monkeypatch, capsys):
    with pytest.raises(SettingsError, match="VRAAGBAAK_LLM_PROFILE"):
        load_settings(environ={"VRAAGBAAK_LLM_PROFILE": "groot"}, config_path=None)
    assert profile_named(" Klein ").name == "klein"


def test_a_profile_pull_resumes_a_broken_download_and_refetches_a_corrupt_one(tmp_path):
    from huggingface_hub.constants import DOWNLOAD_CHUNK_SIZE

    gpu = PROFILES["gpu"]
    big = b"GGUF" + bytes(range(256)) * (DOWNLOAD_CHUNK_SIZE * 2 // 256)
    repos = all_profiles_hub()
    repos[gpu.llm.repo][gpu.llm.filename] = big
    with FakeHub(repos) as hub:
        hub.cut_after[gpu.llm.filename] = DOWNLOAD_CHUNK_SIZE + 1000
        hub.corrupt["model.safetensors"] = 1

        pulled = pull_models(tmp_path, HubClient(hub.url, timeout=5), profile=gpu, show_progress=False)

        assert (tmp_path / gpu.llm.filename).read_bytes() == big
        assert hub.downloads_of(gpu.llm.filename) == [(0, DOWNLOAD_CHUNK_SIZE + 1000), (DOWNLOAD_CHUNK_SIZE, None)]
        assert (tmp_path / "multilingual-e5-base" / "model.safetensors").read_bytes() == E5["model.safetensors"]
        assert pulled[0].path == tmp_path / gpu.llm.filename


def test_a_profile_whose_file_the_hub_lacks_is_refused_before_anything_is_fetched(tmp_path):
    repos = all_profiles_hub()
    del repos[PROFILES["klein"].llm.repo][PROFILES["klein"].llm.filename]
    with FakeHub(repos) as hub:
        with pytest.raises(DownloadError, match="Ministral-3-3B-Instruct-2512-Q4_K_M.gguf bestaat niet"):
            pull_models(tmp_path, HubClient(hub.url, timeout=5), profile=PROFILES["klein"], show_progress=False)
        assert not hub.served


# --- which model `auto` loads ---------------------------------------------------------------------

def _pulled(settings, name: str) -> None:
    settings.folders.models_dir.mkdir(parents=True, exist_ok=True)
    (settings.folders.models_dir / PROFILES[name].llm.filename).write_bytes(gguf_for(name))


def test_auto_loads_the_chosen_profile_then_another_pulled_one_then_the_packaged_model(tmp_path, caplog):
    settings = make_settings(tmp_path, llm_profile="standaard")
    assert resolve_llm_model(settings) == packaged_llm_path()

    _pulled(settings, "mistral7b")  # as pulled by an earlier Vraagbaak, whose default it was
    with caplog.at_level(logging.WARNING, logger="bot.model_files.resolving"):
        assert resolve_llm_model(settings) == settings.folders.models_dir / PROFILES["mistral7b"].llm.filename
    assert "profile standaard is not pulled; using profile mistral7b" in caplog.text

    _pulled(settings, "standaard")
    assert resolve_llm_model(settings) == settings.folders.models_dir / PROFILES["standaard"].llm.filename
    assert resolve_llm_model(make_settings(tmp_path, llm_profile="mistral7b")) == \
        settings.folders.models_dir / PROFILES["mistral7b"].llm.filename
    assert resolve_llm_model(make_settings(tmp_path, llm_model="/opt/eigen.gguf")).as_posix() == "/opt/eigen.gguf"

    rows = {row.profile.name: row for row in list_profiles(make_settings(tmp_path, llm_profile="mistral7b"))}
    assert rows["mistral7b"].chosen and rows["mistral7b"].active and rows["mistral7b"].present
    assert rows["standaard"].present and not rows["standaard"].active
    assert not rows["gpu"].present


def test_the_reranker_follows_the_profile(tmp_path):
    settings = make_settings(tmp_path)
    folder = settings.folders.models_dir / PRODUCTION_RERANKER.folder
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    assert resolve_reranker_model(settings) == str(folder)
    assert resolve_reranker_model(make_settings(tmp_path, llm_profile="klein")) is None
    # set by hand, it is used whatever the profile
    assert resolve_reranker_model(make_settings(tmp_path, llm_profile="klein", reranker=folder.name)) == str(folder)


def test_the_fake_hub_serves_each_profile_file_with_its_checksum(tmp_path, hub):
    client = HubClient(hub.url, timeout=5)
    for profile in PROFILES.values():
        listing = client.repository(profile.llm.repo)
        remote = next(f for f in listing.files if f.path == profile.llm.filename)
        assert remote.sha256 == hashlib.sha256(gguf_for(profile.name)).hexdigest()

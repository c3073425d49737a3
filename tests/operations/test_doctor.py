"""`vraagbaak doctor` on good and broken set-ups: each failure is reported with its fix."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.operations.doctor import FAIL, OK, SKIP, WARN, Doctor, DoctorReport, CheckResult
from tests.conftest import SAMPLE, make_settings
from tests.fakes.slack import FakeSlack
from tests.operations.conftest import MODEL_ALIAS, free_port

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"


def _settings(tmp_path: Path, **overrides):
    values = dict(sources={"bedrijf": SAMPLE}, slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN)
    values.update(overrides)
    return make_settings(tmp_path / "data", **values)


def _quick(settings) -> Doctor:
    return Doctor(settings, load_models=False, check_slack=False)


# --- tokens and Slack ---------------------------------------------------------------------------

def test_tokens_present_for_socket_mode(tmp_path):
    result = _quick(_settings(tmp_path)).check_tokens()
    assert result.status == OK and "socket" in result.detail


def test_missing_bot_token_fails_with_a_fix(tmp_path):
    result = _quick(_settings(tmp_path, slack_bot_token="")).check_tokens()
    assert result.status == FAIL and "SLACK_BOT_TOKEN" in result.detail
    assert "OAuth & Permissions" in result.fix


def test_http_mode_needs_the_signing_secret(tmp_path):
    settings = _settings(tmp_path, slack_app_token="", slack_mode="auto")
    result = _quick(settings).check_tokens()
    assert result.status == FAIL and "SLACK_SIGNING_SECRET" in result.detail and "http" in result.detail
    ok = _quick(_settings(tmp_path, slack_app_token="", slack_signing_secret="s3cret")).check_tokens()
    assert ok.status == OK and "http" in ok.detail


def test_swapped_tokens_are_a_warning(tmp_path):
    result = _quick(_settings(tmp_path, slack_bot_token=APP_TOKEN, slack_app_token=BOT_TOKEN)).check_tokens()
    assert result.status == WARN and "xoxb-" in result.detail


def test_auth_test_against_the_fake_slack(tmp_path):
    with FakeSlack(bot_token=BOT_TOKEN) as slack:
        good = Doctor(_settings(tmp_path, slack_api_url=slack.api_url), load_models=False).check_slack_auth()
        bad = Doctor(_settings(tmp_path, slack_api_url=slack.api_url, slack_bot_token="xoxb-wrong"),
                     load_models=False).check_slack_auth()
        assert [c.method for c in slack.calls] == ["auth.test", "auth.test"]
    assert good.status == OK and "Vraagbaak Test" in good.detail
    assert bad.status == FAIL and "invalid_auth" in bad.detail and "opnieuw" in bad.fix


def test_auth_test_when_slack_is_unreachable(tmp_path):
    settings = _settings(tmp_path, slack_api_url=f"http://127.0.0.1:{free_port()}/api/")
    result = Doctor(settings, load_models=False).check_slack_auth()
    assert result.status == FAIL and "firewall" in result.fix


def test_auth_test_skipped_without_a_token(tmp_path):
    result = Doctor(_settings(tmp_path, slack_bot_token=""), load_models=False).check_slack_auth()
    assert result.status == SKIP


# --- models -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_packaged_models_load(tmp_path):
    doctor = Doctor(_settings(tmp_path), check_slack=False)
    llm, embedding = doctor.check_llm(), doctor.check_embedding_model()
    assert llm.status == OK and "geladen" in llm.detail and "tokens/s" in llm.detail  # generated, and how fast
    assert embedding.status == OK and "dimensie 384" in embedding.detail


def test_missing_model_file(tmp_path):
    missing = tmp_path / "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf"
    result = _quick(_settings(tmp_path, llm_model=str(missing))).check_llm()
    assert result.status == FAIL and str(missing) in result.detail
    assert "vraagbaak models pull" in result.fix


def test_not_a_gguf_file(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"<html>404 not found</html>" * 10)
    result = _quick(_settings(tmp_path, llm_model=str(fake))).check_llm()
    assert result.status == FAIL and "GGUF" in result.detail


@pytest.mark.slow
def test_gguf_header_that_does_not_load(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + b"\0" * 4096)
    assert _quick(_settings(tmp_path, llm_model=str(broken))).check_llm().status == OK  # header only
    result = Doctor(_settings(tmp_path, llm_model=str(broken)), check_slack=False).check_llm()
    assert result.status == FAIL and "laadt niet" in result.detail


def test_embedding_model_that_does_not_exist(tmp_path):
    settings = _settings(tmp_path, embedding_model=str(tmp_path / "geen-model"))
    result = Doctor(settings, check_slack=False).check_embedding_model()
    assert result.status == FAIL and "models pull" in result.fix


@pytest.mark.slow
def test_model_server_backend(tmp_path, llm_server):
    ok = _quick(_settings(tmp_path, llm_backend="openai", llm_server_url=llm_server,
                          llm_server_model=MODEL_ALIAS)).check_llm()
    assert ok.status == OK and MODEL_ALIAS in ok.detail
    wrong = _quick(_settings(tmp_path, llm_backend="openai", llm_server_url=llm_server,
                             llm_server_model="mistral")).check_llm()
    assert wrong.status == FAIL and MODEL_ALIAS in wrong.detail


@pytest.mark.slow
def test_model_server_backend_generates_a_few_tokens(tmp_path, llm_server):
    settings = _settings(tmp_path, llm_backend="openai", llm_server_url=llm_server, llm_server_model=MODEL_ALIAS)
    result = Doctor(settings, check_slack=False).check_llm()
    assert result.status == OK and "proefgeneratie in orde" in result.detail and "tokens/s" in result.detail


def test_model_server_unreachable(tmp_path):
    settings = _settings(tmp_path, llm_backend="openai", llm_server_url=f"http://127.0.0.1:{free_port()}/v1")
    result = _quick(settings).check_llm()
    assert result.status == FAIL and "niet bereikbaar" in result.detail and "VRAAGBAAK_LLM_SERVER_URL" in result.fix


# --- folders ------------------------------------------------------------------------------------

def test_data_dir_writable(tmp_path):
    result = _quick(_settings(tmp_path)).check_data_dir()
    assert result.status == OK and (tmp_path / "data").is_dir()
    assert list((tmp_path / "data").iterdir()) == []  # the probe file is gone


def test_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings = make_settings(blocker / "data", sources={"bedrijf": SAMPLE})
    result = _quick(settings).check_data_dir()
    assert result.status == FAIL and "niet schrijfbaar" in result.detail and "VRAAGBAAK_DATA_DIR" in result.fix


def test_sources_readable(tmp_path):
    result = _quick(_settings(tmp_path)).check_sources()
    assert result.status == OK and "bedrijf:" in result.detail


def test_missing_and_empty_source_folders(tmp_path):
    empty = tmp_path / "leeg"
    empty.mkdir()
    (empty / "notities.xyz").write_text("geen ondersteund formaat")
    settings = _settings(tmp_path, sources={"bedrijf": SAMPLE, "wiki": tmp_path / "bestaat-niet", "hr": empty})
    result = _quick(settings).check_sources()
    assert result.status == FAIL
    assert "wiki: map" in result.detail and "bestaat niet" in result.detail
    assert "hr: geen ondersteunde bestanden" in result.detail
    assert "VRAAGBAAK_SOURCES" in result.fix and ".docx" in result.fix


# --- index ------------------------------------------------------------------------------------

class OtherEmbedder:
    """A real (tiny, deterministic) embedder that is not the configured one."""

    name = "andere-embedder"
    dimension = 8

    def embed_documents(self, texts, progress=None):
        vectors = np.array([[len(t) % 7 + 1.0, *([1.0] * 7)] for t in texts], dtype=np.float32)
        if progress:
            progress(len(texts))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_query(self, text):
        return self.embed_documents([text])[0]

    def count_tokens(self, text):
        return len(text.split())


def test_empty_index_is_a_warning(tmp_path):
    result = _quick(_settings(tmp_path)).check_index()
    assert result.status == WARN and "vraagbaak index" in result.fix


def _index(tmp_path: Path, embedder) -> str:
    """A one-document index built by the real Indexer with `embedder`; returns its URI."""
    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.index.store import ChunkStore

    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "verlof.md").write_text("# Verlof\n\nJe hebt 25 vakantiedagen per jaar.\n", encoding="utf-8")
    uri = str(tmp_path / f"index-{embedder.dimension}")
    Indexer(ChunkStore(uri), embedder, Chunker(embedder.count_tokens), lock_dir=tmp_path / "state").reindex(
        docs, collection="hr")
    return uri


@pytest.mark.slow
def test_index_built_with_the_model_in_use(tmp_path, embedder):
    doctor = Doctor(_settings(tmp_path, index_uri=_index(tmp_path, embedder)), check_slack=False)
    assert doctor.check_embedding_model().status == OK
    result = doctor.check_index()
    assert result.status == OK and "1 documenten" in result.detail


@pytest.mark.slow
def test_index_built_with_a_packaged_single_file_model(tmp_path, e5_small_embedder):
    settings = _settings(tmp_path, index_uri=_index(tmp_path, e5_small_embedder),
                         embedding_model="multilingual-e5-small-q4")
    assert _quick(settings).check_index().status == OK  # the model named, not loaded, still matches
    doctor = Doctor(settings, check_slack=False)
    assert doctor.check_embedding_model().status == OK
    assert doctor.check_index().status == OK


@pytest.mark.slow
def test_index_built_with_another_embedding_model(tmp_path):
    uri = _index(tmp_path, OtherEmbedder())
    quick = _quick(_settings(tmp_path, index_uri=uri)).check_index()
    assert quick.status == WARN and "index --full" in quick.fix
    doctor = Doctor(_settings(tmp_path, index_uri=uri), check_slack=False)
    doctor.check_embedding_model()
    result = doctor.check_index()
    assert result.status == FAIL and "andere-embedder" in result.detail and "index --full" in result.fix


# --- the report and the command ---------------------------------------------------------------

def test_report_text_shows_each_fix_and_the_verdict():
    report = DoctorReport([CheckResult("a", "Alfa", OK, "prima"),
                           CheckResult("b", "Beta", FAIL, "kapot", "Repareer beta."),
                           CheckResult("c", "Gamma", WARN, "let op", "Kijk naar gamma.")])
    text = report.render_text()
    assert not report.ok
    assert "FOUT" in text and "OPLOSSING (fix): Repareer beta." in text and "Kijk naar gamma." in text
    assert "1 fout(en), 1 waarschuwing(en)" in text
    assert DoctorReport([CheckResult("a", "Alfa", WARN, "x", "y")]).ok


def test_a_crashing_check_is_a_failed_check(tmp_path, monkeypatch):
    doctor = _quick(_settings(tmp_path))
    monkeypatch.setattr(doctor, "check_sources", lambda: 1 / 0)
    report = doctor.run()
    assert report.result("sources").status == FAIL and "ZeroDivisionError" in report.result("sources").detail


def test_doctor_command_exits_non_zero_with_a_json_report(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VRAAGBAAK_SOURCES", f"bedrijf={SAMPLE},wiki={tmp_path / 'weg'}")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-geheime-waarde-42")
    code = main(["--data-dir", str(tmp_path / "data"), "doctor", "--json", "--quick", "--no-slack"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["ok"] is False
    status = {c["key"]: c["status"] for c in report["checks"]}
    assert status["tokens"] == FAIL and status["sources"] == FAIL and status["data_dir"] == OK
    assert all(c["fix"] for c in report["checks"] if c["status"] == FAIL)
    assert "geheime-waarde" not in json.dumps(report)  # never a token value

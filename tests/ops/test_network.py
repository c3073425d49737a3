"""Nothing leaves the machine: `index`, `ask` and `serve` (against tests/fakeslack) run as the
operator runs them — a child process with a clean environment, no HF_HUB_OFFLINE or any HF_*
variable set by hand — with a `sitecustomize.py` in the child that records every address the
process resolves or connects to, and refuses every one that is not this machine.

The guard sits on Python's socket layer, where the hub clients (huggingface_hub, transformers,
sentence-transformers), their telemetry and slack_sdk connect. Native code that opens sockets
itself (none of lancedb's, tantivy's or llama.cpp's code paths used here do) is outside it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakeslack import FakeSlack
from tests.ops.conftest import MODEL_ALIAS
from tests.knowledge.conftest import write_docs

pytestmark = pytest.mark.slow  # the children load the packaged embedding and language models

REPO = Path(__file__).resolve().parents[2]
USER, CHANNEL = "U0ALICE", "C0ALGEMEEN"

GUARD = textwrap.dedent('''
    """Test guard: records every resolved or connected address; refuses all but loopback."""
    import ipaddress, json, os, socket

    _LOG = os.environ["NETGUARD_LOG"]

    def _record(kind, host, port, allowed):
        with open(_LOG, "a", encoding="utf-8") as out:
            out.write(json.dumps({"pid": os.getpid(), "kind": kind, "host": str(host), "port": port,
                                  "allowed": allowed}) + "\\n")

    def _local(host):
        if host in ("localhost", "", None):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _check(kind, address):
        if not isinstance(address, tuple):  # a Unix socket path: never leaves the machine
            return
        host, port = address[0], address[1] if len(address) > 1 else None
        allowed = _local(host)
        _record(kind, host, port, allowed)
        if not allowed:
            raise OSError(101, f"netguard: connection to {host}:{port} refused")

    _getaddrinfo, _connect, _connect_ex = socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host, port, *args, **kwargs):
        allowed = _local(host.decode() if isinstance(host, bytes) else host)
        _record("resolve", host, port, allowed)
        if not allowed:
            raise socket.gaierror(socket.EAI_NONAME, f"netguard: lookup of {host} refused")
        return _getaddrinfo(host, port, *args, **kwargs)

    def connect(self, address):
        _check("connect", address)
        return _connect(self, address)

    def connect_ex(self, address):
        _check("connect", address)
        return _connect_ex(self, address)

    socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex = getaddrinfo, connect, connect_ex
    _record("armed", "", None, True)
''')


@pytest.fixture
def child(tmp_path):
    """Runs `vraagbaak …` in a child with a clean environment and the guard; returns (run, attempts)."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "network.jsonl"
    docs = write_docs(tmp_path / "docs", {
        "hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen per jaar bij een fulltime contract.\n",
        "it/vpn.md": "# VPN\n\nMet de VPN-client GlobalProtect werk je veilig buiten kantoor.\n"})
    home = tmp_path / "home"
    home.mkdir()
    env = {  # nothing from the developer's environment: no HF_*, no *_OFFLINE, no proxy settings
        "PATH": os.defpath, "HOME": str(home), "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join([str(guard), str(REPO)]), "NETGUARD_LOG": str(log),
        "VRAAGBAAK_DATA_DIR": str(tmp_path / "data"), "VRAAGBAAK_MODELS_DIR": str(tmp_path / "models"),
        "VRAAGBAAK_SOURCES": f"bedrijf={docs}", "VRAAGBAAK_N_CTX": "2048", "VRAAGBAAK_MAX_TOKENS": "24",
    }
    assert not any(k.startswith("HF_") or k.endswith("_OFFLINE") for k in env)

    def command(*args: str) -> list[str]:
        return [sys.executable, "-m", "bot.cli", *args]

    def run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(command(*args), cwd=tmp_path, env={**env, **(extra or {})},
                              capture_output=True, text=True, timeout=600)

    def attempts() -> list[dict]:
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    run.command, run.env, run.cwd = command, env, tmp_path
    return run, attempts


def refused(attempts: list[dict]) -> list[str]:
    return sorted({f"{a['kind']} {a['host']}:{a['port']}" for a in attempts if not a["allowed"]})


def test_index_and_ask_contact_nothing(child):
    run, attempts = child
    indexed = run("index")
    assert indexed.returncode == 0, indexed.stderr
    asked = run("ask", "Hoeveel vakantiedagen krijg ik?")
    assert asked.returncode == 0, asked.stderr

    seen = attempts()
    assert sum(a["kind"] == "armed" for a in seen) >= 2  # the guard ran in both children
    assert refused(seen) == []
    assert not [a for a in seen if a["kind"] in ("resolve", "connect")]  # not even this machine


def test_serve_contacts_only_the_configured_slack(child):
    run, attempts = child
    assert run("index").returncode == 0
    with FakeSlack() as slack:
        slack.workspace.add_user(USER, "alice")
        extra = {"SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": slack.workspace.bot_token,
                 "SLACK_APP_TOKEN": slack.workspace.app_token, "VRAAGBAAK_REINDEX_CRON": "",
                 "VRAAGBAAK_CONSISTENCY_CRON": ""}
        bot = subprocess.Popen(run.command("serve"), cwd=run.cwd, env={**run.env, **extra},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            slack.wait_for_connection(timeout=300)
            event = slack.user_posts("Hoeveel vakantiedagen krijg ik?", user=USER, channel=CHANNEL)
            slack.wait_for_ack(slack.push_event(event))
            slack.wait_until(lambda: slack.calls_to("chat.stopStream") or slack.calls_to("chat.update") or None,
                             300, "an answer")
        finally:
            bot.send_signal(signal.SIGTERM)
            output, _ = bot.communicate(timeout=120)
        assert bot.returncode == 0, output
        slack_port = int(slack.api_url.split(":")[2].split("/")[0])

    seen = attempts()
    assert refused(seen) == []
    contacted = {(a["host"], a["port"]) for a in seen if a["kind"] == "connect"}
    assert contacted and {port for _, port in contacted} == {slack_port}, contacted


def test_ask_with_the_server_backend_contacts_only_the_configured_model_server(child, llm_server):
    """VRAAGBAAK_LLM_BACKEND=openai: the question goes to llama-cpp-python's OpenAI-compatible server on
    this machine (tests/ops/conftest.py) and to nothing else."""
    run, attempts = child
    assert run("index").returncode == 0
    server = {"VRAAGBAAK_LLM_BACKEND": "openai", "VRAAGBAAK_LLM_SERVER_URL": llm_server,
              "VRAAGBAAK_LLM_SERVER_MODEL": MODEL_ALIAS}
    asked = run("ask", "Hoeveel vakantiedagen krijg ik?", extra=server)
    assert asked.returncode == 0, asked.stderr

    seen = attempts()
    assert refused(seen) == []
    server_port = int(llm_server.split(":")[2].split("/")[0])
    contacted = {(a["host"], a["port"]) for a in seen if a["kind"] == "connect"}
    assert contacted and {port for _, port in contacted} == {server_port}, contacted

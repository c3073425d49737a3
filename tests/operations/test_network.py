"""Nothing leaves the machine: `index`, `ask` and `serve` (against tests/fakes/slack) run as the
operator runs them — a child process with a clean environment, no HF_HUB_OFFLINE or any HF_*
variable set by hand — with a `sitecustomize.py` in the child that records every address the
process resolves or connects to, and refuses every one that is not this machine.

The guard sits on Python's socket layer, where the hub clients (huggingface_hub, transformers,
sentence-transformers), their telemetry and slack_sdk connect. Native code that opens sockets itself
(Lance's and LanceDB's Rust, llama.cpp) is outside it, so where strace may trace (`strace -f`, every
thread and child) the children also run under it, and every connect/sendto/sendmsg system call to an
internet address is checked too: a DNS lookup shows there as a packet to the name server's port 53.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakes.slack import FakeSlack
from tests.processes import ChildProcess, run_child
from tests.operations.conftest import MODEL_ALIAS
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


# connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0, and the
# same in sendto/sendmsg and for AF_INET6 (inet_pton(AF_INET6, "::1", &sin6_addr)).
_SYSCALL = re.compile(r'(?:connect|sendto|sendmsg)\(.*sa_family=AF_INET6?, sin6?_port=htons\((\d+)\).*?'
                      r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


# --seccomp-bpf: the kernel stops the traced program only at these calls, not at every system call,
# so a traced `serve` runs at nearly full speed instead of several times slower.
STRACE_COMMAND = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect,sendto,sendmsg"]


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run([*STRACE_COMMAND, "-o", os.devnull, "true"], capture_output=True)
    return probe.returncode == 0


STRACE = _strace_works()


def syscall_contacts(folder: Path) -> set[tuple[str, int]]:
    """(address, port) of every internet destination the traced children's system calls named."""
    found = set()
    for log in folder.glob("syscalls-*.log"):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _SYSCALL.search(line)
            if match:
                found.add((match.group(2) or match.group(3), int(match.group(1))))
    return found


def traced_pid(process: subprocess.Popen) -> int:
    """The vraagbaak process itself: strace's child when traced (a signal to strace would not reach it)."""
    if not STRACE:
        return process.pid
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    for _ in range(200):
        pids = children.read_text().split()
        if pids:
            return int(pids[0])
        import time
        time.sleep(0.05)
    raise AssertionError("strace started no child")


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

    traced = tmp_path / "syscalls"
    traced.mkdir()

    def command(*args: str) -> list[str]:
        vraagbaak = [sys.executable, "-m", "bot.cli", *args]
        if not STRACE:
            return vraagbaak
        log = traced / f"syscalls-{len(list(traced.iterdir()))}.log"
        log.touch()
        return [*STRACE_COMMAND, "-o", str(log), *vraagbaak]

    def run(*args: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return run_child(command(*args), cwd=tmp_path, env={**env, **(extra or {})},
                         capture_output=True, text=True, timeout=900)

    def attempts() -> list[dict]:
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    run.command, run.env, run.cwd, run.traced = command, env, tmp_path, traced
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
    assert syscall_contacts(run.traced) == set()  # nor native code (when strace may trace here)


def test_serve_contacts_only_the_configured_slack(child):
    run, attempts = child
    assert run("index").returncode == 0
    with FakeSlack() as slack:
        slack.workspace.add_user(USER, "alice")
        extra = {"SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": slack.workspace.bot_token,
                 "SLACK_APP_TOKEN": slack.workspace.app_token, "VRAAGBAAK_REINDEX_CRON": "",
                 "VRAAGBAAK_CONSISTENCY_CRON": ""}
        # Ceilings, not expected times: each wait ends at its event (a traced child on a busy machine is slow).
        with ChildProcess(run.command("serve"), cwd=run.cwd, env={**run.env, **extra},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as bot:
            def running(found):
                assert bot.poll() is None, f"serve stopped ({bot.returncode}):\n{bot.stdout.read()}"
                return found
            slack.wait_until(lambda: running(slack.connections >= 1 or None), 600, "a Socket Mode connection")
            event = slack.user_posts("Hoeveel vakantiedagen krijg ik?", user=USER, channel=CHANNEL)
            slack.wait_for_ack(slack.push_event(event), timeout=120)
            slack.wait_until(lambda: running(slack.calls_to("chat.stopStream") or slack.calls_to("chat.update")
                                             or None), 600, "an answer")
            os.kill(traced_pid(bot), signal.SIGTERM)
            output, _ = bot.communicate(timeout=600)
        assert bot.returncode == 0, output
        slack_port = int(slack.api_url.split(":")[2].split("/")[0])

    seen = attempts()
    assert refused(seen) == []
    contacted = {(a["host"], a["port"]) for a in seen if a["kind"] == "connect"}
    assert contacted and {port for _, port in contacted} == {slack_port}, contacted
    if STRACE:  # native code too: every thread's system calls went to the fake Slack only
        assert syscall_contacts(run.traced) == {("127.0.0.1", slack_port)}


def test_index_with_a_sharepoint_source_contacts_only_that_source(child, tmp_path):
    """A source in the sources file (the local Graph, its token endpoint and its download host):
    `index` and `sources` reach those two ports and nothing else."""
    from tests.fakes.graph.server import FakeGraph
    from tests.fakes.graph.sources_file import graph_sources_file
    from tests.fakes.graph.tenant import Tenant
    from tests.fakes.tls import TestAuthority

    run, attempts = child
    (tmp_path / "tls").mkdir()
    authority = TestAuthority(tmp_path / "tls")
    tenant = Tenant()
    tenant.add_app("vraagbaak-app", secret="geheim")
    drive = tenant.add_drive("Documenten", site=tenant.add_site("contoso.sharepoint.com:/sites/personeel"))
    tenant.add_file(drive, "intranet/kantine.md", b"# Kantine\n\nOpen van 12 tot 14 uur.\n",
                    [{"roles": ["read"], "link": {"scope": "organization", "type": "view"}}])
    with FakeGraph(tenant, authority) as graph:
        sources = graph_sources_file(tmp_path / "bronnen.toml", graph, authority, secret="geheim",
                                     site="contoso.sharepoint.com:/sites/personeel")
        extra = {"VRAAGBAAK_SOURCES_FILE": str(sources)}
        indexed = run("index", extra=extra)
        assert indexed.returncode == 0, indexed.stderr
        listed = run("sources", "--json", extra=extra)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)[0]["documents"] == 1
        ports = {int(graph.url.rsplit(":", 1)[1]), int(graph.download_host.rsplit(":", 1)[1])}

    seen = attempts()
    assert refused(seen) == []
    contacted = {(a["host"], a["port"]) for a in seen if a["kind"] == "connect"}
    assert contacted and {port for _, port in contacted} <= ports, contacted
    assert "geheim" not in indexed.stderr + indexed.stdout + listed.stdout
    if STRACE:
        assert {port for _, port in syscall_contacts(run.traced)} <= ports


def test_ask_with_the_server_backend_contacts_only_the_configured_model_server(child, llm_server):
    """VRAAGBAAK_LLM_BACKEND=openai: the question goes to llama-cpp-python's OpenAI-compatible server on
    this machine (tests/operations/conftest.py) and to nothing else."""
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
    if STRACE:
        assert syscall_contacts(run.traced) == {("127.0.0.1", server_port)}


@pytest.mark.skipif(not STRACE, reason="strace cannot trace here")
def test_the_system_call_trace_sees_a_lookup_made_outside_python(tmp_path):
    """The second layer does not pass for nothing: a name lookup through libc (as native code makes
    it) is a packet to the name server's port 53."""
    log = tmp_path / "syscalls-0.log"
    run_child([*STRACE_COMMAND, "-o", str(log),
               sys.executable, "-c", "import socket\ntry: socket.getaddrinfo('huggingface.co', 443)\n"
                                     "except OSError: pass"], check=True, timeout=60)
    assert 53 in {port for _, port in syscall_contacts(tmp_path)}

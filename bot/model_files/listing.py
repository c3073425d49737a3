"""`vraagbaak models list`: the profiles, and which model files are configured, present and in use."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot.errors import ModelError
from bot.model_files.profiles import (EARLIER_EMBEDDING_PATHS, PRODUCTION_EMBEDDING_PATH, PRODUCTION_RERANKER_PATH,
                                      PROFILES, ModelProfile)
from bot.model_files.resolving import (active_profile, is_pulled_folder, packaged_embedding_path, packaged_llm_path,
                                       resolve_embedding_model, resolve_llm_model, resolve_reranker_model)
from bot.settings import Settings

log = logging.getLogger(__name__)


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
    active_llm = resolve_llm_model(settings) if settings.llm.backend == "local" else None
    configured_llm = resolve_llm_model(settings) if settings.llm.model != "auto" else None
    chosen = active_profile(settings)
    places = _candidates(settings.folders.models_dir / chosen.path, packaged_llm_path, configured_llm)
    places[0 if configured_llm is None else 1] = (f"profiel {chosen.name}", settings.folders.models_dir / chosen.path)
    places += [(f"profiel {p.name}", settings.folders.models_dir / p.path) for p in PROFILES.values()
               if p is not chosen and (settings.folders.models_dir / p.path).is_file()]
    for label, path in places:
        rows.append(ModelEntry("taalmodel", f"{label}: {path.name}", path, path.is_file(), _size_of(path),
                               active_llm is not None and path == active_llm))
    active_embedding = resolve_embedding_model(settings)
    configured_embedding = Path(active_embedding) if settings.retrieval.embedding_model != "auto" else None
    places = _candidates(settings.folders.models_dir / PRODUCTION_EMBEDDING_PATH, packaged_embedding_path,
                         configured_embedding)
    places += [("eerder opgehaald", settings.folders.models_dir / p) for p in EARLIER_EMBEDDING_PATHS
               if is_pulled_folder(settings.folders.models_dir / p)]
    for label, path in places:
        rows.append(ModelEntry("embedding", f"{label}: {path.name}", path, is_pulled_folder(path),
                               _size_of(path), str(path) == active_embedding))
    active_reranker = resolve_reranker_model(settings)
    places = [("productie", settings.folders.models_dir / PRODUCTION_RERANKER_PATH)]
    if chosen.reranker is None and settings.retrieval.reranker == "auto":
        places = [(f"uit in profiel {chosen.name}", settings.folders.models_dir / PRODUCTION_RERANKER_PATH)]
    if active_reranker is not None and settings.retrieval.reranker != "auto":
        places.insert(0, ("ingesteld", Path(active_reranker)))
    for label, path in places:
        rows.append(ModelEntry("herordening", f"{label}: {path.name}", path, is_pulled_folder(path),
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
    active_llm = resolve_llm_model(settings) if settings.llm.backend == "local" else None
    return [ProfileRow(p, (settings.folders.models_dir / p.path).is_file(), p.name == settings.llm.profile,
                       active_llm == settings.folders.models_dir / p.path)
            for p in PROFILES.values()]

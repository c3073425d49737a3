"""The model profiles of `vraagbaak models pull --profile`: which language model (GGUF), embedding model
and reranker each one fetches from the hub, and what a newcomer should know about them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.errors import ModelError


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
# language model never forces a re-index or a new relevance calibration (docs/models.md).
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
DEFAULT_PROFILE = "standaard"  # bot/settings/llm.py names the same ones (LLM_PROFILES; a test keeps them equal)

# The default profile's language model (earlier code and tests know it by this name).
PRODUCTION_LLM = PROFILES[DEFAULT_PROFILE].llm


class UnknownProfileError(ModelError):
    """A profile name that is not one of PROFILES."""


def profile_named(name: str) -> ModelProfile:
    """The profile called `name`; a Dutch error that lists the choices otherwise."""
    try:
        return PROFILES[name.strip().lower()]
    except KeyError:
        raise UnknownProfileError(
            f"Onbekend modelprofiel '{name}'. Kies uit: {', '.join(PROFILES)}.") from None

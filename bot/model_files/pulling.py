"""`vraagbaak models pull`: a profile's files fetched from the hub into the models folder, verified
(size and sha256), with the free space checked first."""

from __future__ import annotations

import fnmatch
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ModelError
from bot.model_files.checks import record_in_manifest
from bot.model_files.profiles import DEFAULT_PROFILE, PROFILES, HubFile, HubFolder, ModelProfile

if TYPE_CHECKING:
    from bot.model_files.hub import HubClient, RemoteFile, RemoteRepo

log = logging.getLogger(__name__)


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
    from bot.model_files.hub import DownloadError

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
    # config.json last: its presence is what marks the folder as usable (is_pulled_folder).
    wanted.sort(key=lambda f: (f.path == "config.json", f.path))
    return _Planned(repo, wanted, models_dir / folder.folder)


def _wanted_model_file(path: str) -> bool:
    if "/" in path and not path.startswith("1_Pooling/"):
        return False
    return any(fnmatch.fnmatch(path, pattern) for pattern in MODEL_FILES)


def _check_free_space(models_dir: Path, plan: list[_Planned]) -> None:
    """Refuses up front when what is missing does not fit (huggingface_hub only warns)."""
    from bot.model_files.hub import DownloadError

    needed = sum(f.size for step in plan for f in step.files
                 if not (step.folder / f.path).is_file() or (step.folder / f.path).stat().st_size != f.size)
    free = shutil.disk_usage(models_dir).free
    if needed > free:
        raise DownloadError(
            f"De schijf is te vol voor de modellen: er is {needed / 1e9:.1f} GB nodig in {models_dir}, "
            f"maar er is {free / 1e9:.1f} GB vrij. Maak ruimte vrij of kies een andere VRAAGBAAK_MODELS_DIR.")


def _pull_file(client: "HubClient", repo: "RemoteRepo", remote: "RemoteFile", folder: Path, models_dir: Path,
               show_progress: bool) -> PulledFile:
    from bot.model_files.hub import DownloadError

    destination = folder / remote.path
    relative = destination.relative_to(models_dir).as_posix()
    action = "opgehaald"
    if destination.exists():
        if _verified(remote, destination, f"controle {relative}", show_progress):
            record_in_manifest(models_dir, relative, remote.size, remote.checksum)
            return PulledFile(destination, remote.size, "aanwezig")
        log.warning("%s does not match the hub's checksum; fetching it again", relative)
        action = "vervangen"
    for attempt in (1, 2):
        # force: huggingface_hub trusts a file its own metadata says it fetched; we checked, it is wrong
        path = client.download(repo, remote, folder, force=action == "vervangen" or attempt > 1,
                               show_progress=show_progress)
        if _verified(remote, path, f"controle {relative}", show_progress):
            record_in_manifest(models_dir, relative, remote.size, remote.checksum)
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

"""`vraagbaak models pull` on huggingface_hub, with our own checks on top.

huggingface_hub does the transfer: the file's metadata (`HEAD /{repo}/resolve/{commit}/{path}`,
following redirects that stay on the hub), the bytes (`GET` on the CDN or resolve-cache URL, resumed
with `Range` after a broken connection), a temporary file renamed into place, and progress bars.
We add: the listing we verify against (`GET /api/models/{repo}/revision/{rev}?blobs=true`, which
gives every file's size, sha256 for LFS files and git blob id for small ones), every file pinned to
the commit of that listing, a check of free disk space, size + checksum of every file on disk, one
fresh download of a file that fails the check, and Dutch errors.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from tqdm import tqdm

from bot.errors import ModelError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
LIBRARY = "vraagbaak"


class DownloadError(ModelError):
    """A model file could not be fetched, or did not match its checksum."""


@dataclass(frozen=True)
class RemoteFile:
    """A file in a hub repository with what we need to verify it."""

    path: str
    size: int
    sha256: str | None = None  # large (LFS) files
    git_sha1: str | None = None  # small files: the git blob id

    @property
    def checksum(self) -> str | None:
        return self.sha256 or self.git_sha1

    def matches(self, local: Path, progress: Callable[[int], object] | None = None) -> bool:
        """True when the local file has this size and checksum."""
        if not local.is_file() or local.stat().st_size != self.size:
            return False
        return self.checksum_of(local, progress) == self.checksum

    def checksum_of(self, local: Path, progress: Callable[[int], object] | None = None) -> str:
        if self.sha256:
            digest = hashlib.sha256()
        else:
            digest = hashlib.sha1()
            digest.update(b"blob %d\0" % local.stat().st_size)
        with local.open("rb") as fh:
            while block := fh.read(CHUNK_BYTES):
                digest.update(block)
                if progress:
                    progress(len(block))
        return digest.hexdigest()


@dataclass(frozen=True)
class RemoteRepo:
    """A repository at one commit, and its files."""

    repo: str
    commit: str
    files: tuple[RemoteFile, ...]


class _Silent(tqdm):
    """The progress bar for `--quiet`: huggingface_hub takes a class, not a flag."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.pop("name", None)
        super().__init__(*args, **{**kwargs, "disable": True})


@contextlib.contextmanager
def online() -> Iterator[None]:
    """Lets huggingface_hub reach the hub for the duration of a pull, and nothing else.

    The CLI runs offline (bot.settings.offline_environment sets HF_HUB_OFFLINE), and huggingface_hub
    reads that once, at import, into its constants: switching it there is the one explicit way to go
    online for `models pull` only. Telemetry stays off: with it on, huggingface_hub builds its
    User-Agent from an agent registry it fetches from huggingface.co itself, not from our endpoint.
    """
    from huggingface_hub import constants

    saved = constants.HF_HUB_OFFLINE, constants.HF_HUB_DISABLE_TELEMETRY
    constants.HF_HUB_OFFLINE, constants.HF_HUB_DISABLE_TELEMETRY = False, True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE, constants.HF_HUB_DISABLE_TELEMETRY = saved


class HubClient:
    """Talks to one hub endpoint (https://huggingface.co, or a mirror: the `hf_endpoint` setting)."""

    def __init__(self, endpoint: str, *, timeout: float = 30.0) -> None:
        from huggingface_hub import HfApi

        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        # token=False: no token from the environment or ~/.cache/huggingface is sent to a mirror.
        self._api = HfApi(endpoint=self.endpoint, token=False, library_name=LIBRARY)

    def repository(self, repo: str, revision: str = "main") -> RemoteRepo:
        """The repository's commit for `revision` and every file's size and checksum."""
        with self._dutch_errors(repo), online():
            info = self._api.model_info(repo, revision=revision, files_metadata=True, timeout=self.timeout)
        files = tuple(RemoteFile(s.rfilename, int(s.lfs.size if s.lfs else s.size or 0),
                                 sha256=s.lfs.sha256 if s.lfs else None,
                                 git_sha1=None if s.lfs else s.blob_id)
                      for s in info.siblings or ())
        if not info.sha:
            raise DownloadError(f"{self.endpoint} gaf geen commit voor {repo}; is dit een Hugging Face-hub?")
        return RemoteRepo(repo, info.sha, files)

    def download(self, repo: RemoteRepo, remote: RemoteFile, folder: Path, *, force: bool = False,
                 show_progress: bool = True) -> Path:
        """Fetch one file into `folder` (keeping its path in the repository) at the listing's commit."""
        from huggingface_hub import hf_hub_download

        with self._dutch_errors(repo.repo, remote.path), online():
            return Path(hf_hub_download(
                repo.repo, remote.path, revision=repo.commit, endpoint=self.endpoint, token=False,
                local_dir=folder, cache_dir=folder / ".cache" / "huggingface" / "hub",
                force_download=force, etag_timeout=self.timeout, library_name=LIBRARY,
                tqdm_class=None if show_progress else _Silent))

    @contextlib.contextmanager
    def _dutch_errors(self, repo: str, path: str | None = None) -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # huggingface_hub and httpx raise many kinds; each is told apart below
            message = dutch_message(exc, endpoint=self.endpoint, repo=repo, path=path)
            if message is None:
                raise
            log.debug("hub request for %s %s failed", repo, path or "", exc_info=True)
            raise DownloadError(message) from exc


def dutch_message(exc: BaseException, *, endpoint: str, repo: str, path: str | None = None) -> str | None:
    """What went wrong, in Dutch, for the errors huggingface_hub raises; None for the unexpected."""
    import httpx2
    from huggingface_hub import errors

    target = f"{repo}/{path}" if path else repo
    if isinstance(exc, errors.GatedRepoError):
        return (f"{repo} op {endpoint} is afgeschermd (gated): vraag toegang aan op de hub; Vraagbaak stuurt "
                f"geen token mee.")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return f"De repository {repo} bestaat niet op {endpoint} (HTTP {_status(exc)}), of is niet openbaar."
    if isinstance(exc, errors.RevisionNotFoundError):
        return f"De gevraagde versie van {repo} bestaat niet op {endpoint} (HTTP {_status(exc)})."
    if isinstance(exc, errors.RemoteEntryNotFoundError):
        return f"Het bestand {target} bestaat niet op {endpoint} (HTTP {_status(exc)})."
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"De schijf is vol: {target} kon niet worden opgeslagen. Maak ruimte vrij en probeer het opnieuw."
    if isinstance(exc, errors.HfHubHTTPError):
        return f"De modelhub {endpoint} antwoordde HTTP {_status(exc)} voor {target}."
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, errors.LocalEntryNotFoundError) and isinstance(cause, errors.FileMetadataError):
        return f"{endpoint} gaf geen commit of controlesom voor {target}; is dit een Hugging Face-hub?"
    if isinstance(exc, (httpx2.TransportError, errors.LocalEntryNotFoundError)):
        return (f"De modelhub {endpoint} is niet bereikbaar ({_reason(exc)}). Controleer de verbinding of de "
                f"instelling HF_ENDPOINT en probeer het opnieuw.")
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return f"{target} kwam onvolledig binnen van {endpoint}; probeer het opnieuw."
    return None


def _status(exc: BaseException) -> int | str:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", "?")


def _reason(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {exc}".splitlines()[0]

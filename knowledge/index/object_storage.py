"""The index on S3-compatible object storage: how LanceDB is told where and as whom (its
`storage_options`, made here and nowhere else), and why the store could not be reached, in Dutch.

Fields left empty are not passed, so LanceDB falls back to the standard AWS_* variables and the
machine's own credentials (an instance role). The secret is never part of a message or a repr.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.errors import IndexUnreachableError

OBJECT_SCHEMES = ("s3://", "gs://", "az://")


def is_object_storage(uri: str) -> bool:
    return uri.startswith(OBJECT_SCHEMES)


@dataclass(frozen=True)
class ObjectStorage:
    """Where and as whom to reach an S3-compatible store (MinIO, SeaweedFS, Ceph, AWS S3)."""

    endpoint: str = ""  # http(s)://host:port; empty: AWS itself (or AWS_ENDPOINT)
    region: str = ""
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)

    def storage_options(self) -> dict[str, str]:
        """LanceDB's (object_store's) S3 keys for the fields that are set."""
        options = {"aws_endpoint": self.endpoint, "aws_region": self.region,
                   "aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key}
        options = {key: value for key, value in options.items() if value}
        if self.endpoint.startswith("http://"):
            options["allow_http"] = "true"
        return options

    def without_secret(self, text: str) -> str:
        return text.replace(self.secret_access_key, "***") if self.secret_access_key else text


# object_store's errors come as text (a ValueError from LanceDB); these say what went wrong.
_REFUSED = ("SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken", "ExpiredToken",
            "status: 403", "status: 401")
_NO_BUCKET = ("NoSuchBucket",)
_UNREACHABLE = ("tcp connect error", "dns error", "ConnectError", "Connection refused", "operation timed out",
                "error sending request", "HttpError")


def unreachable(exc: BaseException, uri: str, storage: ObjectStorage | None) -> IndexUnreachableError | None:
    """A Dutch IndexUnreachableError when `exc` says the object store refused or could not be reached;
    None for every other error (a damaged table, a missing one)."""
    if not is_object_storage(uri):
        return None
    text = str(exc)
    where = f"De zoekindex {uri}"
    endpoint = storage.endpoint if storage and storage.endpoint else _endpoint_in(text)
    at = f" op {endpoint}" if endpoint else ""
    if any(mark in text for mark in _REFUSED):
        code = _code_in(text)
        message = (f"{where} is niet te lezen: de objectopslag{at} weigert de toegangsgegevens"
                   f"{f' ({code})' if code else ''}. Controleer de toegangssleutel en het geheim "
                   "(VRAAGBAAK_INDEX_S3_ACCESS_KEY_ID en VRAAGBAAK_INDEX_S3_SECRET_ACCESS_KEY, of AWS_*) "
                   "en de rechten van die sleutel op de bucket.")
    elif any(mark in text for mark in _NO_BUCKET):
        message = (f"{where} is niet te lezen: de bucket bestaat niet in de objectopslag{at}. "
                   "Maak de bucket aan of corrigeer VRAAGBAAK_INDEX_URI.")
    elif any(mark in text for mark in _UNREACHABLE):
        message = (f"{where} is niet bereikbaar: de objectopslag{at} antwoordt niet. Controleer of die "
                   "draait en of VRAAGBAAK_INDEX_S3_ENDPOINT (of AWS_ENDPOINT) klopt.")
    else:
        return None
    return IndexUnreachableError(storage.without_secret(message) if storage else message)


def _code_in(text: str) -> str:
    found = re.search(r"<Code>([A-Za-z]+)</Code>", text)
    return found.group(1) if found else ""


def _endpoint_in(text: str) -> str:
    found = re.search(r"uri: Some\((https?://[^/\s)]+)", text)
    return found.group(1) if found else ""

"""The chunk store where the settings say, reached as they say: one recipe for every part that opens it."""

from __future__ import annotations

from bot.settings import Settings
from knowledge.index.object_storage import ObjectStorage, is_object_storage
from knowledge.index.store import ChunkStore


def index_storage(settings: Settings) -> ObjectStorage | None:
    """The object store's address and credentials for an s3:// index; None for a folder."""
    folders = settings.folders
    if not is_object_storage(folders.index_location):
        return None
    return ObjectStorage(endpoint=folders.index_s3_endpoint, region=folders.index_s3_region,
                         access_key_id=folders.index_s3_access_key_id,
                         secret_access_key=folders.index_s3_secret_access_key)


def open_index(settings: Settings) -> ChunkStore:
    return ChunkStore(settings.folders.index_location, storage=index_storage(settings))

"""The state a fake Microsoft 365 tenant holds: sites, drives with their items, permissions,
users and groups, and a change log that `delta` reads. Tests change it with the methods below,
as people would change SharePoint; the server (server.py) answers from it in Graph's shapes."""

from __future__ import annotations

import hashlib
import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass
class Item:
    id: str
    name: str
    parent: str | None
    folder: bool
    content: bytes | None = None  # None on a file: Graph cannot give its content
    permissions: list[dict] = field(default_factory=list)
    serial: int = 0  # the change-log position of its last change
    content_version: int = 1
    version: int = 1
    deleted: bool = False
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    size_override: int | None = None  # claim another size (a file too large to fetch)

    @property
    def size(self) -> int:
        if self.size_override is not None:
            return self.size_override
        return len(self.content or b"")


@dataclass
class Drive:
    id: str
    name: str
    site: str | None
    items: dict[str, Item] = field(default_factory=dict)
    root: str = ""


class Tenant:
    """One tenant. Item ids are opaque; tests address items by path ("hr/verlof.md")."""

    def __init__(self, tenant_id: str = "contoso-tenant") -> None:
        self.tenant_id = tenant_id
        self.drives: dict[str, Drive] = {}
        self.sites: dict[str, dict] = {}  # site id -> {"path": "contoso.sharepoint.com:/sites/hr"}
        self.users: dict[str, dict] = {}  # user id -> {"mail", "userPrincipalName"}
        self.groups: dict[str, list[str]] = {}  # group id -> member user ids (and group ids: nested)
        self.apps: dict[str, dict] = {}  # client id -> {"secret": ..., "certificate": KeyPair | None}
        self.lock = threading.RLock()
        self._serial = itertools.count(1)
        self.serial = 0

    # --- setting up ----------------------------------------------------------------------------------

    def add_app(self, client_id: str, *, secret: str | None = None, certificate=None) -> None:
        self.apps[client_id] = {"secret": secret, "certificate": certificate}

    def add_site(self, path: str) -> str:
        site_id = f"contoso.sharepoint.com,{uuid.uuid4()},{uuid.uuid4()}"
        self.sites[site_id] = {"path": path}
        return site_id

    def add_drive(self, name: str, *, site: str | None = None) -> str:
        drive_id = "b!" + hashlib.sha1(f"{name}{uuid.uuid4()}".encode()).hexdigest()[:30]
        drive = Drive(drive_id, name, site)
        root = self._new_item(drive, "root", None, folder=True)
        drive.root = root.id
        self.drives[drive_id] = drive
        return drive_id

    def add_user(self, user_id: str, mail: str) -> None:
        self.users[user_id] = {"mail": mail, "userPrincipalName": mail}

    def add_group(self, group_id: str, members: list[str]) -> None:
        self.groups[group_id] = list(members)

    # --- what people do in SharePoint --------------------------------------------------------------

    def add_file(self, drive_id: str, path: str, content: bytes | None, permissions: list[dict] | None = None,
                 *, size: int | None = None) -> str:
        with self.lock:
            drive = self.drives[drive_id]
            *folders, name = path.split("/")
            parent = drive.root
            for folder in folders:
                parent = self._child(drive, parent, folder) or self._new_item(drive, folder, parent, folder=True).id
            item = self._new_item(drive, name, parent, folder=False, content=content)
            item.permissions = list(permissions or [])
            item.size_override = size
            return item.id

    def change_content(self, drive_id: str, path: str, content: bytes) -> None:
        with self.lock:
            item = self.item(drive_id, path)
            item.content = content
            item.content_version += 1
            self._touch(item)

    def rename(self, drive_id: str, path: str, new_name: str, *, into: str | None = None) -> None:
        """A new name (and, with `into`, another folder): the content tag stays."""
        with self.lock:
            item = self.item(drive_id, path)
            item.name = new_name
            if into is not None:
                item.parent = self.item(drive_id, into).id if into else self.drives[drive_id].root
            self._touch(item)

    def delete(self, drive_id: str, path: str) -> None:
        """Deletes a file or a folder; delta reports only the item itself, not what was under it."""
        with self.lock:
            item = self.item(drive_id, path)
            item.deleted = True
            self._touch(item)

    def set_permissions(self, drive_id: str, path: str, permissions: list[dict]) -> None:
        """Sharing changes do not show in delta (without Prefer: deltashowsharingchanges)."""
        with self.lock:
            self.item(drive_id, path).permissions = list(permissions)

    # --- reading ---------------------------------------------------------------------------------------

    def item(self, drive_id: str, path: str) -> Item:
        drive = self.drives[drive_id]
        current = drive.root
        for part in path.split("/") if path else ():
            current = self._child(drive, current, part)
            if current is None:
                raise KeyError(path)
        return drive.items[current]

    def path_of(self, drive: Drive, item: Item) -> str:
        parts = []
        while item.parent is not None:
            parts.append(item.name)
            item = drive.items[item.parent]
        return "/".join(reversed(parts))

    def changes_since(self, drive_id: str, serial: int | None) -> list[Item]:
        """Delta's items: everything alive (parents first) for None, else what changed after `serial`."""
        drive = self.drives[drive_id]
        with self.lock:
            if serial is None:
                alive = [item for item in drive.items.values() if not self._gone(drive, item)]
                return sorted(alive, key=lambda item: (self.path_of(drive, item).count("/"), item.serial))
            return sorted((item for item in drive.items.values() if item.serial > serial), key=lambda i: i.serial)

    def transitive_members(self, group_id: str) -> list[str]:
        found, todo, seen = [], list(self.groups[group_id]), set()
        while todo:
            member = todo.pop(0)
            if member in seen:
                continue
            seen.add(member)
            if member in self.groups:
                found.append(member)
                todo.extend(self.groups[member])
            else:
                found.append(member)
        return found

    # --- internals -------------------------------------------------------------------------------------

    def _gone(self, drive: Drive, item: Item) -> bool:
        while item is not None:
            if item.deleted:
                return True
            item = drive.items.get(item.parent) if item.parent else None
        return False

    def _child(self, drive: Drive, parent: str, name: str) -> str | None:
        return next((i.id for i in drive.items.values()
                     if i.parent == parent and i.name == name and not i.deleted), None)

    def _new_item(self, drive: Drive, name: str, parent: str | None, *, folder: bool,
                  content: bytes | None = None) -> Item:
        item_id = "01" + uuid.uuid4().hex.upper()[:32]
        item = Item(item_id, name, parent, folder, content)
        drive.items[item_id] = item
        self._touch(item, new=True)
        return item

    def _touch(self, item: Item, *, new: bool = False) -> None:
        self.serial = next(self._serial)
        item.serial = self.serial
        item.modified = datetime.now(timezone.utc)
        if not new:
            item.version += 1

"""Pseudonymous user ids (AVG/GDPR): a keyed hash instead of the Slack user id in what is stored.

HMAC-SHA256 with a secret key: the same person always gets the same pseudonym (so votes and
answers of one person stay linked, and an access or erasure request can find them by hashing the
id again), but without the key a pseudonym cannot be traced back by trying all user ids. The key
is given by a setting, or generated once and kept next to the data (permissions 0600); with
replicas on one PostgreSQL database and no key setting, generated once and kept in that database
(bot/storage/secrets.py), so that every replica uses the same key. See deploy/PRIVACY.md.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from bot.errors import VraagbaakError
from bot.storage.files import create_exclusively
from bot.storage.secrets import GeneratedSecrets
from bot.storage.stores import Person

log = logging.getLogger(__name__)

PREFIX = "p_"  # a stored pseudonym never looks like a Slack id (U…, W…)
SHARED_KEY = "pseudonym_key"  # its name among the database's generated secrets


class PseudonymKeyError(VraagbaakError):
    """The key file cannot be read or created."""


class Pseudonymizer:
    """Turns a Slack user id into what is stored about it: its pseudonym, or (switched off) the id."""

    def __init__(self, key: bytes | None, *, enabled: bool = True) -> None:
        if enabled and not key:
            raise ValueError("pseudonymisation needs a key")
        self._key = key
        self.enabled = enabled

    def pseudonym(self, user_id: str) -> str | None:
        """The keyed hash of a user id; None without a key."""
        if not self._key:
            return None
        digest = hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest[:32]

    def stored_id(self, user_id: str) -> str:
        """What is written for this user: the pseudonym, or the id itself when switched off."""
        if not user_id or not self.enabled:
            return user_id
        return self.pseudonym(user_id) or user_id

    def stored_forms(self, user_id: str) -> list[str]:
        """Every form this user may be stored under (the id, from before pseudonymisation was on
        or while it was off, and its pseudonym): what access and erasure requests look for."""
        forms = [user_id]
        pseudonym = self.pseudonym(user_id)
        if pseudonym:
            forms.append(pseudonym)
        return forms

    def person(self, user_id: str) -> Person:
        """The person with this Slack id, as access and erasure requests look for them."""
        return Person(user_id, tuple(self.stored_forms(user_id)))


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`; created (32 random bytes, hex, mode 0600) when the file does not exist."""
    path = Path(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    try:
        created = create_exclusively(path, secrets.token_hex(32) + "\n", mode=0o600)
    except OSError as exc:
        raise PseudonymKeyError(f"kan de pseudonimiseringssleutel {path} niet aanmaken: {exc}") from exc
    if not created:  # another process was first
        return _read_key(path)
    log.info("generated the pseudonymisation key %s (keep it with the data; without it old "
             "pseudonyms can no longer be found for an access or erasure request)", path)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise PseudonymKeyError(f"kan de pseudonimiseringssleutel {path} niet lezen: {exc}") from exc
    if not text:
        raise PseudonymKeyError(f"de pseudonimiseringssleutel {path} is leeg")
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("the pseudonymisation key %s was readable by others; permissions set to 0600", path)
    return text.encode("ascii")


def pseudonymizer_for(*, enabled: bool, key: str, key_path: Path,
                      shared: GeneratedSecrets | None = None) -> Pseudonymizer:
    """From the settings: a given key, else the generated one: in the database every replica shares
    (`shared`; a key file made before is carried over into it), else in the key file (created only
    when pseudonymising)."""
    if key:
        return Pseudonymizer(key.encode("utf-8"), enabled=enabled)
    if shared is not None:
        return _shared_pseudonymizer(shared, enabled=enabled, key_path=key_path)
    if enabled:
        return Pseudonymizer(load_or_create_key(key_path))
    try:
        return Pseudonymizer(_read_key(key_path), enabled=False)  # still finds old pseudonyms
    except FileNotFoundError:
        return Pseudonymizer(None, enabled=False)


def _shared_pseudonymizer(shared: GeneratedSecrets, *, enabled: bool, key_path: Path) -> Pseudonymizer:
    def first_key() -> str:
        try:
            return _read_key(key_path).decode("ascii")  # this box's pseudonyms stay findable
        except FileNotFoundError:
            return secrets.token_hex(32)
    if enabled:
        kept = shared.get_or_create(SHARED_KEY, first_key)
        log.info("the pseudonymisation key is the one kept in the shared database (set "
                 "VRAAGBAAK_PSEUDONYM_KEY to keep it apart from the data)")
        return Pseudonymizer(kept.encode("ascii"))
    kept = shared.get(SHARED_KEY)
    return Pseudonymizer(kept.encode("ascii") if kept else None, enabled=False)

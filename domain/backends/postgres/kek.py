"""Key-encryption keys (KEKs) of the PostgreSQL key store, kept in files outside the database.

The database holds each stream's data key only wrapped (AES-256-GCM) under the current KEK.
Forgetting a stream re-wraps every other key under a new KEK and destroys the old one, so the
forgotten key's wrapped bytes left in the table's heap, the WAL, a replica or a later backup
can no longer be unwrapped by anyone.

A key store's KEKs are the files `<kek_id>.<generation>.kek` (32 random bytes, mode 0600) in
one directory: `$ES_TUI_KEK_DIR`, else `$XDG_DATA_HOME/es-tui/kek` (by default
`~/.local/share/es-tui/kek`), made with mode 0700. `kek_id` is a random id the database keeps,
so any number of key stores can share the directory. The database says which generation is
current; a file is written and flushed to disk before the database moves to its generation,
and older files are destroyed only after, so a crash in between never leaves keys unreadable.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.core.shredding.keys import KEY_BYTES, KeyStoreBindingError, KeyStoreError

KEK_DIR_VAR: Final = "ES_TUI_KEK_DIR"
NONCE_BYTES: Final = 12
_CHECK: Final = b"es-tui key-encryption key"


class KekMissingError(KeyStoreBindingError):
    """The KEK file the database names is not there (or is not a KEK): without it, no key of
    this store can be read. Like a missing key store: writing is refused (new values would be
    sealed under keys no one could read back), reading goes on with private values redacted."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.where = str(path)
        self.store_url = ""
        self.problem = reason
        KeyStoreError.__init__(self, f"key-encryption key {path}: {reason}")


def default_kek_dir() -> Path:
    """`$ES_TUI_KEK_DIR`, else the user's data directory's `es-tui/kek`."""
    chosen = os.environ.get(KEK_DIR_VAR)
    if chosen:
        return Path(chosen)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "es-tui" / "kek"


def wrap(kek: bytes, key: bytes, aad: bytes) -> bytes:
    """`key` sealed under `kek`: nonce + ciphertext + tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, key, aad)


def unwrap(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    """The key sealed by `wrap`; KeyStoreError if `kek` or `aad` is not the one used."""
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as exc:
        raise KeyStoreError("a wrapped key does not open with the key-encryption key") from exc


def check_value(kek: bytes, kek_id: str, generation: int) -> bytes:
    """What the database keeps to tell the right KEK file from a wrong one."""
    return wrap(kek, _CHECK, f"{kek_id}.{generation}".encode())


class KekFiles:
    """The KEK files of one key store (`kek_id`) in `directory`."""

    def __init__(self, directory: Path, kek_id: str) -> None:
        self.directory = directory
        self.kek_id = kek_id
        self._name = re.compile(rf"{re.escape(kek_id)}\.(\d+)\.kek")

    def path(self, generation: int) -> Path:
        return self.directory / f"{self.kek_id}.{generation}.kek"

    def create(self, generation: int) -> bytes:
        """A new KEK for `generation`, on disk (flushed, directory too) before returning."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        kek = os.urandom(KEY_BYTES)
        final = self.path(generation)
        temp = final.with_suffix(".tmp")
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, kek)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
        self._sync_directory()
        return kek

    def load(self, generation: int, check: bytes) -> bytes:
        """The KEK of `generation`, checked against the database's `check` value."""
        path = self.path(generation)
        try:
            kek = path.read_bytes()
        except FileNotFoundError:
            raise KekMissingError(
                path, f"missing (set {KEK_DIR_VAR} to the directory holding it)"
            ) from None
        except OSError as exc:
            raise KekMissingError(path, f"unreadable: {exc.strerror}") from None
        if len(kek) != KEY_BYTES:
            raise KekMissingError(path, "not a key-encryption key")
        try:
            opened = unwrap(kek, check, f"{self.kek_id}.{generation}".encode())
        except KeyStoreError:
            raise KekMissingError(path, "not the key this database was wrapped with") from None
        if opened != _CHECK:
            raise KekMissingError(path, "not the key this database was wrapped with")
        return kek

    def older_than(self, generation: int) -> list[Path]:
        """The KEK files of generations below `generation` still in the directory."""
        if not self.directory.is_dir():
            return []
        return sorted(
            path
            for path in self.directory.iterdir()
            if (found := self._name.fullmatch(path.name)) and int(found.group(1)) < generation
        )

    def destroy_below(self, generation: int) -> list[Path]:
        """Overwrite and remove every KEK file of an older generation; returns them."""
        gone: list[Path] = []
        for path in self.older_than(generation):
            with contextlib.suppress(FileNotFoundError):
                size = path.stat().st_size
                with path.open("r+b") as f:
                    f.write(b"\0" * max(size, KEY_BYTES))
                    f.flush()
                    os.fsync(f.fileno())
                path.unlink()
                gone.append(path)
        if gone:
            self._sync_directory()
        return gone

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

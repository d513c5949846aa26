"""Per-stream data keys, kept apart from the events: the key store is a different place
(another file, another table or database), never part of the event store, its exports or its
backups. Destroying a stream's key makes every copy of its private data unreadable."""

from __future__ import annotations

import os
import threading
from typing import Protocol

from domain.core.errors import StreamForgottenError

KEY_BYTES = 32  # AES-256


class KeyStoreError(Exception):
    """The key store cannot be opened or used."""


class KeyStoreBindingError(KeyStoreError):
    """The key store does not go with the event store: it is missing, new and empty while
    the store holds sealed events, or it belongs to another store. Writing would seal new
    values under keys that the real key store does not know, so writes are refused."""

    def __init__(self, where: str, store_url: str, problem: str) -> None:
        self.where = where
        self.store_url = store_url
        self.problem = problem
        super().__init__(
            f"the key store {where} {problem} (store {store_url}); writing is refused: "
            f"put the store's key file back or name it with --key-store"
        )


class KeyStoreMissingError(KeyStoreBindingError):
    """The store holds events but its key store is missing or empty."""


class KeyStoreUnreadableError(KeyStoreBindingError):
    """The key store's file is there but cannot be read as a key store (damaged, or another
    kind of file): nothing can be opened with it and nothing may be sealed into it."""


class KeyStoreMismatchError(KeyStoreBindingError):
    """The key store is paired with another event store."""

    def __init__(self, where: str, store_url: str, store_id: str, paired_with: str) -> None:
        self.store_id = store_id
        self.paired_with = paired_with
        super().__init__(
            where,
            store_url,
            f"belongs to another event store (paired with {paired_with}, this store is {store_id})",
        )


class KeyDestroyedError(StreamForgottenError, KeyStoreError):
    """The stream's key was destroyed (it was forgotten): it gets no new key, so nothing new
    can be written for it."""


class KeyStore(Protocol):
    """Where per-stream keys live."""

    def key_for(self, stream_id: str) -> bytes | None:
        """The stream's key, or None if it never had one or it was destroyed."""
        ...

    def create_key(self, stream_id: str) -> bytes:
        """The stream's key, created now if it has none; KeyStoreError if it was destroyed."""
        ...

    def destroy(self, stream_id: str) -> bool:
        """Destroy the stream's key for good; True if there was one."""
        ...

    def is_destroyed(self, stream_id: str) -> bool:
        """Whether the stream's key was destroyed (the stream was forgotten)."""
        ...

    def forget_cached(self, stream_id: str) -> None:
        """Drop any copy of the key held in this process (another process destroyed it)."""
        ...

    def close(self) -> None: ...


class MemoryKeyStore:
    """Keys in this process's memory (for the `memory:` store)."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}
        self._destroyed: set[str] = set()
        self._lock = threading.Lock()

    def key_for(self, stream_id: str) -> bytes | None:
        return self._keys.get(stream_id)

    def create_key(self, stream_id: str) -> bytes:
        with self._lock:
            if stream_id in self._destroyed:
                raise KeyDestroyedError(stream_id)
            key = self._keys.get(stream_id)
            if key is None:
                key = self._keys[stream_id] = os.urandom(KEY_BYTES)
            return key

    def destroy(self, stream_id: str) -> bool:
        with self._lock:
            self._destroyed.add(stream_id)
            return self._keys.pop(stream_id, None) is not None

    def is_destroyed(self, stream_id: str) -> bool:
        return stream_id in self._destroyed

    def forget_cached(self, stream_id: str) -> None:
        """Nothing to do: this store is the only copy."""

    def close(self) -> None:
        """Nothing to release."""

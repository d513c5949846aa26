"""Forget with proof: capture what to look for, forget, then check every place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from domain.ideas.codec import idea_id_of, stream_id_of
from domain.ideas.handler import CommandOutcome, IdeaCommandHandler
from domain.ideas.projection import IdeaView
from domain.shredding.cipher import CORRUPTED, REDACTED
from domain.shredding.codec import STATE_PRIVATE, ShreddingCodec
from domain.shredding.erasure import ErasureReport, ErasureVerifier, Secrets
from domain.shredding.keystore import KeyStore
from domain.store.protocol import EventStore

_MARKERS = {REDACTED, CORRUPTED}


class Eraser:
    """Forgets ideas and proves it."""

    def __init__(
        self,
        store: EventStore,
        keys: KeyStore,
        codec: ShreddingCodec,
        handler: IdeaCommandHandler,
        view: IdeaView,
        files: Sequence[tuple[str, Path]] = (),
    ) -> None:
        self.store = store
        self.keys = keys
        self.codec = codec
        self.handler = handler
        self.view = view
        self.files = list(files)
        self.verifier = ErasureVerifier(
            store,
            keys,
            view_row=self._view_row,
            stored_view=self._stored_view,
            files=lambda: self.files,
        )

    def _view_row(self, stream_id: str) -> bool:
        idea_id = idea_id_of(stream_id)
        return idea_id is not None and self.view.storage.get(idea_id) is not None

    def _stored_view(self) -> Iterable[tuple[str, str]]:
        # The values as kept at rest (sealed, unless something stored them in clear). A
        # read model kept only in memory has no such form: its values are the live ideas'
        # own, and only a row of the forgotten idea would be a residue there.
        stored = getattr(self.view.storage, "stored_texts", None)
        if callable(stored):
            for idea_id, text in stored():
                yield stream_id_of(idea_id), text

    def secrets(self, idea_id: str) -> Secrets:
        """Every private value the idea ever had (from its events, snapshots and the read
        model), and its key: what must be gone after a forget."""
        stream_id = stream_id_of(idea_id)
        texts: set[str] = set()
        for record in self.store.read_stream(stream_id):
            event = self.codec.decode(record)
            for name in type(event).PRIVATE:
                value = getattr(event, name, None)
                if isinstance(value, str):
                    texts.add(value)
        for snap in self.store.snapshots(stream_id):
            state = self.codec.load_state(stream_id, snap.state)
            for name in STATE_PRIVATE:
                value = getattr(state, name, None)
                if isinstance(value, str):
                    texts.add(value)
        return Secrets(tuple(sorted(texts - _MARKERS)), self.keys.key_for(stream_id))

    def forget(
        self,
        idea_id: str,
        *,
        extra: Sequence[tuple[str, Iterable[str]]] = (),
        forgotten: Callable[[CommandOutcome], None] | None = None,
    ) -> tuple[CommandOutcome, ErasureReport]:
        """Forget the idea, then report on every place its private values could remain.
        `forgotten` hears the outcome as soon as the forget is committed, before the
        (longer) search of every place."""
        secrets = self.secrets(idea_id)
        outcome = self.handler.forget(idea_id)
        if forgotten is not None:
            forgotten(outcome)
        self.view.catch_up()
        return outcome, self.verify(idea_id, secrets, extra=extra)

    def verify(
        self,
        idea_id: str,
        secrets: Secrets | None = None,
        *,
        exports: Sequence[Path] = (),
        logs: Sequence[Path] = (),
        extra: Sequence[tuple[str, Iterable[str]]] = (),
    ) -> ErasureReport:
        """Check every place for `secrets` (values known before the forget, or given)."""
        return self.verifier.verify(
            stream_id_of(idea_id), secrets or Secrets(), exports=exports, logs=logs, extra=extra
        )

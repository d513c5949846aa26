"""The handler's cache of aggregate states changes nothing but speed: any sequence of commands,
some from a second handler on the same store (as another process would write), forgets and
stale writers among them, gives the same events and the same states with and without it."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.backends.memory.store import MemoryEventStore
from domain.bootstrap import DELETED_TYPES, bootstrap
from domain.core.errors import ConcurrencyError
from domain.core.records import COMMAND, RecordedEvent, SnapshotPolicy
from domain.ideas import IdeaCommandHandler, IdeaError, PlainCodec, idea_registry
from tests.domain.conftest import counting_ids

SLOTS = 4
TIMES = {"created_at": None, "updated_at": None}
"""Times differ between two runs; everything else must not."""

text = st.sampled_from(["alpha", "beta", "gamma", "délta ✓", "", "x" * 500])


@dataclass(frozen=True)
class Step:
    kind: str
    writer: int
    slot: int
    a: str | None = None
    b: str | None = None


steps = st.one_of(
    st.builds(Step, st.just("publish"), st.integers(0, 1), st.just(0), text, text),
    st.builds(
        Step,
        st.sampled_from(["accept", "delete", "forget", "stale"]),
        st.integers(0, 1),
        st.integers(0, SLOTS - 1),
    ),
    st.builds(Step, st.just("reject"), st.integers(0, 1), st.integers(0, SLOTS - 1), text),
    st.builds(
        Step,
        st.just("edit"),
        st.integers(0, 1),
        st.integers(0, SLOTS - 1),
        st.one_of(st.none(), text),
        st.one_of(st.none(), text),
    ),
)


class World:
    """A store and two handlers on it; with `cache_size` 0 neither keeps any state."""

    def __init__(self, cache_size: int) -> None:
        self.store = MemoryEventStore(SnapshotPolicy(every=3, keep=2), deleted_types=DELETED_TYPES)
        codec = PlainCodec(idea_registry())
        ids = counting_ids()  # shared: the two writers never draw the same id
        self.writers = [
            IdeaCommandHandler(self.store, codec, new_id=ids, cache_size=cache_size)
            for _ in range(2)
        ]
        self.ids: list[str] = []

    def run(self, step: Step) -> object:
        """What the step did: the new state, or the class of its refusal."""
        handler = self.writers[step.writer]
        idea_id = self.ids[step.slot] if step.slot < len(self.ids) else f"unknown{step.slot}"
        try:
            match step.kind:
                case "publish":
                    outcome = handler.publish(step.a or "", step.b or "")
                    self.ids.append(outcome.idea_id)
                case "accept":
                    outcome = handler.accept(idea_id)
                case "reject":
                    outcome = handler.reject(idea_id, step.a or "")
                case "edit":
                    outcome = handler.edit(idea_id, step.a, step.b)
                case "delete":
                    outcome = handler.delete(idea_id)
                case "forget":
                    outcome = handler.forget(idea_id)
                case _:  # a writer that read the idea one version ago
                    info = self.store.stream_info(f"idea-{idea_id}")
                    behind = info.version - 1 if info else 0
                    outcome = handler.edit(idea_id, "stale", expected_version=behind)
        except (IdeaError, ConcurrencyError) as exc:
            return type(exc)
        # The state a command returns is the state the store holds, times included.
        assert outcome.state == handler.load(idea_id_of(outcome.stream_id), None).state
        return outcome.state.model_dump(exclude={"created_at", "updated_at"})

    def log(self) -> list[tuple[object, ...]]:
        return [comparable(e) for e in self.store.read_all()]


def idea_id_of(stream_id: str) -> str:
    return stream_id.removeprefix("idea-")


def comparable(event: RecordedEvent) -> tuple[object, ...]:
    # Event ids, correlation ids and times are drawn afresh on each run.
    return (event.stream_id, event.version, event.type, event.data, event.metadata[COMMAND])


@settings(max_examples=150, deadline=None)
@given(plan=st.lists(steps, min_size=5, max_size=50), cache_size=st.integers(1, 3))
def test_cached_commands_equal_uncached(plan: list[Step], cache_size: int) -> None:
    cached, plain = World(cache_size), World(0)
    for world in (cached, plain):
        for n in range(SLOTS - 1):
            world.run(Step("publish", n % 2, 0, f"idea {n}", "to begin with"))
    for step in plan:
        assert cached.run(step) == plain.run(step), step
        assert cached.log() == plain.log()
    for idea_id in cached.ids:
        for a, b in zip(cached.writers, plain.writers, strict=True):
            ours, theirs = a.load(idea_id).state, b.load(idea_id).state
            assert ours.model_copy(update=TIMES) == theirs.model_copy(update=TIMES)


def test_a_forget_by_another_handler_drops_the_kept_state() -> None:
    system = bootstrap("memory:", start=False)
    idea_id = system.ideas.publish("Private title", "Private text").idea_id
    system.ideas.accept(idea_id)
    assert system.ideas.cached_streams() == [f"idea-{idea_id}"]
    other = IdeaCommandHandler(system.store, system.codec)  # as another process would
    other.forget(idea_id)
    assert system.ideas.cached_streams() == []
    system.close()


def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used() -> None:
    store = MemoryEventStore(SnapshotPolicy(every=3, keep=2), deleted_types=DELETED_TYPES)
    handler = IdeaCommandHandler(store, PlainCodec(idea_registry()), cache_size=2)
    first, second, third = (handler.publish(f"idea {n}", "text").idea_id for n in range(3))
    # The third publish dropped the first; accepting it loads it again and drops the second.
    handler.accept(first)
    assert handler.cached_streams() == [f"idea-{third}", f"idea-{first}"]
    handler.edit(second, title="back")  # loaded from the store, kept again
    assert handler.cached_streams() == [f"idea-{first}", f"idea-{second}"]

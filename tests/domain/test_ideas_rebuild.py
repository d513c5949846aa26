"""A rebuild of the view (large pages, edits read in place, only the last value of each field
opened) equals a catch-up that decodes and applies every event one page of one event at a
time, over sealed histories of interleaved ideas, shredded ones among them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.bootstrap import bootstrap
from domain.ideas import IdeaError
from domain.ideas.projection import IdeaView

IDEAS = 5

actions = st.lists(
    st.tuples(
        st.integers(0, IDEAS - 1),
        st.sampled_from(["title", "description", "both", "accept", "delete", "forget"]),
        st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and t.isprintable()),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(plan=actions, page=st.integers(1, 40))
def test_rebuild_equals_decoding_every_event(plan: list[tuple[int, str, str]], page: int) -> None:
    system = bootstrap("memory:", start=False)
    handler = system.ideas
    ids = [handler.publish(f"idea {n}", "ünïcode ✓ text").idea_id for n in range(IDEAS)]
    for slot, action, text in plan:
        idea_id = ids[slot]
        try:
            match action:
                case "title":
                    handler.edit(idea_id, title=text)
                case "description":
                    handler.edit(idea_id, description=text)
                case "both":
                    handler.edit(idea_id, title=text, description=text[::-1])
                case "accept":
                    handler.accept(idea_id)
                case "delete":
                    handler.delete(idea_id)
                case "forget":
                    handler.forget(idea_id)
        except IdeaError:
            pass  # refused: nothing appended
    fast = IdeaView(system.store, system.codec)
    fast.rebuild_page_size = page
    fast.rebuild()
    reference = IdeaView(system.store, system.codec)
    reference.page_size = 1
    reference._edits.reads_in_place = lambda: False  # type: ignore[method-assign]
    reference.catch_up()
    assert fast.storage.rows() == reference.storage.rows()
    for idea_id in ids:
        assert fast.storage.is_deleted(idea_id) == reference.storage.is_deleted(idea_id)
    assert fast.skipped == reference.skipped
    system.close()

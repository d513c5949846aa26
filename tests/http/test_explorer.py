"""`es-tui --http`: the API served on the explorer's own event loop, live in its panes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from domain.bootstrap import System, bootstrap
from es_tui.app import ExplorerApp
from es_tui.http.server import bind, bound_address
from tests.ui.conftest import text_of, wait_for, wait_text


@pytest.fixture
def threaded_system() -> Iterator[System]:
    """The demo system as the explorer runs it: consumers on their own threads."""
    system = bootstrap("memory:", demo=True, pm_delay=0.05, threaded=True, accept_probability=1)
    yield system
    system.close()


async def test_a_request_to_the_in_app_api_shows_up_in_the_panes(
    threaded_system: System,
) -> None:
    app = ExplorerApp(threaded_system, http=("127.0.0.1", 0))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.api is not None and app.api.url is not None, "listen")
        assert app.api is not None and app.api.url is not None
        screen = app.main_screen

        # A real TCP request, answered on the loop the explorer runs on.
        async with httpx.AsyncClient(base_url=app.api.url) as http:
            response = await http.post(
                "/ideas", json={"title": "Served over HTTP", "description": "Same loop"}
            )
            refused = await http.delete("/ideas/nosuchidea")

        assert response.status_code == 202 and refused.status_code == 404
        stream_id = response.json()["stream_id"]
        timeline = lambda: screen.query_one("#timeline")  # noqa: E731
        shown = await wait_text(pilot, timeline, "IdeaCreationAccepted")
        requested = next(line for line in shown.splitlines() if "IdeaCreationRequested" in line)
        assert stream_id in requested
        # The read model follows on its own thread: wait for the row to show the acceptance.
        await wait_text(pilot, lambda: screen.query_one("#projection"), "Served over")
        idea_id = stream_id.removeprefix("idea-")

        def accepted_row() -> bool:
            shown = text_of(screen.query_one("#projection"))
            return any(
                "Served over HTTP" in line and idea_id in line and "accepted" in line
                for line in shown.splitlines()
            )

        await wait_for(pilot, accepted_row, "the projection row to say accepted")
        log = lambda: screen.query_one("#log")  # noqa: E731
        await wait_text(pilot, log, f"http: PublishIdea {stream_id} → v1")
        await wait_text(pilot, log, "http: DeleteIdea idea-nosuchidea refused")


async def test_a_busy_port_is_reported_and_the_explorer_lives_on(
    threaded_system: System,
) -> None:
    with bind("127.0.0.1", 0) as taken:
        port = bound_address(taken)[1]
        app = ExplorerApp(threaded_system, http=("127.0.0.1", port))
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.api is not None and bool(app.api.error), "error")
            assert app.api is not None and app.api.error is not None
            assert f"cannot listen on 127.0.0.1:{port}" in app.api.error
            assert app.is_running
            await pilot.press("question_mark")  # still answering keys
            await wait_for(pilot, lambda: app.screen is not app.main_screen, "the help screen")

"""Rasa's HTTP API, served for real by the app Rasa's create_app builds once the plugin is on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import rasa.server
from sanic import Sanic

from img_deploy.processes import free_port
from img_rasa import plugin
from img_store.conversation import SENDER_ID_MAX_CHARS

plugin.apply()

TOKEN = "api-test-token"
MAX_CHARS = 50


@pytest.fixture
async def api(monkeypatch) -> AsyncIterator[str]:
    """The API without a model: a request that gets past the limits and the token check
    meets Rasa's "no agent loaded" (409), so it was served as before."""
    monkeypatch.setenv("MESSAGE_MAX_CHARS", str(MAX_CHARS))
    monkeypatch.setattr(Sanic, "test_mode", True)  # one app name per test process otherwise
    app = rasa.server.create_app(agent=None, auth_token=TOKEN)
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.start_serving()
    yield f"http://127.0.0.1:{port}"
    server.close()
    await server.wait_closed()


async def post(base: str, path: str, body: object, token: str | None = TOKEN) -> tuple[int, dict]:
    params = {"token": token} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base}{path}", json=body, params=params) as answer,
    ):
        return answer.status, await answer.json()


async def test_oversized_input_is_refused_and_the_rest_served_as_before(api):
    long_text = "is 228 enough for IM? " * 10
    assert len(long_text) > MAX_CHARS
    for path, body in (
        ("/model/parse", {"text": long_text}),
        ("/model/parse", {"text": [long_text]}),  # the emulators' form
        ("/conversations/rest:user-1/messages", {"text": long_text, "sender": "user"}),
    ):
        status, error = await post(api, path, body)
        assert status == 400, path
        assert error["reason"] == "InputTooLarge" and error["details"] == {"parameter": "text"}
        assert f"at most {MAX_CHARS} characters" in error["message"]
        assert long_text not in str(error)

    long_id = "a" * (SENDER_ID_MAX_CHARS + 1)
    status, error = await post(api, f"/conversations/{long_id}/messages", {"text": "hi"})
    assert status == 400 and error["details"] == {"parameter": "conversation_id"}

    at_limit = "x" * MAX_CHARS
    for path, body in (
        ("/model/parse", {"text": at_limit}),
        ("/conversations/rest:user-1/messages", {"text": at_limit, "sender": "user"}),
        (f"/conversations/{'a' * SENDER_ID_MAX_CHARS}/messages", {"text": "hi"}),
        ("/model/parse", "not an object"),  # Rasa's own handler answers for the shape
    ):
        assert (await post(api, path, body))[0] == 409, path
    # The token is still checked for everything within the limits.
    assert (await post(api, "/model/parse", {"text": at_limit}, token=None))[0] == 401

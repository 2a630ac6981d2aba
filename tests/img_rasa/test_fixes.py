from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from img_deploy.processes import free_port
from img_rasa import fixes as rasa_fixes
from img_rasa import plugin
from img_store.conversation import FORGET_CONVERSATION

plugin.apply()  # Rasa runs in-process here: the tests apply the plugin as every entry point


def action() -> RemoteAction:
    return RemoteAction("action_what_if", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_valid_responses_still_pass():
    response = {
        "events": [{"event": "slot", "name": "visa", "value": "j1"}],
        "responses": [{"text": "Apply to 80-100 Pediatrics programs.", "buttons": []}],
    }
    assert action()._validate_action_result(response)


def test_the_project_s_forget_event_is_a_valid_response_event():
    forget = {"events": [{"event": FORGET_CONVERSATION, "timestamp": None}], "responses": []}
    assert action()._validate_action_result(forget)
    with pytest.raises(ValidationError):
        action()._validate_action_result({"events": [{"event": "img_unknown"}]})


def test_invalid_responses_are_still_refused_with_rasa_s_hint():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": [{"no_event_key": 1}]})
    with pytest.raises(ValidationError):
        action()._validate_action_result({"events": "not a list"})


def test_each_event_is_judged_as_rasa_s_whole_schema_judges_it():
    # The fix checks an event against its own type's schema instead of Rasa's oneOf over
    # all of them: the verdicts must be the same.
    import copy

    import jsonschema

    from img_store.events import RESPONSE_SCHEMA

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    schema["properties"]["events"]["items"]["oneOf"].append(RESPONSE_SCHEMA)
    events = [
        {"event": "slot", "name": "visa", "value": "j1"},
        {"event": "slot", "name": 5, "value": "j1"},
        {"event": "slot", "timestamp": "yesterday", "name": "visa"},
        {"event": "bot", "text": "hi", "data": {}, "metadata": {"question": "visa"}},
        {"event": "bot", "text": 7},
        {"event": "action", "name": "action_listen", "policy": None, "confidence": None},
        {"event": "active_loop", "name": None},
        {"event": "followup", "name": "action_listen"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "user", "text": "hi", "parse_data": "nope"},
        {"event": "restart"},
        {"event": FORGET_CONVERSATION, "timestamp": None},
        {"event": "img_unknown"},
        {"event": 3},
    ]
    for event in events:
        response = {"events": [event], "responses": []}
        try:
            jsonschema.validate(response, schema)
            expected = True
        except jsonschema.ValidationError:
            expected = False
        try:
            got = action()._validate_action_result(response)
        except ValidationError:
            got = False
        assert got is expected, event


class CountingServer:
    """An HTTP server on a fixed port that answers every POST and counts the TCP
    connections it accepted."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connections = 0
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> CountingServer:
        app = web.Application()
        app.router.add_post("/webhook", self._answer)
        runner = web.AppRunner(app)
        await runner.setup()
        self._runner = runner
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, "127.0.0.1", self.port)
        return self

    def _protocol(self) -> asyncio.Protocol:
        self.connections += 1
        return self._runner.server()

    async def _answer(self, request: web.Request) -> web.Response:
        return web.json_response({"echo": (await request.json())["n"]})

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._runner.cleanup()  # closes the open keep-alive connections too
        await self._server.wait_closed()


def test_action_calls_share_one_connection_and_survive_a_restarted_server():
    port = free_port()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")

    async def scenario() -> None:
        server = await CountingServer(port).start()
        replies = [await endpoint.request(json={"n": n}, method="post") for n in range(5)]
        assert replies == [{"echo": n} for n in range(5)]
        assert server.connections == 1
        await server.stop()

        restarted = await CountingServer(port).start()
        assert await endpoint.request(json={"n": 5}, method="post") == {"echo": 5}
        assert restarted.connections == 1
        await asyncio.sleep(rasa_fixes.KEEPALIVE_S + 0.5)  # idle past the keep-alive
        assert await endpoint.request(json={"n": 6}, method="post") == {"echo": 6}
        assert restarted.connections == 2
        await rasa_fixes.close_shared_sessions()
        await restarted.stop()

    asyncio.run(scenario())


def test_endpoints_share_a_session_only_when_their_headers_and_auth_match():
    def endpoint(token: str, user: str = "rasa") -> EndpointConfig:
        auth = {"username": user, "password": "secret"}
        return EndpointConfig(
            "http://127.0.0.1:1/webhook", headers={"X-Token": token}, basic_auth=auth
        )

    async def sessions() -> list[object]:
        made = []
        for config in (endpoint("a"), endpoint("a"), endpoint("b"), endpoint("a", user="ops")):
            async with config.session() as session:
                made.append(session)
        await rasa_fixes.close_shared_sessions()
        return made

    same, again, other_header, other_auth = asyncio.run(sessions())
    assert same is again
    assert len({id(same), id(other_header), id(other_auth)}) == 3
    assert same.closed

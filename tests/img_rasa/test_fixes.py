from __future__ import annotations

import asyncio

import numpy as np
import pytest
import tensorflow as tf
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

from img_deploy.processes import free_port
from img_nlp.evaluate import load_examples
from img_rasa import fixes as rasa_fixes
from img_rasa import plugin
from img_store.conversation import FORGET_CONVERSATION
from tests.e2e.conftest import MODEL, ROOT

plugin.apply()  # Rasa runs in-process here: the tests apply the plugin as every entry point


def action() -> RemoteAction:
    return RemoteAction("action_give_advice", EndpointConfig("http://127.0.0.1:1/webhook"))


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


class TinyModel(RasaModel):
    """A RasaModel small enough to build here: one weight matrix, a mask, and an empty
    diagnostic output, as DIET and TED have."""

    def __init__(self) -> None:
        super().__init__(random_seed=7)
        self.kernel = tf.Variable([[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]])

    def batch_predict(self, batch_in):
        features, mask = batch_in
        scores = tf.matmul(features, self.kernel) * tf.cast(mask[:, None], tf.float32)
        return {"scores": scores, DIAGNOSTIC_DATA: {"attention": tf.zeros((0,))}}


def batch(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    features = generator.normal(size=(rows, 2)).astype(np.float32)
    return features, generator.integers(0, 2, size=rows)


def test_predictions_after_the_first_call_equal_rasa_s_own():
    model = TinyModel()
    model._rasa_predict(batch(1, 0))  # traces the graph
    for rows, seed in [(1, 1), (4, 2), (9, 3)]:
        fast = model._rasa_predict(batch(rows, seed))
        stock = rasa_fixes._rasa_predict_traced(model, batch(rows, seed))
        np.testing.assert_array_equal(fast["scores"], stock["scores"])
        assert fast[DIAGNOSTIC_DATA] == stock[DIAGNOSTIC_DATA] == {"attention": None}
    assert "_img_traced" in model.__dict__  # the direct path was taken


def test_a_batch_that_does_not_fit_the_signature_is_refused_as_before():
    model = TinyModel()
    model._rasa_predict(batch(2, 0))
    features, mask = batch(2, 1)
    wider = np.concatenate([features, features], axis=1)  # 4 features, not 2
    with pytest.raises((ValueError, TypeError)):
        model._rasa_predict((wider, mask))
    with pytest.raises((ValueError, TypeError)):
        rasa_fixes._rasa_predict_traced(model, (wider, mask))
    as_float64 = (features.astype(np.float64), mask)  # Rasa's own path casts it
    np.testing.assert_allclose(
        model._rasa_predict(as_float64)["scores"],
        rasa_fixes._rasa_predict_traced(model, batch(2, 1))["scores"],
    )


@pytest.mark.e2e
def test_the_trained_bot_parses_and_predicts_exactly_as_without_the_fix(monkeypatch):
    agent = Agent.load(str(MODEL))
    texts = [example.text for example in load_examples(ROOT / "tests" / "nlu_heldout.yml")]
    stories = YAMLStoryReader(agent.domain).read_from_file(ROOT / "tests" / "test_stories.yml")
    trackers = TrainingDataGenerator(
        StoryGraph(stories), agent.domain, augmentation_factor=0
    ).generate()
    stories_events = [list(tracker.events) for tracker in trackers]
    states = [
        DialogueStateTracker.from_events(f"t{n}", events[:end], agent.domain.slots)
        for n, events in enumerate(stories_events)
        for end in range(1, len(events) + 1)
        if isinstance(events[end - 1], (UserUttered, ActionExecuted))
    ]

    def outputs() -> tuple[list[dict], list[list[dict]]]:
        parsed = [asyncio.run(agent.parse_message(text)) for text in texts]
        scores = [agent.processor.predict_next_with_tracker(state)["scores"] for state in states]
        return parsed, scores

    fixed = outputs()
    monkeypatch.setattr(RasaModel, "_rasa_predict", rasa_fixes._rasa_predict_traced)
    stock = outputs()
    assert len(trackers) == len(stories) and len(texts) > 200 and len(states) > 150
    assert fixed == stock


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

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import img_channels  # noqa: F401  (applies the fix)


def action() -> RemoteAction:
    return RemoteAction("action_give_advice", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_valid_responses_still_pass():
    response = {
        "events": [{"event": "slot", "name": "visa", "value": "j1"}],
        "responses": [{"text": "Apply to 80-100 Pediatrics programs.", "buttons": []}],
    }
    assert action()._validate_action_result(response)


def test_invalid_responses_are_still_refused_with_rasa_s_hint():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": [{"no_event_key": 1}]})
    with pytest.raises(ValidationError):
        action()._validate_action_result({"events": "not a list"})

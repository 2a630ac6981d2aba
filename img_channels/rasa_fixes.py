"""Fixes to Rasa 3.6 itself, applied when the channels load (every `rasa run`).

``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every custom
action response. With jsonschema 4.17 that re-checks Rasa's constant response schema
against the JSON Schema meta-schema each time, which was 56 % of the Rasa server's CPU
time per message in our profile (py-spy, 1 user; see README, Performance). The fix
compiles the validator once; responses are validated exactly as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@cache
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your "
            "response from the Action endpoint is valid. For more information about "
            f"the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]

"""The compiled-schema check of action server responses accepts and refuses what Rasa's own does."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot  # noqa: F401  (importing our components applies the speed fix)


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_show_products", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_speed_fix_is_applied():
    assert getattr(RemoteAction._validate_action_result, "compiled_schema", False)


def test_valid_response_passes(action):
    assert action._validate_action_result(
        {"events": [{"event": "slot", "name": "product", "value": "MUG"}],
         "responses": [{"text": "hi", "buttons": []}]})


@pytest.mark.parametrize("bad", [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}])
def test_invalid_response_fails_with_rasas_explanation(action, bad):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(bad)

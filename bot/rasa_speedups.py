"""A speed fix for the Rasa 3.6 server, applied when Rasa imports our components.

Rasa checks every action server response with `jsonschema.validate(result, spec)`, which first
re-checks the constant `spec` against JSON Schema's meta-schema: ~20 ms of CPU on every custom
action, a third of a turn that asks the backend (measured with py-spy; bench/bench_turns.py).
We check responses against a validator compiled once; an invalid response still goes through
Rasa's own method, so it fails exactly as before, with Rasa's explanation.
"""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def apply() -> None:
    try:
        from jsonschema.validators import validator_for
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # not in the Rasa environment (e.g. tooling that only reads bot/)
        return
    original = RemoteAction._validate_action_result
    if getattr(original, "compiled_schema", False):
        return
    spec = RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)

    def _validate_action_result(self, result):
        if validator.is_valid(result):
            return True
        return original(self, result)  # raises Rasa's ValidationError with its explanation

    _validate_action_result.compiled_schema = True
    RemoteAction._validate_action_result = _validate_action_result
    logger.debug("action server responses are validated with a compiled schema")

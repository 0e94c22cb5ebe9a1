"""FaqSelector: real linear models on real sentence features pick the FAQ answer and write it
in Rasa's ResponseSelector format, which `utter_faq` (ActionRetrieveResponse) reads."""
from __future__ import annotations

import pytest
from rasa.core.actions.action import ActionRetrieveResponse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.faq_selector import FaqSelector
from tests.bot.test_intent_blender import featurised

FAQ = {
    "faq/payment_options": ["which payment methods do you accept", "can i pay cash on delivery",
                            "do you take credit cards", "is upi accepted", "can i pay in instalments"],
    "faq/refund_policy": ["what is your return policy", "how many days do i have to return",
                          "are refunds allowed", "can i return a used item", "refund policy please"],
    "faq/opening_hours": ["when are you open", "what are your opening hours", "are you open on sunday",
                          "what time do you close", "store timings"],
}
RESPONSES = {f"utter_{key}": [{"text": f"answer to {key}"}] for key in FAQ}


def training_data(faq: dict = FAQ) -> TrainingData:
    messages = [Message(data={"text": text, "intent": key.split("/")[0], "intent_response_key": key})
                for key, texts in faq.items() for text in texts]
    messages += [Message(data={"text": text, "intent": "greet"}) for text in ("hello", "hi there")]
    return TrainingData(featurised(messages), responses=RESPONSES)


def trained(storage: LocalModelStorage, faq: dict = FAQ) -> FaqSelector:
    context = ExecutionContext(GraphSchema({}), "faq")
    resource = Resource("faq")
    config = {"embedding_featurizers": ["meaning", "universal"]}
    FaqSelector.create(config, storage, resource, context).train(training_data(faq))
    return FaqSelector.load(config, storage, resource, context)


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.mark.parametrize("text, expected", [
    ("do you accept paypal or cards", "faq/payment_options"),
    ("how long is the return window", "faq/refund_policy"),
    ("are you open tomorrow morning", "faq/opening_hours"),
])
def test_unseen_wording_gets_the_right_answer_in_response_selector_format(storage, text, expected):
    (message,) = trained(storage).process(featurised([Message(data={"text": text})]))
    selected = message.get("response_selector")
    assert selected["all_retrieval_intents"] == ["faq"]
    response = selected["faq"]["response"]
    assert response["intent_response_key"] == expected
    assert response["utter_action"] == f"utter_{expected}"
    assert response["responses"] == [{"text": f"answer to {expected}"}]
    confidences = [entry["confidence"] for entry in selected["faq"]["ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[0] == response["confidence"] and sum(confidences) == pytest.approx(1.0)
    assert {entry["intent_response_key"] for entry in selected["faq"]["ranking"]} == set(FAQ)
    # Rasa's own utter_faq action finds the answer in this output.
    tracker = DialogueStateTracker.from_events("u", [UserUttered(text, parse_data=message.as_dict())])
    assert ActionRetrieveResponse("utter_faq").get_full_retrieval_name(tracker) == f"utter_{expected}"


def test_a_retrieval_intent_with_one_answer_needs_no_model(storage):
    only = {"faq/opening_hours": FAQ["faq/opening_hours"]}
    (message,) = trained(storage, only).process(featurised([Message(data={"text": "anything"})]))
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/opening_hours"
    assert message.get("response_selector")["faq"]["response"]["confidence"] == 1.0


def test_without_retrieval_intents_or_a_trained_model_messages_pass_untouched(storage, tmp_path):
    context = ExecutionContext(GraphSchema({}), "faq")
    untrained = FaqSelector.load({}, LocalModelStorage(tmp_path / "empty"), Resource("faq"), context)
    (message,) = untrained.process([Message(data={"text": "hello"})])
    assert message.get("response_selector") is None
    (message,) = trained(storage, {}).process(featurised([Message(data={"text": "hello"})]))
    assert message.get("response_selector") is None

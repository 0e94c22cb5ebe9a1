"""IntentBlender: trains real linear and nearest-example models (on real sentence features),
blends them with DIET's ranking, persists."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intent_blender import IntentBlender, NearestExamples, blend, boost_out_of_scope
from bot.sentence_featurizer import SentenceFeaturizer

DIET_ONLY = {"diet": 1.0, "words": 0.0}
WORDS_ONLY = {"diet": 0.0, "words": 1.0}
MEANING = {"diet": 0.0, "words": 0.0, "meaning": 0.5, "meaning_neighbours": 0.5}
UNIVERSAL = {"diet": 0.0, "words": 0.0, "universal": 0.5, "universal_neighbours": 0.5}

EXAMPLES = {
    "track_order": ["where is my order", "track my parcel", "order status please",
                    "has my package shipped", "my delivery is late"],
    "refund_return_request": ["i want a refund", "return this item", "give me my money back",
                              "i need to send it back", "refund my purchase"],
    "greet": ["hello", "hi there", "good morning", "hey", "hiya"],
}


def featurised(messages: list[Message]) -> list[Message]:
    """Tokens and sentence features from the real components, as in the pipeline."""
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(messages)
    for alias, encoder in (("meaning", "minilm"), ("universal", "universal")):
        SentenceFeaturizer({"alias": alias, "encoder": encoder}, alias).process(messages)
    return messages


def training_data() -> TrainingData:
    return TrainingData(featurised([Message(data={"text": text, "intent": intent})
                                    for intent, texts in EXAMPLES.items() for text in texts]))


def ranking(**scores: float) -> list[dict]:
    return [{"name": name, "confidence": value} for name, value in scores.items()]


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage, **config) -> IntentBlender:
    config = {"embedding_featurizers": ["meaning", "universal"], **config}
    blender = IntentBlender.create(config, storage, Resource("blender"), context())
    blender.train(training_data())
    return blender


def parse(blender: IntentBlender, text: str, diet: list[dict]) -> Message:
    message = Message(data={"text": text, "intent": diet[0] if diet else None,
                            "intent_ranking": diet})
    return blender.process(featurised([message]))[0]


def test_blend_weights_the_opinions_and_drops_diets_fallback_entry():
    result = blend({"diet": {"nlu_fallback": 0.9, "greet": 0.6, "track_order": 0.4},
                    "words": {"greet": 0.2, "track_order": 0.7, "refund_return_request": 0.1}},
                   {"diet": 0.5, "words": 0.5})
    assert [r["name"] for r in result] == ["track_order", "greet", "refund_return_request"]
    assert result[0]["confidence"] == pytest.approx(0.55)
    assert result[1]["confidence"] == pytest.approx(0.40)
    assert result[2]["confidence"] == pytest.approx(0.05)


def test_blend_renormalises_over_the_opinions_present_with_weight():
    result = blend({"diet": {}, "words": {"greet": 0.8, "track_order": 0.2},
                    "meaning": {"greet": 0.4, "track_order": 0.6},
                    "meaning_neighbours": {"greet": 1.0}},
                   {"diet": 0.3, "words": 0.1, "meaning": 0.3, "meaning_neighbours": 0.0})
    assert [r["name"] for r in result] == ["greet", "track_order"]
    assert result[0]["confidence"] == pytest.approx(0.25 * 0.8 + 0.75 * 0.4)
    assert sum(r["confidence"] for r in result) == pytest.approx(1.0)


def test_nearest_examples_score_each_intent_by_its_best_match():
    vectors = np.eye(3, dtype=np.float32)
    nearest = NearestExamples.fit(vectors, ["b", "a", "b"])
    probabilities = nearest.probabilities(np.array([0.0, 0.0, 1.0], dtype=np.float32), 0.1)
    assert set(probabilities) == {"a", "b"}
    assert probabilities["b"] > 0.99
    softer = nearest.probabilities(np.array([0.0, 0.6, 0.8], dtype=np.float32), 1.0)
    assert 0.5 < softer["b"] < 0.6 and softer["a"] + softer["b"] == pytest.approx(1.0)


def test_several_neighbours_outvote_one_odd_close_example():
    def unit(*values):
        vector = np.array(values, dtype=np.float32)
        return vector / np.linalg.norm(vector)
    # "a": one example right next to the message, the rest far; "b": three fairly close ones.
    vectors = np.stack([unit(1, 0.1, 0), unit(0, 0, 1), unit(0, 1, 1),
                        unit(1, 0.5, 0), unit(1, 0.6, 0), unit(1, 0.7, 0)])
    nearest = NearestExamples.fit(vectors, ["a", "a", "a", "b", "b", "b"])
    message = unit(1, 0.12, 0)
    assert max(nearest.probabilities(message, 0.05).items(), key=lambda kv: kv[1])[0] == "a"
    by_three = nearest.probabilities(message, 0.05, neighbours=3)
    assert by_three["b"] > 0.99 and sum(by_three.values()) == pytest.approx(1.0)


def test_an_intent_with_fewer_examples_than_neighbours_averages_all_it_has():
    vectors = np.eye(3, dtype=np.float32)
    nearest = NearestExamples.fit(vectors, ["a", "b", "b"])
    probabilities = nearest.probabilities(np.array([0.0, 1.0, 0.0], dtype=np.float32), 1.0, 5)
    # a: mean(0) = 0; b: mean(1, 0) = 0.5
    assert probabilities["b"] == pytest.approx(np.exp(0.5) / (1 + np.exp(0.5)))


def names(entries: list[dict]) -> list[str]:
    return [entry["name"] for entry in entries]


def test_boosted_out_of_scope_overtakes_a_best_intent_within_reach():
    result = boost_out_of_scope(ranking(track_order=0.5, greet=0.25, out_of_scope=0.25), boost=2.5)
    assert names(result) == ["out_of_scope", "track_order", "greet"]
    assert result[0]["confidence"] == pytest.approx(0.625)


def test_boost_leaves_far_behind_out_of_scope_and_caps_at_one():
    scores = ranking(track_order=0.6, out_of_scope=0.2, greet=0.2)
    assert names(boost_out_of_scope(scores, boost=2.5)) == ["track_order", "out_of_scope", "greet"]
    assert names(boost_out_of_scope(ranking(track_order=0.5, out_of_scope=0.45), boost=1.0)) \
        == ["track_order", "out_of_scope"]
    assert boost_out_of_scope(ranking(out_of_scope=0.8, greet=0.2), boost=2.5)[0]["confidence"] == 1.0


def test_process_applies_the_out_of_scope_boost(storage):
    diet = ranking(track_order=0.55, out_of_scope=0.45)
    plain = parse(trained(storage, weights=DIET_ONLY), "what is the weather", diet)
    assert plain.get("intent")["name"] == "track_order"
    boosted = parse(trained(storage, weights=DIET_ONLY, out_of_scope_boost=2.0),
                    "what is the weather", diet)
    assert boosted.get("intent")["name"] == "out_of_scope"
    assert [r["name"] for r in boosted.get("intent_ranking")][:2] == ["out_of_scope", "track_order"]


def test_linear_model_overrules_an_unsure_diet(storage):
    message = parse(trained(storage), "where is my parcel", ranking(greet=0.4, track_order=0.35,
                                                                      refund_return_request=0.25))
    assert message.get("intent")["name"] == "track_order"
    names = [r["name"] for r in message.get("intent_ranking")]
    assert sorted(names) == sorted(EXAMPLES)


@pytest.mark.parametrize("weights", [MEANING, UNIVERSAL], ids=["minilm", "universal"])
def test_each_encoder_finds_the_intent_of_wording_never_seen(storage, weights):
    # No word of it is in the training examples: only the pretrained embedding links it.
    blender = trained(storage, weights=weights)
    assert parse(blender, "has the shipment left the warehouse", []).get("intent")["name"] \
        == "track_order"
    assert parse(blender, "good evening", []).get("intent")["name"] == "greet"


def test_every_embedding_featurizer_adds_its_two_opinions(storage):
    blender = trained(storage)
    assert set(blender._models) == {"words", "meaning", "meaning_neighbours", "universal",
                                    "universal_neighbours"}
    opinions = blender._opinions(featurised([Message(data={"text": "where is my parcel"})])[0])
    assert set(opinions) == {"diet", "words", "meaning", "meaning_neighbours", "universal",
                             "universal_neighbours"}
    assert all(sum(scores.values()) == pytest.approx(1.0) for name, scores in opinions.items()
               if name != "diet")


def test_without_sentence_features_only_diet_and_words_blend(storage):
    blender = trained(storage, embedding_featurizers=[], weights={**MEANING, "words": 0.5})
    assert set(blender._models) == {"words"}
    assert parse(blender, "refund my purchase", []).get("intent")["name"] == "refund_return_request"


def test_diet_weight_alone_keeps_diets_choice(storage):
    message = parse(trained(storage, weights=DIET_ONLY), "where is my parcel",
                    ranking(greet=0.6, track_order=0.4))
    assert message.get("intent")["name"] == "greet"
    assert message.get("intent")["confidence"] == pytest.approx(0.6)


def test_ranking_length_limits_the_reported_ranking(storage):
    message = parse(trained(storage, ranking_length=2), "refund please",
                    ranking(greet=0.4, refund_return_request=0.35, track_order=0.25))
    assert [r["name"] for r in message.get("intent_ranking")][:1] == ["refund_return_request"]
    assert len(message.get("intent_ranking")) == 2


def test_persisted_model_loads_and_predicts_the_same(storage):
    config = {"embedding_featurizers": ["meaning", "universal"],
              "weights": {**MEANING, **UNIVERSAL, "words": 0.5}}
    original = trained(storage, **config)
    loaded = IntentBlender.load(config, storage, Resource("blender"), context())
    for text in ["i want my money back", "hello there", "track my order"]:
        before, after = parse(original, text, []), parse(loaded, text, [])
        assert after.get("intent")["name"] == before.get("intent")["name"]
        assert after.get("intent")["confidence"] == pytest.approx(before.get("intent")["confidence"],
                                                                  abs=1e-3)
    assert parse(loaded, "i want my money back", []).get("intent")["name"] == "refund_return_request"


def test_untrained_archive_leaves_diets_prediction(storage):
    blender = IntentBlender.load({}, storage, Resource("never-trained"), context())
    message = parse(blender, "hello", ranking(greet=0.9))
    assert message.get("intent")["name"] == "greet"

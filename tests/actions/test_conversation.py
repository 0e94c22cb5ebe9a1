"""Leaving a question: which messages only take leave of it ("thanks", "ok bye", "never mind")."""
from __future__ import annotations

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionStop, takes_leave
from tests.actions.test_orders import new_identity, tracker_for


def leaving(text, intent="inform", entities=None) -> bool:
    tracker = tracker_for(new_identity(), text, entities=entities)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.9}
    return takes_leave(tracker)


def test_takes_leave_by_its_words_whatever_the_intent():
    for text in ["thanks", "Thank you so much!", "ok bye", "bye", "never mind", "nevermind", "forget it",
                 "no thanks", "ok thanks bye", "nvm"]:
        assert leaving(text), text
    for text in ["ok", "no", "the glass one", "thanks, the glass one", "2 please", "how much is it?"]:
        assert not leaving(text), text


def test_takes_leave_by_a_thank_or_goodbye_intent_unless_a_product_is_named():
    assert leaving("ta very much", "thank") and leaving("see you later", "goodbye")
    glass = [{"entity": "product", "value": "glass teapot", "skus": ["TEA-POT-GLS"], "start": 4, "end": 16}]
    assert not leaving("the glass teapot thanks", "thank", glass)


async def test_just_cancel_it_while_changing_an_order_asks_to_cancel_that_order(dispatcher):
    """"i want to remove everything, just cancel it" in the change form had only stopped the change."""
    tracker = tracker_for(new_identity(), "i want to remove everything, just cancel it",
                          slots={"target_order": {"number": "OB-7KB8JMGK", "lines": []},
                                 "requested_slot": "order_changes"})
    tracker.active_loop = {"name": "change_order_form"}
    events = await ActionStop().run(dispatcher, tracker, {})
    assert events[-2:] == [SlotSet("order_id", "OB-7KB8JMGK"), FollowupAction("action_cancel_order")]
    assert ActiveLoop(None) in events and dispatcher.messages == []


def test_nonsense_read_as_a_goodbye_takes_no_leave():
    """"flibber jabber" and "zzz" to "which teapot?" read as goodbye and ended the order."""
    for text in ("flibber jabber", "zzz", "qwerty"):
        assert not leaving(text, "goodbye"), text
        assert not leaving(text, "thank"), text
    for text in ("have a nice day", "i must go", "shukriya", "appreciate it"):
        assert leaving(text, "goodbye"), text


async def test_nonsense_read_as_a_stop_keeps_the_form_and_asks_to_rephrase(dispatcher):
    tracker = tracker_for(new_identity(), "flibber jabber", slots={"requested_slot": "shipping_address"})
    tracker.latest_message["intent"] = {"name": "stop", "confidence": 0.6}
    tracker.active_loop = {"name": "order_form"}
    # the form's question again after the rephrase (it had been left idle)
    assert await ActionStop().run(dispatcher, tracker, {}) == [FollowupAction("order_form")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]
    for text in ("stop", "forget it", "i changed my mind", "get me out of here", "go back"):
        said = CollectingDispatcher()
        tracker = tracker_for(new_identity(), text, slots={"requested_slot": "shipping_address"})
        tracker.active_loop = {"name": "order_form"}
        events = await ActionStop().run(said, tracker, {})
        assert ActiveLoop(None) in events and [m["response"] for m in said.messages] == ["utter_stopped"], text


async def test_a_murmur_read_as_a_yes_with_nothing_asked_is_not_understood(dispatcher):
    """"mmm", "i mean the", "?" read as affirm got "Okay." every time, and never a person."""
    from actions.cancel import ActionAnswerConfirmation
    for text, said in (("mmm", "utter_ask_rephrase"), ("i mean the", "utter_ask_rephrase"), ("ok", "utter_ok"),
                       ("got it", "utter_ok"), ("yes", "utter_ok")):
        dispatcher = CollectingDispatcher()
        tracker = tracker_for(new_identity(), text)
        tracker.latest_message["intent"] = {"name": "affirm", "confidence": 0.7}
        await ActionAnswerConfirmation().run(dispatcher, tracker, {})
        assert [m["response"] for m in dispatcher.messages] == [said], text


async def test_a_goodbye_is_said_unless_it_is_nonsense(dispatcher):
    """"zzz" and "flibber jabber" read as goodbye were told "Bye, and thanks for stopping by!"."""
    from actions.conversation import ActionGoodbye
    for text, said in (("bye", "utter_goodbye"), ("see you later", "utter_goodbye"), ("ttyl", "utter_goodbye"),
                       ("zzz", "utter_ask_rephrase"), ("flibber jabber", "utter_ask_rephrase")):
        answered = CollectingDispatcher()
        tracker = tracker_for(new_identity(), text)
        tracker.latest_message["intent"] = {"name": "goodbye", "confidence": 0.7}
        await ActionGoodbye().run(answered, tracker, {})
        assert [m["response"] for m in answered.messages] == [said], text


def greeted(text: str, confidence: float = 0.9) -> list:
    """What action_greet says to `text`, read as a greeting with `confidence`."""
    import asyncio
    from actions.conversation import ActionGreet
    said = CollectingDispatcher()
    tracker = tracker_for(new_identity(), text)
    tracker.latest_message["intent"] = {"name": "greet", "confidence": confidence}
    asyncio.run(ActionGreet().run(said, tracker, {}))
    return [m["response"] for m in said.messages]


def test_how_are_you_is_answered_before_what_the_bot_can_do():
    """QA: "how are you" got the introduction as if it were a plain "hi"."""
    for text in ("how are you", "how r u doing", "hi how are you", "hows it going", "how have you been",
                 "kaise ho"):
        assert greeted(text) == ["utter_greet_how_are_you"], text
    for text in ("hi", "hello there", "hii", "helo", "good morning", "namaste", "yo", "gud mrng sir", "/greet"):
        assert greeted(text, 0.5) == ["utter_greet"], text


def test_nonsense_read_as_a_greeting_is_not_understood():
    """QA: "blorp" and "flurb" were greeted; a sure reading still is."""
    for text in ("blorp", "flurb", "glorp"):
        assert greeted(text, 0.34) == ["utter_ask_rephrase"], text
    assert greeted("top of the day to ya", 0.85) == ["utter_greet"]

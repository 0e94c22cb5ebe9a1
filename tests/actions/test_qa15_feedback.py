"""QA round 15, feedback: a rating changed with a comment, praise of something received, ratings
written as "8/10" or stars, and the order a rating is about; against a real backend."""
from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import ActionShowProducts
from actions.feedback import ActionSubmitFeedback, ValidateFeedbackForm, rating_in, stated_rating
from tests.actions.conftest import load_tracker
from tests.actions.test_cancel_turns import deliver
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_feedback import feedback_rows, next_turn, rate_by_button, stored_feedback
from tests.actions.test_orders import new_identity, place_order


async def rated_with_a_comment(backend, rating: int, comment: str):
    """A review stated with its rating ("the teapot is lovely btw, 5 stars"), stored and thanked
    for: (identity, the events so far)."""
    identity = new_identity()
    events, _ = await rate_by_button(identity, rating)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    slots = {"feedback_rating": rating, "feedback_id": feedback_id, "feedback_comment": comment}
    await ActionSubmitFeedback().run(CollectingDispatcher(), flow_tracker(identity, comment, "inform", "x", slots=slots), {})
    said = [{"event": "user", "text": comment, "parse_data": {"intent": {"name": "give_feedback"}}},
            {"event": "action", "name": "feedback_form"},
            {"event": "slot", "name": "feedback_rating", "value": rating},
            {"event": "slot", "name": "feedback_id", "value": feedback_id},
            {"event": "slot", "name": "feedback_comment", "value": comment},
            {"event": "bot", "text": "Thank you, I've noted your rating.", "metadata": {"utter_action": "utter_feedback_glad"}},
            {"event": "action", "name": "action_submit_feedback"},
            {"event": "bot", "text": "Thank you for your feedback", "metadata": {"utter_action": "utter_feedback_thanks"}}]
    said += [{"event": "slot", "name": name, "value": None}
             for name in ("feedback_rating", "feedback_comment", "feedback_id", "feedback_order")]
    return identity, said


async def test_a_rating_changed_with_a_comment_updates_the_first_and_keeps_both_comments(backend):
    """"hmm actually the lid is a bit loose. change my rating to 3" asked for the rating again and
    stored a second one; "actually make it 3 stars, the handle was loose" lost the comment."""
    for text in ("hmm actually the lid is a bit loose. change my rating to 3",
                 "actually make it 3 stars, the handle was loose"):
        identity, earlier = await rated_with_a_comment(backend, 5, "the teapot is lovely btw, 5 stars")
        dispatcher = CollectingDispatcher()
        tracker = next_turn(identity, earlier, text, "give_feedback", active_loop={"name": "feedback_form"})
        events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
        assert [(m["response"], m.get("rating")) for m in dispatcher.messages] == [
            ("utter_feedback_rating_corrected", 3)], text
        assert events[-1] == FollowupAction("action_listen")
        comment = text.split(". ")[0] if ". " in text else "the handle was loose"
        assert feedback_rows(backend, identity) == [(3, f"the teapot is lovely btw, 5 stars\n{comment}")], text


async def test_praise_of_something_received_is_feedback_and_a_bare_rating_after_it_the_rating(backend):
    """"the french press I got last week is amazing" showed the french press, and "5" then
    started an order for it."""
    text = "I just want to say the french press I got last week is amazing"
    press = [{"entity": "product", "value": "French Press 800 ml", "skus": ["BRW-FRP-800"], "start": 19, "end": 31}]
    events = await ActionShowProducts().run(CollectingDispatcher(), load_tracker("product_question", text, press), {})
    assert events == [FollowupAction("feedback_form")]
    identity = new_identity()
    tracker = flow_tracker(identity, text, "product_info", "feedback_form", entities=press)
    tracker.active_loop = {}
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("feedback_comment", text) in events
    assert not any(e["name"] == "feedback_rating" and e["value"] for e in events)
    tracker = flow_tracker(identity, "5", "inform", "feedback_form", entities=[{"entity": "quantity", "value": "5"}],
                           slots={"requested_slot": "feedback_rating", "feedback_comment": text})
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    assert stored_feedback(backend, feedback_id)[0] == 5
    # a question or a remark about what was shown is no feedback
    for text in ("is the french press I got last week dishwasher safe?", "the french press I got is not great"):
        events = await ActionShowProducts().run(CollectingDispatcher(), load_tracker("product_question", text, press), {})
        assert FollowupAction("feedback_form") not in events, text


def test_common_rating_formats_are_read():
    for text, rating in (("4/5", 4), ("★★★★", 4), ("8/10", 4), ("four stars", 4), ("10 out of 10", 5),
                         ("10/10", 5), ("⭐⭐⭐⭐⭐", 5), ("delivery was slow, 2/5", 2), ("9/10", 5)):
        assert rating_in(text) == rating, text
        assert stated_rating(text) == rating, text
    for text in ("my order from 5/10 hasn't come", "delivered on 8/10/2024", "order 1042 was great", "3"):
        assert stated_rating(text) is None, text


async def test_ratings_out_of_ten_and_stars_are_stored(backend):
    """"10/10" got "Please give a rating from 1 (poor) to 5 (great)"; "★★★★" a product search."""
    tracker = flow_tracker(new_identity(), "10/10", "inform", "feedback_form", slots={"requested_slot": "feedback_rating"})
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert events[0] == SlotSet("feedback_rating", 5)
    stars = load_tracker("product_question", text="★★★★", entities=[])
    assert await ActionShowProducts().run(CollectingDispatcher(), stars, {}) == [FollowupAction("feedback_form")]
    tracker = flow_tracker(new_identity(), "★★★★", "product_info", "feedback_form")
    tracker.active_loop = {}
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("feedback_rating", 4) in events


async def test_a_rating_is_about_the_order_talked_about_or_the_only_one_delivered(backend):
    """Rated right after talking about OB-…, the only delivered order, it was stored without it."""
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    deliver(backend, identity, number)
    place_order(backend, identity)  # not delivered yet
    events, _ = await rate_by_button(identity, 4)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    assert stored_feedback(backend, feedback_id)[2] == number
    other = place_order(backend, identity)["number"]
    tracker = flow_tracker(identity, "4 stars", "give_feedback", "feedback_form", slots={"order_id": other})
    tracker.active_loop = {}
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    assert stored_feedback(backend, feedback_id)[2] == other

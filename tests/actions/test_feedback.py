"""Feedback in chat against a real backend: the rating is stored at once, the comment is optional."""
from __future__ import annotations

import sqlite3

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionStop
from actions.feedback import (ActionSubmitFeedback, ValidateFeedbackForm, correction_and_comment, corrected_rating,
                              rating_in, rating_in_words)
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import new_identity, place_order

CLEARED = [SlotSet(name, None) for name in ("feedback_rating", "feedback_comment", "feedback_id", "feedback_order")]


def stored_feedback(backend, feedback_id: int) -> tuple:
    """(rating, comment, order number) as the backend's database holds them."""
    path = backend.env["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT f.rating, f.comment, o.number FROM feedback f LEFT JOIN orders o ON o.id = f.order_id "
            "WHERE f.id = ?", (feedback_id,)).fetchone()


async def rate_by_button(identity, rating, number=None):
    """The notification's button: /give_feedback{"rating": N, "order_number": "OB-…"} starts the form."""
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "rating", "value": rating}] + (
        [{"entity": "order_number", "value": number}] if number else [])
    slots = {"feedback_order": number}  # action_extract_slots maps the order_number entity
    tracker = flow_tracker(identity, f"/give_feedback{{\"rating\": {rating}}}", "give_feedback", "feedback_form",
                           entities, slots)
    tracker.active_loop = {}
    return await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN), dispatcher


async def test_feedback_button_stores_rating_at_once_about_the_order(backend):
    identity = new_identity()
    number = place_order(backend, identity)["number"]
    events, dispatcher = await rate_by_button(identity, 5, number)
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_glad"]
    assert events[0] == SlotSet("feedback_rating", 5)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    assert stored_feedback(backend, feedback_id) == (5, "", number)


async def test_feedback_low_rating_apologises(backend):
    events, dispatcher = await rate_by_button(new_identity(), 1)
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_sorry"]
    assert SlotSet("feedback_rating", 1) in events


async def test_feedback_about_someone_elses_order_is_kept_for_the_conversation(backend):
    number = place_order(backend, new_identity())["number"]
    events, _ = await rate_by_button(new_identity(), 4, number)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    assert stored_feedback(backend, feedback_id) == (4, "", None)


async def test_feedback_typed_rating_when_asked(backend, dispatcher):
    tracker = flow_tracker(new_identity(), "i'd say 4 stars", "inform", "feedback_form",
                           slots={"requested_slot": "feedback_rating"})
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert events[0] == SlotSet("feedback_rating", 4)


async def test_feedback_rating_out_of_range_is_asked_again(backend, dispatcher):
    tracker = flow_tracker(new_identity(), "10", "inform", "feedback_form", slots={"requested_slot": "feedback_rating"})
    assert await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN) == [SlotSet("feedback_rating", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_rating"]


async def test_feedback_comment_is_added_to_the_stored_rating(backend):
    identity = new_identity()
    events, _ = await rate_by_button(identity, 3)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    comment = "delivery took a week"
    slots = {"feedback_rating": 3, "feedback_id": feedback_id, "requested_slot": "feedback_comment"}
    tracker = flow_tracker(identity, comment, "delivery_time", "feedback_form", slots=slots,
                           slot_candidates={"feedback_comment": comment})
    assert await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN) == [
        SlotSet("feedback_comment", comment)]
    thanks = CollectingDispatcher()
    slots["feedback_comment"] = comment
    events = await ActionSubmitFeedback().run(thanks, flow_tracker(identity, comment, "inform", "x", slots=slots), {})
    assert [m["response"] for m in thanks.messages] == ["utter_feedback_thanks"]
    assert events == CLEARED
    assert stored_feedback(backend, feedback_id) == (3, comment, None)


async def test_feedback_comment_skipped(backend, dispatcher):
    identity = new_identity()
    events, _ = await rate_by_button(identity, 5)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    slots = {"feedback_rating": 5, "feedback_id": feedback_id, "requested_slot": "feedback_comment"}
    tracker = flow_tracker(identity, "/deny", "deny", "feedback_form", slots=slots,
                           slot_candidates={"feedback_comment": "/deny"})
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert events == [SlotSet("feedback_comment", "-")]
    slots["feedback_comment"] = "-"
    await ActionSubmitFeedback().run(dispatcher, flow_tracker(identity, "", "deny", "x", slots=slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_thanks"]
    assert stored_feedback(backend, feedback_id) == (5, "", None)


def test_rating_in_reads_common_ways_to_rate():
    said = ("5", "4/5", "3 stars", "five", "meh", "3.5", "-1", "minus 1", "three and a half")
    assert [rating_in(t) for t in said] == [5, 4, 3, 5, None, 0, 0, 0, 0]


def test_ratings_in_words_and_stars_when_asked():
    said = ("it was ok i guess", "good", "not bad", "not good", "bad", "terrible packaging", "loved it",
            "⭐⭐⭐⭐", "no idea what to say")
    assert [rating_in_words(t) for t in said] == [3, 4, 3, 2, 2, 1, 5, 4, None]


async def test_a_rating_in_words_is_stored_and_a_comment_with_a_rating_is_not_asked_again(backend, dispatcher):
    tracker = flow_tracker(new_identity(), "it was ok i guess", "affirm", "feedback_form",
                           slots={"requested_slot": "feedback_rating"})
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert events[0] == SlotSet("feedback_rating", 3)
    text = "3 stars, delivery was slow but mug is nice"
    tracker = flow_tracker(new_identity(), text, "complaint", "feedback_form",
                           slots={"requested_slot": "feedback_rating"})
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("feedback_rating", 3) in events and SlotSet("feedback_comment", text) in events
    text = "⭐⭐⭐⭐⭐ love it"
    tracker = flow_tracker(new_identity(), text, "affirm", "feedback_form", slots={"requested_slot": "feedback_rating"})
    events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("feedback_rating", 5) in events and SlotSet("feedback_comment", text) in events


async def test_a_question_at_the_comment_step_is_no_comment(backend, dispatcher):
    """"actually where is my order" is left to its rule (the form asks for the comment again); a
    comment that reads like a complaint ("delivery was slow") is still the comment."""
    slots = {"feedback_rating": 4, "feedback_id": 1, "requested_slot": "feedback_comment"}
    form = ValidateFeedbackForm()
    question = flow_tracker(new_identity(), "actually where is my order?", "track_order", "feedback_form", slots=slots)
    assert await form.extract_feedback_comment(dispatcher, question, DOMAIN) == {}
    remark = flow_tracker(new_identity(), "delivery was slow", "complaint", "feedback_form", slots=slots)
    assert await form.extract_feedback_comment(dispatcher, remark, DOMAIN) == {"feedback_comment": "delivery was slow"}
    text = "one of the 4 bowls arrived smashed, can i get a replacement?"
    low = flow_tracker(new_identity(), text, "refund_return_request", "feedback_form",
                       slots={**slots, "feedback_rating": 2})
    assert await form.extract_feedback_comment(dispatcher, low, DOMAIN) == {"feedback_comment": text}
    high = flow_tracker(new_identity(), text, "refund_return_request", "feedback_form", slots=slots)
    assert await form.extract_feedback_comment(dispatcher, high, DOMAIN) == {}  # after a 4: its own request
    asked = flow_tracker(new_identity(), "what happens with my complaint?", "complaint", "feedback_form", slots=slots)
    assert await form.extract_feedback_comment(dispatcher, asked, DOMAIN) == {
        "feedback_comment": "what happens with my complaint?"}


async def test_a_rating_validated_again_when_the_form_comes_back_is_not_stored_twice(backend, dispatcher):
    """After a side question the form comes back and validates the rating it holds again: no
    second rating, no second apology (nor a second low-rating ticket)."""
    identity = new_identity()
    slots = {"feedback_rating": 1, "feedback_id": 41}
    tracker = flow_tracker(identity, "no", "deny", "feedback_form", slots=slots,
                           slot_candidates={"feedback_rating": 1})
    tracker.active_loop = {}
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages == [] and SlotSet("feedback_rating", 1) in events
    path = backend.env["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM feedback WHERE conversation_id = ?", (identity,)).fetchone() == (0,)


async def test_feedback_stop_after_rating_keeps_it_and_thanks(backend, dispatcher):
    tracker = flow_tracker(new_identity(), "skip", "stop", "feedback_form",
                           slots={"feedback_rating": 5, "feedback_id": 1, "requested_slot": "feedback_comment"})
    events = await ActionStop().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_thanks"]
    assert ActiveLoop(None) in events and SlotSet("feedback_id", None) in events
    assert SlotSet("target_order", None) in events  # every unfinished task is cleared


async def test_feedback_stop_before_rating_just_stops(backend, dispatcher):
    tracker = flow_tracker(new_identity(), "never mind", "stop", "feedback_form",
                           slots={"requested_slot": "feedback_rating"})
    await ActionStop().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_stopped"]


async def test_a_rating_stated_in_the_request_is_stored_with_the_request_as_comment(backend, dispatcher):
    text = "just wanted to say the french press is awesome, great quality, 5 stars"
    tracker = flow_tracker(new_identity(), text, "give_feedback", "feedback_form")
    tracker.active_loop = {}
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("feedback_rating", 5) in events and SlotSet("feedback_comment", text) in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_glad"]
    # a bare number in a request is no rating; a rating alone leaves the comment to be asked
    for text, rating in (("my order 1042 was great, want to leave feedback", None), ("4/5", 4),
                         ("i want to leave feedback, 2 stars", 2), ("can i give a review? 5 stars", 5),
                         ("id like to rate you 3 stars", 3)):
        tracker = flow_tracker(new_identity(), text, "give_feedback", "feedback_form")
        tracker.active_loop = {}
        events = await ValidateFeedbackForm().run(CollectingDispatcher(), tracker, DOMAIN)
        assert [e["value"] for e in events if e["name"] == "feedback_rating"][:1] == ([rating] if rating else [])
        assert not any(e["name"] == "feedback_comment" for e in events)


def test_a_rating_said_again_is_a_correction_and_other_comments_are_not():
    assert [corrected_rating(text) for text in (
        "sorry i meant 5", "oops 4 not 2", "actually make that a 4", "no wait, five stars!", "5 not 1",
        "i meant 5/5", "change it to 5 please", "5 sorry", "make that two actually",
        "can i change my rating to 4?")] == [5, 4, 4, 5, 5, 5, 5, 5, 2, 4]
    assert [corrected_rating(text) for text in (
        "no, 2 mugs were broken", "sorry it took 5", "not bad", "delivery was slow", "5",
        "sorry but the courier was rude and the box was wet after 3")] == [None, None, None, None, None, None]


def test_a_correction_followed_by_a_comment_is_both():
    assert correction_and_comment("wait no, 1. the mug arrived smashed") == (1, "the mug arrived smashed")
    assert correction_and_comment("sorry i meant 5") == (5, "")
    assert correction_and_comment("actually make that a 2, delivery was slow") == (2, "delivery was slow")
    assert correction_and_comment("the box was wet. 2 mugs broke") == (None, "")


async def test_sorry_i_meant_5_at_the_comment_step_corrects_the_stored_rating(backend, dispatcher):
    """It had been stored as the comment, the rating left at 1 and its ticket saying so."""
    identity = new_identity()
    events, _ = await rate_by_button(identity, 1)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    slots = {"feedback_rating": 1, "feedback_id": feedback_id, "requested_slot": "feedback_comment"}
    tracker = flow_tracker(identity, "sorry i meant 5", "inform", "feedback_form", slots=slots)
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("feedback_rating", 5) in events
    assert not any(e.get("name") == "feedback_comment" and e.get("value") for e in events)
    assert [(m["response"], m.get("rating")) for m in dispatcher.messages] == [("utter_feedback_rating_corrected", 5)]
    assert stored_feedback(backend, feedback_id) == (5, "", None)


async def test_a_person_asked_for_in_the_feedback_form_is_handed_over(backend, dispatcher):
    """"can i speak to a person about my rating" had been asked for the rating again, and "no, a
    PERSON please" got "Okay." and the rating question: stuck in the form."""
    tracker = flow_tracker(new_identity(), "can i speak to a person about my rating", "give_feedback", "feedback_form",
                           slots={"requested_slot": "feedback_rating"})
    events = await ValidateFeedbackForm().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_ticket"]
    assert ActiveLoop(None) in events and events[-1] == FollowupAction("action_listen")
    kind = CollectingDispatcher()  # a comment about the team is a comment
    slots = {"feedback_rating": 5, "feedback_id": 1, "requested_slot": "feedback_comment"}
    praise = flow_tracker(new_identity(), "your team was great", "give_feedback", "feedback_form", slots=slots)
    assert await ValidateFeedbackForm().run(kind, praise, DOMAIN) == [SlotSet("feedback_comment", "your team was great")]

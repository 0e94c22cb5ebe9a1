"""Feedback in chat against a real backend: the rating is stored at once, the comment is optional."""
from __future__ import annotations

import sqlite3

from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionStop
from actions.feedback import (ActionSubmitFeedback, ValidateFeedbackForm, correction_and_comment, corrected_rating,
                              rating_in, rating_in_words)
from tests.actions.test_change_order import DOMAIN, flow_tracker
from tests.actions.test_orders import new_identity, place_order, tracker_for

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


def feedback_rows(backend, identity) -> list:
    path = backend.env["DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute("SELECT rating, comment FROM feedback WHERE conversation_id = ? ORDER BY id",
                          (identity,)).fetchall()


async def rated_and_commented(backend, rating: int, comment: str):
    """A rating stored and its comment added, thanked for: (identity, feedback id, the events so far)."""
    identity = new_identity()
    events, _ = await rate_by_button(identity, rating)
    feedback_id = next(e["value"] for e in events if e["name"] == "feedback_id")
    slots = {"feedback_rating": rating, "feedback_id": feedback_id, "feedback_comment": comment}
    await ActionSubmitFeedback().run(CollectingDispatcher(), flow_tracker(identity, comment, "inform", "x", slots=slots), {})
    said = [{"event": "user", "text": "leave a rating", "parse_data": {"intent": {"name": "give_feedback"}}},
            {"event": "action", "name": "feedback_form"},
            {"event": "slot", "name": "feedback_rating", "value": rating},
            {"event": "slot", "name": "feedback_id", "value": feedback_id},
            {"event": "bot", "text": "Thank you, I've noted your rating.", "metadata": {"utter_action": "utter_feedback_glad"}},
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": comment, "parse_data": {"intent": {"name": "inform"}}},
            {"event": "action", "name": "action_submit_feedback"},
            {"event": "bot", "text": "Thank you for your feedback", "metadata": {"utter_action": "utter_feedback_thanks"}}]
    said += [{"event": "slot", "name": name, "value": None}
             for name in ("feedback_rating", "feedback_comment", "feedback_id", "feedback_order")]
    return identity, feedback_id, said


def next_turn(identity, earlier, text, intent, active_loop=None):
    tracker = tracker_for(identity, text)
    tracker.latest_message["intent"] = {"name": intent, "confidence": 0.6}
    tracker.events = earlier + [{"event": "action", "name": "action_listen"},
                                {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    tracker.active_loop = active_loop or {}
    return tracker


async def test_sorry_i_meant_5_after_the_comment_corrects_the_stored_rating(backend):
    """care-02: "sorry i meant 5" after the comment got the catalogue (read as inform), twice, and
    "change my rating to 5 stars pls" was stored as a second review."""
    from actions.inform import ActionHandleInform
    identity, feedback_id, earlier = await rated_and_commented(backend, 4, "fast delivery but the box was a bit dented")
    said = CollectingDispatcher()
    assert await ActionHandleInform().run(said, next_turn(identity, earlier, "sorry i meant 5", "inform"), {}) == []
    assert [(m["response"], m.get("rating")) for m in said.messages] == [("utter_feedback_rating_corrected", 5)]
    assert feedback_rows(backend, identity) == [(5, "fast delivery but the box was a bit dented")]
    # a review asked for again: the same feedback corrected, no second row (the comment stays)
    for text, rating in (("change my rating to 5 stars pls", 5), ("actually make that 4 stars", 4)):
        again = CollectingDispatcher()
        # as Rasa runs it: the form just activated, nothing asked yet (QA: a second review again)
        tracker = next_turn(identity, earlier, text, "give_feedback", active_loop={"name": "feedback_form"})
        events = await ValidateFeedbackForm().run(again, tracker, DOMAIN)
        assert [(m["response"], m.get("rating")) for m in again.messages] == [("utter_feedback_rating_corrected", rating)]
        assert SlotSet("requested_slot", None) in events and events[-1] == FollowupAction("action_listen")
        assert feedback_rows(backend, identity) == [(rating, "fast delivery but the box was a bit dented")]


async def test_a_correction_read_as_an_order_change_corrects_a_low_rating_and_resolves_its_ticket(backend):
    """care-49: "oh sorry i meant 4, pressed wrong button" after rating 1 and a comment got "Which
    order is it?"; the rating stayed 1/5 and its ticket open."""
    from actions.change_order import ValidateChangeOrderForm
    from tests.actions.test_support import tickets_of
    identity, feedback_id, earlier = await rated_and_commented(backend, 1, "mug handle came off")
    [ticket] = tickets_of(backend, identity)
    assert ticket["status"] == "open"
    said = CollectingDispatcher()
    tracker = next_turn(identity, earlier, "oh sorry i meant 4, pressed wrong button", "change_order")
    events = await ValidateChangeOrderForm().run(said, tracker, DOMAIN)
    assert [(m["response"], m.get("rating")) for m in said.messages] == [("utter_feedback_rating_corrected", 4)]
    assert events[-1] == FollowupAction("action_listen")
    assert feedback_rows(backend, identity) == [(4, "mug handle came off")]
    assert [t["status"] for t in tickets_of(backend, identity)] == ["resolved"]


async def test_a_correction_after_one_other_answer_still_counts_but_not_later(backend):
    from actions.catalogue import ActionShowProducts
    identity, feedback_id, earlier = await rated_and_commented(backend, 3, "ok")
    catalogue = [{"event": "action", "name": "action_listen"},
                 {"event": "user", "text": "sorry i meant 5 actually", "parse_data": {"intent": {"name": "inform"}}},
                 {"event": "bot", "text": "We sell: …", "metadata": {"utter_action": "utter_categories"}}]
    said = CollectingDispatcher()
    await ActionShowProducts().run(said, next_turn(identity, earlier + catalogue, "sorry i meant 5", "inform"), {})
    assert [m["response"] for m in said.messages] == ["utter_feedback_rating_corrected"]
    assert feedback_rows(backend, identity) == [(5, "ok")]
    later = earlier + catalogue * 2
    said = CollectingDispatcher()
    await ActionShowProducts().run(said, next_turn(identity, later, "sorry i meant 4", "inform"), {})
    assert "utter_feedback_rating_corrected" not in [m["response"] for m in said.messages]
    assert feedback_rows(backend, identity) == [(5, "ok")]


async def test_a_rating_with_a_complaint_from_a_customer_without_orders_is_stored_with_its_ticket(backend):
    """care-11: "1 star. worst service, order came 2 weeks late" (read as tracking) from a customer
    with no orders was asked for an order number; nothing was stored."""
    from actions.orders import ActionTrackOrder
    from actions.support import ActionOpenTicket
    from tests.actions.test_support import tickets_of
    identity, text = new_identity(), "1 star. worst service, order came 2 weeks late"
    tracking = tracker_for(identity, text)
    assert await ActionTrackOrder().run(CollectingDispatcher(), tracking, {}) == [FollowupAction("feedback_form")]
    form = flow_tracker(identity, text, "track_order", "feedback_form")
    form.active_loop = {}
    said = CollectingDispatcher()
    events = await ValidateFeedbackForm().run(said, form, DOMAIN)
    assert [m["response"] for m in said.messages] == ["utter_feedback_sorry"]
    assert SlotSet("feedback_comment", text) in events
    slots = {e["name"]: e["value"] for e in events}
    await ActionSubmitFeedback().run(CollectingDispatcher(), flow_tracker(identity, text, "track_order", "x", slots=slots), {})
    assert feedback_rows(backend, identity) == [(1, text)]
    assert [t["reason"] for t in tickets_of(backend, identity)] == ["low feedback rating (1/5)"]
    complaint = tracker_for(new_identity(), "2 stars, the mug arrived chipped")
    complaint.latest_message["intent"] = {"name": "complaint", "confidence": 0.8}
    assert await ActionOpenTicket().run(CollectingDispatcher(), complaint, {}) == [FollowupAction("feedback_form")]


async def test_feedback_given_while_ordering_goes_back_to_the_order(backend):
    """"i'd like 2 red mugs" → "can i rate you guys first" → "4" → "no": the order was dropped
    without a word; "skip" at the comment too."""
    mugs = [{"sku": "MUG-CER-RED", "name": "Ceramic Mug Red", "quantity": 2, "candidates": []}]
    identity = new_identity()
    said = CollectingDispatcher()
    tracker = tracker_for(identity, "no", slots={"order_draft": mugs, "order_items": mugs, "feedback_rating": 4,
                                                  "feedback_comment": "-", "feedback_id": 1})
    events = await ActionSubmitFeedback().run(said, tracker, {})
    assert [m["response"] for m in said.messages] == ["utter_feedback_thanks", "utter_back_to_the_order"]
    assert events[-1] == FollowupAction("order_form")
    skipped = CollectingDispatcher()
    tracker = tracker_for(identity, "skip", slots={"order_draft": mugs, "order_items": mugs, "feedback_id": 1,
                                                    "requested_slot": "feedback_comment"})
    tracker.active_loop = {"name": "feedback_form"}
    events = await ActionStop().run(skipped, tracker, {})
    assert [m["response"] for m in skipped.messages] == ["utter_feedback_thanks", "utter_back_to_the_order"]
    assert events[-1] == FollowupAction("order_form") and SlotSet("order_draft", None) not in events

"""FAQ and delivery-options answers: the answer the FAQ selector picked (bot/faq_selector.py), as
Rasa's own `utter_faq` would give it, or the delivery options; unless the question is about a place
we don't deliver to ("delivery charges for usa?", "do you ship to canada"): then that is what the
customer needs to hear, not our prices; or about the parcel of an order of theirs ("which
courier?" after tracking it): then that order's status with its carrier. Right after a ticket was
opened, more about the problem read as a question of this kind goes to the ticket."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.cancel_questions import answer_about_the_cancel
from actions.data_requests import take_a_data_request
from actions.form_answers import intent_of
from actions.more_questions import answer_the_other_questions, delivery_detail, other_answers
from actions.order_hold import pass_the_extra_on
from actions.order_wording import ABOUT_A_SHIPMENT
from actions.order_slots import asks_to_place_after_an_aside, at_the_summary
from actions.order_so_far import tell_the_order_so_far
from actions.order_form_start import orders_with_a_request
from actions.orders import (ActionTrackOrder, answer_about_an_order, asks_about_own_order, asks_when_an_order_comes,
                            explain_tracking, gives_feedback, product_spans, say_not_delivered_there)
from actions.parsing import decided_answer
from actions.return_policy_questions import answer_about_the_postage
from actions.support import asks_for_a_person, chase_the_late_order, hand_over
from actions.ticket_follow_ups import (add_to_the_ticket, answer_while_the_team_is_awaited, note_the_ticket_closed,
                                       tells_more_about_the_ticket)
from actions.warranty_claims import claim_under_warranty

# Rasa's own action for the retrieval intent, which this one replaces in the rules; named here so
# scripts/validate_bot.py counts the responses it stands for as used.
REPLACES = "utter_faq"
# The answers that assume we deliver to the customer's country ("do you ship to canada" reads as
# delivery_options, whose answer lists where we do: a plain no first).
DELIVERY_ANSWERS = ("utter_faq/shipping_costs", "utter_faq/customs_duties", "utter_faq/minimum_order",
                    "utter_delivery_options")
# Other answers a question about how the parcel is delivered may get ("can i send this as a gift
# to my mom in spain" reads as gift wrapping): its own answer first.
ANSWERS_WITH_A_DELIVERY = ("utter_faq/gift_wrapping",)


# "place it", "go ahead", "confirm the order": the summary's yes said in words.
PLACE_IT = re.compile(r"(?i)\b(?:place|confirm|send)\s+(?:it|the order|my order|that)\b|\bgo ahead\b|\border it\b")
EXPRESS = re.compile(r"(?i)\b(?:express|next[- ]day|faster (?:delivery|shipping)|priority (?:delivery|shipping))\b")
# "do you sell gift cards?", "gift voucher": the shop sells none (QA16: "gift card" had the gift wrapping answer);
# a voucher to buy or give too ("can i buy a voucher for my mum's birthday"), not one to use (a discount code).
GIFT_CARDS = re.compile(
    r"(?i)\bgift\s*-?\s*(?:cards?|vouchers?|certificates?|cheques?)\b|\be-?gifts?\b|"
    r"\b(?:buy|buying|purchase|purchasing|sell|selling|sold|gift|gifting)\b[^.?!]{0,20}\bvouchers?\b"
    r"(?!\s*codes?\b)|\bvouchers?\b[^.?!]{0,25}\b(?:as a (?:gift|present)|for (?:my|a|her|his|him|their) (?:\w+\s)?"
    r"(?:mum|mom|mother|dad|father|friend|wife|husband|sister|brother|girlfriend|boyfriend|partner|birthday|colleague)|"
    r"birthday|present|christmas)")
# "black friday deals?", "any sale on?", "discount codes": the discounts there are (QA16: "black"
# had listed the black mug and the cast iron teapot); not "what do you offer", nor "for sale".
DEALS = re.compile(
    r"(?i)\b(?:black\s*friday|cyber\s*monday|boxing\s*day|discount(?:s|ed)?|promo(?:tion)?s?|promo\s*codes?|"
    r"coupons?|vouchers?|clearance|deals)\b|\b(?:any|special|good|best)\s+(?:deals?|offers?)\b|"
    r"\bdeals?\s+(?:on|for|today|now)\b|\b(?:on|any|a|your|the|next|big|summer|winter|christmas|holiday|seasonal)"
    r"\s+sales?\b|\bsales?\s+(?:on|now|today|this|coming|going)\b")


def answer_about_deals_or_gift_cards(dispatcher: CollectingDispatcher, text: str) -> bool:
    """A gift card asked for gets that we sell none, and what we offer instead; a sale or discount
    asked about, the discounts there are: whichever way the NLU read the message (a product, an
    FAQ). False, and nothing said, for any other message."""
    if GIFT_CARDS.search(text):
        dispatcher.utter_message(response="utter_no_gift_cards")
    elif DEALS.search(text):
        dispatcher.utter_message(response="utter_faq/discounts")
    else:
        return False
    return True


def selected_answer(tracker: Tracker) -> Optional[str]:
    """The response the selector picked for the latest message ("utter_faq/shipping_costs")."""
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    return (selector.get("response") or {}).get("utter_action")


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if gives_feedback(tracker):  # "shipping was fast, 5/5": a review, not the shipping FAQ
            return [FollowupAction("feedback_form")]
        if explain_tracking(dispatcher, tracker):  # "is international delivery tracked": how tracking works
            return []
        if at_the_summary(tracker) and decided_answer(text) == "yes" and PLACE_IT.search(text):
            # "ok fine place it, pay on delivery is ok": placed (QA17: the payment FAQ and the question again)
            from actions.cancel import ActionAnswerConfirmation  # here: actions.cancel imports this module
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        chased = await chase_the_late_order(dispatcher, tracker)
        if chased is not None:  # "yes chase it. and if it doesnt come by friday i want a refund"
            return chased
        answered = await answer_about_the_cancel(dispatcher, tracker)
        if answered is not None:  # "do i get my money back?" while a cancel waits: about that order
            return answered
        claimed = await claim_under_warranty(dispatcher, tracker)
        if claimed is not None:  # "i want it repaired under warranty" (faq/warranty): a claim, not the policy
            return claimed
        postage = answer_about_the_postage(dispatcher, tracker)
        if postage is not None:  # "so who pays the postage?" after a damaged item's return
            return postage
        about_an_order = await answer_about_an_order(dispatcher, tracker, domain)
        if about_an_order is not None:  # "what's in my order now" right after placing it, "HZME5UYP"
            return about_an_order
        so_far = await tell_the_order_so_far(dispatcher, tracker)
        if so_far is not None:  # "whats the total now with shipping" while ordering: that order
            return so_far
        passed_on = await pass_the_extra_on(dispatcher, tracker)
        if passed_on is not None:  # "i need express delivery on this, can someone from your team add it" at the summary
            return passed_on
        if asks_for_a_person(tracker):
            # "ok I want gift wrap, can i talk to a person about it before confirming": the person the
            # FAQ itself recommends, not that FAQ again
            return await hand_over(dispatcher, tracker, domain)
        for answer in (answer_while_the_team_is_awaited, note_the_ticket_closed):
            answered = await answer(dispatcher, tracker)
            if answered is not None:  # "how long will it take for someone to answer" after a handoff
                return answered
        if tells_more_about_the_ticket(tracker):
            # "it was €58.70 on paypal, around 3pm yesterday" after a payment ticket: no payment FAQ
            return await add_to_the_ticket(dispatcher, tracker)
        if ABOUT_A_SHIPMENT.search(text) and (tracker.get_slot("order_id") or asks_about_own_order(text)):
            # "which courier?" about the order just talked about, "is my parcel with dhl?": that order
            return await ActionTrackOrder().run(dispatcher, tracker, domain)
        answer = "utter_delivery_options" if intent_of(tracker) == "delivery_options" else selected_answer(tracker)
        if GIFT_CARDS.search(text):  # "do you sell gift cards?" read as gift wrapping (or paying with one)
            answer = "utter_no_gift_cards"
        if EXPRESS.search(text) and answer in ("utter_delivery_options", "utter_faq/shipping_costs", None):
            answer = "utter_faq/shipping_costs"  # "i want express delivery pls": it says how express can be had
        if answer == "utter_faq/account":
            request = await take_a_data_request(dispatcher, tracker)
            if request is not None:  # "delete all my data (gdpr)": the team does it, not an FAQ
                return request
        if (answer in DELIVERY_ANSWERS or answer is None) and asks_when_an_order_comes(tracker, text):
            # "no im in ireland. order OB-… when does it ship", a pasted confirmation ending "when
            # will it ship?": that order, not our delivery options
            return await ActionTrackOrder().run(dispatcher, tracker, domain)
        # "do you ship to canada", "ship to 560001?": that we don't ("2 x Colombia Huila Beans" is no destination)
        abroad = (answer in DELIVERY_ANSWERS or answer is None) and say_not_delivered_there(
            dispatcher, text, product_spans(tracker))
        if not abroad:
            _answer_as_selected(dispatcher, text, answer)
        if orders_with_a_request(tracker):  # "1 sencha gift wrapped please": the order starts too
            return [FollowupAction("order_form")]
        return asks_to_place_after_an_aside(dispatcher, tracker, [])


def _answer_as_selected(dispatcher: CollectingDispatcher, text: str, answer: Optional[str]) -> None:
    """The selector's answer, or the one about how the parcel is delivered that the message asks
    ("do you deliver on weekends": that, not where and for how much we ship), then the message's
    further questions."""
    about_delivery = answer in DELIVERY_ANSWERS + ANSWERS_WITH_A_DELIVERY or answer is None
    detail = delivery_detail(text) if about_delivery else None
    if detail is not None:
        _answer_the_delivery_detail(dispatcher, text, detail, answer)
    elif answer is not None:
        dispatcher.utter_message(response=answer)
        answer_the_other_questions(dispatcher, text, answer)  # "… and do you take paypal?"
    else:  # no selector output (never with our pipeline): what the FAQs cover
        dispatcher.utter_message(response="utter_help")


def _answer_the_delivery_detail(dispatcher: CollectingDispatcher, text: str, detail: str,
                                selected: Optional[str]) -> None:
    """The answer about how the parcel is delivered; the selector's own answer after it unless it is
    the general one ("can i send this as a gift to my mom": the gift wrapping too), then the
    message's further questions."""
    said = [detail] + ([selected] if selected not in (None, "utter_delivery_options", detail) else [])
    said += [response for response in other_answers(text, detail) if response not in said]
    for response in said:
        dispatcher.utter_message(response=response)

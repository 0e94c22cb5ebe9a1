"""Two or three shop questions in one message ("how much is shipping and do you take paypal"):
the FAQ selector picks one answer, so the others were left unanswered. Here each further question
is found by the words of its topic, and answered after the first, when the message joins questions
("and", "also", a "?" between them)."""
from __future__ import annotations

import re
from typing import List, Optional

from rasa_sdk.executor import CollectingDispatcher

# The answers a further question may get, by the words that ask it.
TOPICS = (
    ("utter_faq/shipping_costs", r"shipping (?:cost|charge|fee|price)s?|(?:delivery|postage) (?:cost|charge|fee)s?|"
                                 r"charge for (?:delivery|shipping)|how much (?:is|for|does) (?:the )?(?:shipping|delivery)|"
                                 r"free (?:shipping|delivery)|free over"),
    ("utter_faq/payment_options", r"pay(?:ing)? (?:by|with|via)|paypal|apple ?pay|google ?pay|credit card|debit card|"
                                  r"bank transfer|cash on delivery|\bcod\b|instal+ments?|payment (?:options|methods)"),
    ("utter_faq/refund_policy", r"return(?:s)? policy|refund policy|can i return|how (?:do|can) i return|"
                                r"(?:return|returns) postage|who pays (?:for )?(?:the )?(?:return|postage)"),
    ("utter_faq/warranty", r"warranty|guarantee"),
    ("utter_faq/gift_wrapping", r"gift ?wrap"),
    ("utter_faq/customs_duties", r"customs|import (?:vat|dut(?:y|ies)|tax)"),
    ("utter_faq/opening_hours", r"opening hours|(?:are|r) you open|what time do you|your hours|business hours"),
    ("utter_faq/store_location", r"pick ?up|click and collect|collect (?:it|in person)|visit (?:your|the) (?:shop|store)|"
                                 r"physical (?:shop|store)|where are you based"),
    ("utter_delivery_options", r"do you (?:ship|deliver)|(?:ship|deliver)(?:ping|y)? to\b"),
    ("utter_faq/invoice", r"invoice|vat receipt"),
    ("utter_faq/discounts", r"discount|promo ?code|coupon|voucher"),
    ("utter_delivery_time", r"how long (?:does|will|would|for) (?:the )?(?:delivery|shipping|it take)|delivery times?|"
                            r"how (?:many|long) days"),
)
# Questions about how a parcel is delivered, which the general delivery answer doesn't answer
# ("do you deliver on weekends", "can the courier leave it with a neighbour", "do you ship to a
# packstation"): their own answer, first (actions/faq.py), or as a further question.
DELIVERY_DETAILS = (
    ("utter_delivery_days", r"weekends?|saturdays?|sundays?|(?:time|delivery) ?slots?|(?:choose|pick|select|set) "
                            r"(?:a |the |my )?(?:delivery )?(?:time|day|date|hour)|specific (?:time|day|date|hour)|"
                            r"(?:evening|night|morning) deliver(?:y|ies)|deliver(?:y|ed)? (?:in the )?(?:evening|morning)"),
    ("utter_delivery_not_home", r"neighbou?rs?|(?:not|nobody|no one|noone) (?:be |is )?(?:at )?home|safe ?place|"
                                r"doorstep|front door|porch|miss(?:ed)? (?:the )?(?:delivery|courier|parcel)|"
                                r"leave (?:it|the (?:parcel|package)) (?:at|by|outside|with|in)\b"),
    ("utter_delivery_any_address", r"pack ?stations?|parcel (?:lockers?|stations?|box(?:es)?)|lockers?|"
                                   r"(?:my|the|an?) office|work address|(?:to|at) my work\b|different (?:address|person|"
                                   r"recipient)|some(?:one|body) else|another (?:address|person)|as an? gift|"
                                   r"gift (?:to|for)|to (?:my|a) (?:mom|mum|mother|dad|father|parents|friend|sister|"
                                   r"brother|grandma|grandmother|grandpa|aunt|uncle|son|daughter|wife|husband|partner|"
                                   r"girlfriend|boyfriend|colleague)\b"),
)
TOPICS += DELIVERY_DETAILS
_TOPICS = [(response, re.compile(rf"(?i)\b(?:{words})")) for response, words in TOPICS]
_DETAILS = _TOPICS[-len(DELIVERY_DETAILS):]
_DETAIL_ANSWERS = {response for response, _ in DELIVERY_DETAILS}
# Questions joined in one message: "… and do you …", "…? also …", "…, and how long …".
_JOINED = re.compile(r"(?i)\b(?:and|also|plus)\b|\?.*\w")


# "will it arrive before friday?", "is it arriving before the weekend?", "when will it get here?":
# when a parcel comes, which the shop's delivery times answer (utter_delivery_time) for an order
# just placed.
_WHEN_IT_ARRIVES = re.compile(
    r"(?i)\bwhen\b.{0,40}\b(?:arriv\w*|come|coming|get (?:here|there|to (?:me|us))|be (?:here|there|delivered)|"
    r"deliver\w*|reach\w*|ship\w*|dispatch\w*|receive|expect\w*)\b|\bhow (?:long|soon|many days)\b|"
    r"\b(?:arriv\w*|get (?:here|there)|be (?:here|there|delivered)|deliver(?:ed)?|reach\w*|come|coming)\b.{0,25}"
    r"\b(?:before|by|until|till|in time)\b|\bdelivery (?:time|date)s?\b")


def asks_when_it_arrives(text: Optional[str]) -> bool:
    return bool(_WHEN_IT_ARRIVES.search(text or ""))


def other_answers(text: str, answered: Optional[str]) -> List[str]:
    """The answers to the message's further questions, besides `answered` (up to two)."""
    if not _JOINED.search(text):
        return []
    found = [response for response, words in _TOPICS if words.search(text) and response != answered
             and not (response == "utter_delivery_options" and answered in _DETAIL_ANSWERS)]
    return found[:2]


def delivery_detail(text: str) -> Optional[str]:
    """The answer to a question about how the parcel is delivered ("can i choose a delivery time
    slot": "utter_delivery_days"), None for any other question."""
    return next((response for response, words in _DETAILS if words.search(text)), None)


def answer_the_other_questions(dispatcher: CollectingDispatcher, text: str, answered: Optional[str]) -> None:
    for response in other_answers(text, answered):
        dispatcher.utter_message(response=response)

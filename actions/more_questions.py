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
_TOPICS = [(response, re.compile(rf"(?i)\b(?:{words})")) for response, words in TOPICS]
# Questions joined in one message: "… and do you …", "…? also …", "…, and how long …".
_JOINED = re.compile(r"(?i)\b(?:and|also|plus)\b|\?.*\w")


def other_answers(text: str, answered: Optional[str]) -> List[str]:
    """The answers to the message's further questions, besides `answered` (up to two)."""
    if not _JOINED.search(text):
        return []
    found = [response for response, words in _TOPICS if words.search(text) and response != answered]
    return found[:2]


def answer_the_other_questions(dispatcher: CollectingDispatcher, text: str, answered: Optional[str]) -> None:
    for response in other_answers(text, answered):
        dispatcher.utter_message(response=response)

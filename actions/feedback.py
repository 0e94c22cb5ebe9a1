"""Feedback (CSAT 1-5 and an optional comment), stored through `POST /feedback`.

The rating is stored as soon as it is known, so a customer who taps a rating button in a
notification (`/give_feedback{"rating": 4, "order_number": "OB-…"}`) and then leaves is counted;
the comment, if any, is added with `PATCH /feedback/{id}`, and so is a rating corrected ("sorry i
meant 5"), before the comment or right after it. A rating of 1-2 gets an apology (the backend opens
a follow-up ticket for it).
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from rasa_sdk.forms import FormValidationAction

from actions.backend_client import BackendClient, BackendError, Invalid, NotFound
from actions.form_answers import OTHER_REQUESTS, intent_of
from actions.orders import latest_entity
from actions.parsing import asks_instead_of_answering, order_number
from actions.support import asks_for_a_person, hand_over

logger = logging.getLogger(__name__)
RATING, COMMENT, FEEDBACK_ID, ABOUT = "feedback_rating", "feedback_comment", "feedback_id", "feedback_order"
FEEDBACK_SLOTS = (RATING, COMMENT, FEEDBACK_ID, ABOUT)
NO_COMMENT = "-"  # a skipped comment still fills the slot, so the form ends
LOW_RATING = 2
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# A rating stated in the request itself ("the french press is awesome, 5 stars", "8/10", "★★★★"):
# explicit forms only, so that "my order 1042 was great" is not a rating, nor a date "from 5/10".
_NOT_A_DATE = r"(?<!on )(?<!from )(?<!since )(?<!by )(?<!before )(?<!after )(?<!until )(?<![\d/.])"
STATED_RATING = re.compile(
    rf"(?i){_NOT_A_DATE}\b(?:[1-5]|one|two|three|four|five)\s*(?:/\s*5\b|stars?\b|out of (?:5|five)\b)(?!\s*/\s*\d)"
    rf"|{_NOT_A_DATE}\b(?:10|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:/\s*10|out of (?:10|ten))\b"
    r"(?!\s*/\s*\d)|[⭐★]{1,5}")
_OUT_OF_TEN = re.compile(r"(?i)(?:/\s*10|out of (?:10|ten))\b")
_TENS = {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# Praise of something received ("the french press I got last week is amazing"): feedback, not a
# product search; said as a statement, not asked ("is the glass teapot nice?").
_PRAISE = re.compile(r"(?i)(?<!not )(?<!n't )(?<!isnt )\b(?:amazing|awesome|great|excellent|perfect|fantastic|lovely|"
                     r"love (?:it|them|this|that)|loving it|brilliant|beautiful|wonderful|superb|outstanding|"
                     r"(?:so|really|very) good|happy with|pleased with|delighted with)\b")
_RECEIVED = re.compile(r"(?i)\b(?:i|we)\s+(?:just\s+)?(?:got|bought|received|ordered|purchased)\b|\b(?:arrived|came|"
                       r"delivered)\b|\b(?:just )?want(?:ed)? to (?:say|tell you|let you know)\b")
NOT_A_COMMENT = frozenset({"stop", "wait", "help", "contact_human_agent"})
# After a rating of 1-2, what the customer says about the order is the comment, not a new request.
LOW_RATING_PROBLEMS = ("refund_return_request", "payment_issue", "refund_status", "track_order")
_SKIP = re.compile(r"(?i)^\s*(skip|no|nope|no thanks?|nothing|none|n/?a|no comment|that'?s all|-)\W*$")


# Ratings in words, when a rating was asked for: negated forms first ("not bad" is no "bad").
_RATING_WORDS = (
    (3, r"not (?:too |that |so )?bad|so[ -]so|average|okay|ok|fine|decent|alright|meh|mixed|could be better"),
    (2, r"not (?:very |that |so )?(?:good|great|happy|nice)|bad|poor|disappointed|disappointing|unhappy"),
    (1, r"terrible|awful|horrible|worst|pathetic|useless|very bad|hate|hated|rubbish|disgusting"),
    (5, r"excellent|amazing|awesome|perfect|fantastic|superb|outstanding|brilliant|loved?|the best|very good|great"),
    (4, r"good|nice|happy|satisfied|pleased|pretty good"),
)


def rating_in(text: str) -> Optional[int]:
    """"4", "4/5", "4 stars", "five", "8/10" (4), "★★★★" → the rating; "3.5", "three and a half",
    "-1", "minus 1" → 0 (no rating from 1 to 5, asked again); anything else → None."""
    if re.search(r"\d[.,]\d|(?<![\w-])-\s*\d|(?i:\bminus\b|\bhalf\b|½)", text):
        return 0
    stated = stated_rating(text)
    if stated is not None:
        return stated
    match = re.search(r"\b(\d{1,2})\s*(?:/\s*5|stars?|out of 5)?\b", text)
    if match:
        return int(match.group(1))
    word = re.search(r"\b(one|two|three|four|five)\b", text.lower())
    return _WORDS[word.group(1)] if word else None


def stated_rating(text: str) -> Optional[int]:
    """The rating a message states in a rating's form ("4/5", "four stars", "★★★★"), one out of
    ten halved ("8/10", "10 out of 10"); None when it states none."""
    found = STATED_RATING.search(text)
    if found is None:
        return None
    said = found.group(0)
    stars = sum(said.count(star) for star in "⭐★")
    if stars:
        return stars
    number = re.search(r"\d+|[a-z]+", said.lower()).group(0)
    value = int(number) if number.isdigit() else {**_WORDS, **_TENS}[number]
    return max(1, int(value / 2 + 0.5)) if _OUT_OF_TEN.search(said) else value


def praises_what_was_received(text: str) -> bool:
    """ "the french press I got last week is amazing", "just wanted to say the mugs are lovely"."""
    return bool(_PRAISE.search(text) and _RECEIVED.search(text)) and "?" not in text


_RATING_WORD = r"(?:[1-5]|one|two|three|four|five)"
# The words of a correction around the number: "sorry it took 5" and "2 mugs broke" are comments.
_FILLER = (r"(?:sorry|oops|oh|wait|no|nope|actually|typo|my bad|i mean|i meant|meant|make (?:it|that)|"
           r"change (?:it|that|my rating)(?: to)?|(?:can|could) (?:i|you|we) (?:change|make) (?:it|that|my rating)"
           r"(?: to)?|should (?:be|have been)|i wanted to (?:give|say|put)|it'?s|it is|a|an|rating|rate it|"
           r"please|pls|instead|then|thanks|thank you|now|to)")
_CORRECTION = re.compile(r"(?i)^\W*(?:" + _FILLER + r"\W+)*" + _RATING_WORD +
                         r"\s*(?:/\s*5|stars?|out of (?:5|five))?(?:\W+" + _FILLER + r")*\W*$")
_NOT_THIS = re.compile(r"(?i)\bnot (?:a )?" + _RATING_WORD + r"\b")
_CLAUSE_END = re.compile(r"[.!?;,]\s+(?=\w)")
# "sorry i meant 4, pressed the wrong button": words about the slip, no comment on the shop.
_ABOUT_THE_SLIP = re.compile(r"(?i)^\W*(?:(?:i|sorry|oops|my bad)\W+)*(?:press(?:ed)?|click(?:ed)?|tap(?:ped)?|hit|typo|"
                             r"mis-?\w+|wrong|by (?:mistake|accident)|accident\w*|fat[- ]finger\w*)\b")


def corrected_rating(text: str) -> Optional[int]:
    """"sorry i meant 5", "oops 4 not 2", "change it to 5 please", "5 sorry": the rating said again,
    right after it was given; None for anything else ("no, 2 mugs were broken" is a comment)."""
    kept = _NOT_THIS.sub(" ", text)
    if not _CORRECTION.match(kept) or not re.search(r"[^\W\d]", text):  # a bare "5" is no correction
        return None
    rating = rating_in(kept)
    return rating if rating and 1 <= rating <= 5 else None


def correction_and_comment(text: str) -> Tuple[Optional[int], str]:
    """"wait no, 1. the mug arrived smashed", "the lid is a bit loose. change my rating to 3": the
    corrected rating and the rest of the message, the comment."""
    rating = corrected_rating(text)
    if rating is not None:
        return rating, ""
    ends = list(_CLAUSE_END.finditer(text))
    for end in ends:  # "wait no, 1. the mug…": the shortest start that corrects
        rating = corrected_rating(text[:end.start()])
        if rating is not None:
            rest = text[end.end():].strip()
            return rating, "" if _ABOUT_THE_SLIP.search(rest) else rest
    for end in ends:  # "the lid is loose. change my rating to 3": the longest end that corrects
        rating = corrected_rating(text[end.end():])
        if rating is not None:
            return rating, text[:end.start()].strip()
    return None, ""


def rating_in_words(text: str) -> Optional[int]:
    """"it was ok i guess" → 3, "good" → 4, "⭐⭐⭐⭐" → 4: read only as the answer to "how would
    you rate us?"."""
    stars = sum(text.count(star) for star in "⭐★")
    if 1 <= stars <= 5:
        return stars
    return next((rating for rating, words in _RATING_WORDS if re.search(rf"(?i)\b(?:{words})\b", text)), None)


# "i want to leave feedback", "can i give a rating": asking to rate is no comment.
_ASKS_TO_RATE = re.compile(r"(?i)\b(?:(?:i(?:'d| would)? (?:like|want|wanna) to|can i|let me|i'?ll)\s+)?"
                           r"(?:leave|give|write|submit|post|add|rate)\s+(?:(?:a|some|my|you|your|the)\s+)?"
                           r"(?:feedback|review|rating)?(?:\s+(?:of|for))?|\b(?:feedback|review|rating)\b")


_NO_COMMENT_WORDS = frozenset("i id i'd im like want wanna would to can could please pls let me you u your us "
                              "the a an just quick here hi hello hey ok so".split())


def _stated_comment(tracker: Tracker) -> Dict[Text, Any]:
    """The request or answer that stated its rating ("loved the french press, great quality, 5
    stars", "⭐⭐⭐⭐⭐ love it") is the comment too, when it says more than the rating: it is not
    asked for again."""
    text = " ".join((tracker.latest_message.get("text") or "").split())
    stars = re.compile("[⭐★]+")
    if tracker.get_slot("requested_slot") not in (None, RATING) or not (STATED_RATING.search(text)
                                                                       or stars.search(text)):
        return {}
    said = [word for word in re.findall(r"\w+", _ASKS_TO_RATE.sub(" ", stars.sub(" ", STATED_RATING.sub(" ", text))))
            if word.lower() not in _NO_COMMENT_WORDS]
    return {COMMENT: text[:2000]} if len(said) >= 2 else {}


# What the bot says about a rating it has stored: a correction soon after is about that rating.
RATED = ("utter_feedback_thanks", "utter_feedback_rating_corrected", "utter_feedback_glad", "utter_feedback_sorry",
         "utter_feedback_comment_failed")


def rated_just_now(tracker: Tracker) -> Optional[int]:
    """The id of the feedback stored last in this chat, when the bot spoke of it in one of its last
    two turns (a correction read as a product search gets tried again once); else None."""
    turns = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            turns += 1
            if turns > 2:
                return None
        elif event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in RATED:
            break
    else:
        return None
    stored = (e.get("value") for e in reversed(tracker.events or [])
              if e.get("event") == "slot" and e.get("name") == FEEDBACK_ID and e.get("value") is not None)
    return next(stored, None)


async def correct_the_rating_just_given(dispatcher: CollectingDispatcher,
                                        tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """"sorry i meant 5", "change my rating to 5 stars pls", "oh sorry i meant 4, pressed wrong
    button" right after the feedback was stored and thanked for, whatever the NLU made of it (a
    product search, a new review, an order change): the stored rating is corrected, as it is
    before the comment (the backend opens or resolves the low rating's ticket). None when the
    message is no such correction; the comment stored stays."""
    if (tracker.active_loop or {}).get("name") == "feedback_form" and tracker.get_slot("requested_slot"):
        return None  # the form asked for it and reads it (just started, it has asked nothing yet)
    feedback_id = rated_just_now(tracker)
    rating, comment = correction_and_comment(tracker.latest_message.get("text") or "") if feedback_id else (None, "")
    if rating is None:
        return None
    try:
        async with BackendClient(tracker.sender_id) as backend:
            await backend.correct_rating(int(feedback_id), rating)
            if comment:  # "actually make it 3 stars, the handle was loose": added to what was said before
                await backend.add_feedback_comment(int(feedback_id), _added_to_the_comment(tracker, comment))
    except BackendError as error:
        logger.warning("correcting rating %s failed: %s", feedback_id, error)
        dispatcher.utter_message(response="utter_backend_unavailable")
        return []
    dispatcher.utter_message(response="utter_feedback_rating_corrected", rating=rating)
    return []


def _added_to_the_comment(tracker: Tracker, comment: str) -> str:
    """The comment stored with the latest feedback (the slot's last value before it was cleared), and `comment`."""
    said = None
    for event in reversed(tracker.events or []):
        if event.get("event") != "slot" or event.get("value") is None:
            continue
        if event.get("name") == FEEDBACK_ID:  # where the latest feedback began
            break
        if event.get("name") == COMMENT and said is None and event["value"] != NO_COMMENT:
            said = event["value"]
    return f"{said}\n{comment}" if said else comment


# "no", "no thanks", "i dont want to rate", "rather not": no rating at all (not "not bad", a 3).
_NO_RATING = re.compile(r"(?i)^\W*(?:no+|nope|nah|no thanks?|no thank you|not now|maybe later|rather not|pass|"
                        r"i'?ll pass)\W*$|\b(?:don'?t|dont|do not|not going to|won'?t)\s+(?:want\s+to\s+|wanna\s+)?"
                        r"(?:rate|give (?:a )?rating|review|leave (?:a )?(?:rating|review))")


def _declines_to_rate(tracker: Tracker) -> bool:
    text = tracker.latest_message.get("text") or ""
    return bool(_NO_RATING.search(text)) and rating_in(text) is None


async def _order_rated(tracker: Tracker, backend: BackendClient) -> Optional[str]:
    """The order a rating is about: the one its button names, else the one just talked about
    ("where is my order", then "great, 5 stars"), else the customer's only delivered order."""
    number = order_number(tracker.get_slot(ABOUT)) or order_number(tracker.get_slot("order_id"))
    if number:
        return number
    try:
        delivered = [order.number for order in await backend.list_orders() if order.status == "delivered"]
    except BackendError as error:
        logger.info("orders not listed for the feedback: %s", error)
        return None
    return delivered[0] if len(delivered) == 1 else None


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_feedback_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        if asks_for_a_person(tracker):  # "can i speak to a person about my rating": not a rating
            return await hand_over(dispatcher, tracker, domain) + [FollowupAction("action_listen")]
        if tracker.get_slot("requested_slot") == RATING and _declines_to_rate(tracker):
            # "no", "nah i dont want to rate actually": "Okay." and the question again looped
            from actions.conversation import leave  # imported here: actions.conversation imports this module
            return await leave(dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot") is None:  # "change my rating to 5 stars": no second review
            corrected = await correct_the_rating_just_given(dispatcher, tracker)
            if corrected is not None:
                return corrected + [SlotSet("requested_slot", None), FollowupAction("action_listen")]
        return await super().run(dispatcher, tracker, domain)

    async def extract_feedback_rating(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot(RATING) is not None:
            return {}
        entity = latest_entity(tracker, "rating")
        if entity is not None:
            return {RATING: rating_in(entity) or 0}
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") == RATING:
            rating = rating_in(text)
            rating = rating_in_words(text) if rating is None else rating
            if rating is not None:
                return {RATING: rating}
        stated = stated_rating(text) if tracker.get_slot("requested_slot") is None else None
        return {RATING: stated} if stated is not None else {}

    async def validate_feedback_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        rating = int(value or 0)
        if not 1 <= rating <= 5:
            dispatcher.utter_message(response="utter_invalid_rating")
            return {RATING: None}
        if tracker.get_slot(FEEDBACK_ID) is not None:
            # stored already: the form validates it again when it comes back after a side question
            return {RATING: rating}
        try:
            feedback_id = await self._store(tracker, rating)
        except BackendError as error:
            logger.warning("storing a rating failed: %s", error)
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {RATING: None}  # asked again: the user can retry
        dispatcher.utter_message(response="utter_feedback_sorry" if rating <= LOW_RATING else "utter_feedback_glad")
        return {RATING: rating, FEEDBACK_ID: feedback_id, **_stated_comment(tracker)}

    @staticmethod
    async def _store(tracker: Tracker, rating: int) -> int:
        """About the order when it is the customer's own, else about the conversation."""
        async with BackendClient(tracker.sender_id) as backend:
            number = await _order_rated(tracker, backend)
            if number:
                try:
                    return await backend.create_feedback(rating, tracker.sender_id, number)
                except (NotFound, Invalid) as error:
                    logger.info("feedback about %s stored for the conversation only: %s", number, error)
            return await backend.create_feedback(rating, tracker.sender_id)

    async def extract_feedback_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Any text answers "tell us more", even one read as a complaint ("delivery was slow"); a
        question ("actually where is my order?") is left to its rule, and the comment asked again."""
        text, intent = tracker.latest_message.get("text") or "", intent_of(tracker)
        if tracker.get_slot("requested_slot") is None and praises_what_was_received(text):
            return {COMMENT: text}  # "the french press I got is amazing" started it: the rating is asked
        if tracker.get_slot("requested_slot") != COMMENT:
            return {}
        corrected, comment = correction_and_comment(text)
        if corrected is not None:
            slots = await self._correct(dispatcher, tracker, corrected)
            return {**slots, COMMENT: comment} if slots and comment else slots
        # A complaint here, even worded as a question, is what the comment is for, and after a low
        # rating so is a problem with the order ("one bowl arrived smashed, can i get a replacement?"):
        # the rating's ticket carries it to the team. Other questions get their answer first.
        problems = ("complaint",) + (LOW_RATING_PROBLEMS if int(tracker.get_slot(RATING) or 5) <= LOW_RATING else ())
        if intent in NOT_A_COMMENT or (intent in OTHER_REQUESTS and intent not in problems
                                       and asks_instead_of_answering(text)):
            return {}
        return {COMMENT: text}

    @staticmethod
    async def _correct(dispatcher: CollectingDispatcher, tracker: Tracker, rating: int) -> Dict[Text, Any]:
        """The stored rating becomes `rating`; the comment is asked for again."""
        if rating != int(tracker.get_slot(RATING) or 0):
            try:
                async with BackendClient(tracker.sender_id) as backend:
                    await backend.correct_rating(int(tracker.get_slot(FEEDBACK_ID)), rating)
            except BackendError as error:
                logger.warning("correcting a rating failed: %s", error)
                dispatcher.utter_message(response="utter_backend_unavailable")
                return {}
        dispatcher.utter_message(response="utter_feedback_rating_corrected", rating=rating)
        return {RATING: rating}

    def validate_feedback_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = " ".join(str(value or "").split())
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "deny" or not text or _SKIP.match(text):
            return {COMMENT: NO_COMMENT}
        return {COMMENT: text[:2000]}


class ActionSubmitFeedback(Action):
    """Adds the comment to the stored rating, then thanks."""

    def name(self) -> Text:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        comment, feedback_id = tracker.get_slot(COMMENT), tracker.get_slot(FEEDBACK_ID)
        cleared = [SlotSet(slot, None) for slot in FEEDBACK_SLOTS]
        if feedback_id is None:
            return cleared  # stopped before a rating was stored
        if comment and comment != NO_COMMENT:
            try:
                async with BackendClient(tracker.sender_id) as backend:
                    await backend.add_feedback_comment(int(feedback_id), comment)
            except BackendError as error:
                logger.warning("storing a feedback comment failed: %s", error)
                dispatcher.utter_message(response="utter_feedback_comment_failed")
                return cleared
        dispatcher.utter_message(response="utter_feedback_thanks")
        return cleared + await back_to_the_order(dispatcher, tracker)


async def back_to_the_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """After feedback given in the middle of an order ("can i rate you first"), that order again:
    its summary if it was waiting for a yes, else the order form's next question (it was dropped
    without a word, and "continue my order" read as a cancel)."""
    if not tracker.get_slot("order_draft"):
        return []
    number = tracker.get_slot("pending_order")
    if number and tracker.get_slot("pending_confirmation") == "place_order":
        from actions.place_order import ask_to_place_again  # imported here: it imports this module's importers
        return await ask_to_place_again(dispatcher, tracker, number)
    dispatcher.utter_message(response="utter_back_to_the_order")
    return [FollowupAction("order_form")]

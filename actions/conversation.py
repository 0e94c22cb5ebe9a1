"""Leaving whatever the bot was in the middle of ("stop", "never mind"), and the small talk around
it: greetings, goodbyes, "what can you do"."""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError
from actions.draft_edits import drops_an_item
from actions.feedback import FEEDBACK_SLOTS, back_to_the_order
from actions.form_answers import intent_of
from actions.order_forms import CHANGE_SLOTS
from actions.order_slots import DRAFT, ORDER_SLOTS, PENDING_ORDER
from actions.parsing import decided_answer
from actions.return_withdrawal import withdraws_a_return
from actions.support import answer_an_emoji, chase_the_late_order
from actions.ticket_follow_ups import answer_while_the_team_is_awaited
from actions.tickets import OFFERED_TICKET, PAUSED_FORM

logger = logging.getLogger(__name__)
# Slots that remember an unfinished task; clearing them means a later "yes" or "1042" starts nothing.
TASK_SLOTS = (("requested_info", "order_task", "pending_confirmation", "requested_slot", OFFERED_TICKET,
               PAUSED_FORM) + ORDER_SLOTS + CHANGE_SLOTS + FEEDBACK_SLOTS)


# Return reasons that read like leaving a task.
CHANGED_MIND = re.compile(r"(?i)\b(chang\w* (of )?(my )?mind|mind chang\w*|don'?t (need|want|like) (it|them)|"
                          r"no longer (need|want)|not needed|not what i (wanted|expected))\b")


# "just cancel it", "cancel the whole order", "actually just cancel the whole thing" (it had dropped
# the change and kept the order): the order itself, not the change being made to it.
CANCEL_THE_ORDER = re.compile(r"(?i)\bcancel (?:it(?: all)?|(?:the|my|this|that) (?:whole |entire )?order|"
                              r"the (?:whole|entire) (?:thing|lot)|the lot|everything|all of it)\b")


# "place it", "go ahead": what a yes read as a stop says to do at the order's summary.
_PLACES_IT = re.compile(r"(?i)\b(?:place|confirm|submit|go ahead|proceed)\b")


class ActionStop(Action):
    def name(self) -> Text:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("pending_confirmation") == "place_order" and _PLACES_IT.search(text) \
                and decided_answer(text) == "yes" and not re.search(r"(?i)\bcancel", text):
            # "forget that, place it as it is" at the summary, read as a stop: a yes, not the order
            # dropped (a "yes cancel" stays a stop)
            from actions.cancel import ActionAnswerConfirmation  # imported here: actions.cancel imports this module
            return await ActionAnswerConfirmation().run(dispatcher, tracker, domain)
        if withdraws_a_return(text) and not (tracker.active_loop or {}).get("name") \
                and tracker.get_slot("pending_confirmation") not in ("return_order", "place_order"):
            # "cancel my return", "i want to withdraw my return" with no return or order being made:
            # the return registered (the return form asks), also when a question asked earlier was
            # left unanswered ("which order?" after "my other order" kept it from it: t2 QA M1)
            return [SlotSet("requested_info", None), SlotSet("order_task", None), FollowupAction("return_form")]
        if _under_way(tracker) and not LEAVING_WORDS.search(text) and not text.startswith("/"):
            # "flibber jabber" read as a stop: not understood, and what was under way goes on
            from actions.fallback import ActionFallback  # imported here: actions.fallback imports this module
            return await ActionFallback().run(dispatcher, tracker, domain)
        if ((tracker.active_loop or {}).get("name") == "return_form"
                and tracker.get_slot("requested_slot") == "return_reason" and CHANGED_MIND.search(text)):
            # "I changed my mind" answers "why are you sending it back?": a reason, not a stop
            return [SlotSet("return_reason", text), FollowupAction("return_form")]
        target = (tracker.get_slot("target_order") or {}).get("number")
        if (tracker.active_loop or {}).get("name") == "change_order_form" and target and CANCEL_THE_ORDER.search(text):
            # "remove everything, just cancel it" while changing an order: cancelling it is asked
            return ([ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS]
                    + [SlotSet("order_id", target), FollowupAction("action_cancel_order")])
        if (tracker.active_loop or {}).get("name") == "feedback_form" and tracker.get_slot("feedback_id"):
            # "skip" the comment: the rating is stored; an order being made goes on (it was lost,
            # or at its summary cancelled)
            dispatcher.utter_message(response="utter_feedback_thanks")
            ended = FEEDBACK_SLOTS + ("requested_slot",) if tracker.get_slot(DRAFT) else TASK_SLOTS
            return ([ActiveLoop(None)] + [SlotSet(slot, None) for slot in ended]
                    + await back_to_the_order(dispatcher, tracker))
        pending_order = tracker.get_slot(PENDING_ORDER)
        unplaced = bool(pending_order and tracker.get_slot("pending_confirmation") == "place_order")
        if unplaced and drops_an_item(tracker):
            # "i said drop the colombia" at the summary: that item out, the order kept (it was thrown away)
            return [FollowupAction("order_form")]
        if unplaced:
            try:  # an unconfirmed order would hold its stock until it expires
                async with BackendClient(tracker.sender_id) as backend:
                    await backend.cancel_order(pending_order, reason="stopped in chat")
            except BackendError as error:
                logger.warning("cancelling the unconfirmed order %s failed: %s", pending_order, error)
        in_progress = _under_way(tracker)
        if tracker.get_slot(OFFERED_TICKET) and tracker.get_slot("pending_confirmation") == "human_handoff":
            # "maybe later" to the offer of a person: the ticket stays with the team
            dispatcher.utter_message(response="utter_ticket_without_person", ticket_id=tracker.get_slot(OFFERED_TICKET))
        elif unplaced:  # "stop" at "Shall I place it?": said plainly that nothing was ordered
            dispatcher.utter_message(response="utter_order_not_placed")
        elif in_progress:
            dispatcher.utter_message(response="utter_stopped")
        else:  # "just looking" with nothing under way: no "I've stopped that"
            dispatcher.utter_message(response="utter_nothing_to_stop")
        return [ActiveLoop(None)] + [SlotSet(slot, None) for slot in TASK_SLOTS]


def _under_way(tracker: Tracker) -> bool:
    return bool((tracker.active_loop or {}).get("name") or tracker.get_slot("pending_confirmation")
                or tracker.get_slot("requested_info"))


# "thanks", "ok bye", "never mind", "forget it", "no thanks": the whole message takes leave of a question.
TAKING_LEAVE = re.compile(
    r"(?i)^\s*(?:(?:ok(?:ay)?|oh|ah|no|nah|well|alright|actually|hmm+)[\s,.!]+)*"
    r"(?:thanks?|thank (?:you|u)|thx|ty|cheers|(?:good)?bye|see (?:you|ya)|never ?mind|nvm|"
    r"forget (?:it|about it|that)|leave it|not now)"
    r"(?:[\s,.!]+(?:thanks?|thank (?:you|u)|thx|bye|then|anyway|a lot|so much|very much))*[\s.!]*$")


# A word of leaving, stopping or thanks: what a stop or goodbye has, and nonsense the NLU reads as
# one ("flibber jabber", "zzz") lacks.
LEAVING_WORDS = re.compile(
    r"(?i)\b(?:stop\w*|cancel\w*|quit|exit|leave|leaving|forget|never ?mind|nvm|nm|(?:good|b)?bye+|by|cya|later|"
    r"thanks?|thn?x|tnx|thnks|tysm|thank ?(?:you|u)|ty|ta|cheers|appreciate\w*|grateful|helpful|great help|owe you|"
    r"dhanyavaa?d|shukriya|enough|done|no|nah|nope|not|don'?t|dont|changed? (?:my )?mind|skip|end|abort|ciao|tata|"
    r"see (?:you|ya)|gtg|g2g|got to go|(?:have|need|must|got) to (?:go|run)|must go|gotta go|good ?(?:night|nite)|gud nyt|"
    r"gn|nothing|that'?s (?:all|it)|that'?ll be all|(?:that|this) (?:is|will be) (?:all|everything)|all set|"
    r"all good|no need|drop|scrap|halt|finish\w*|close|go away|shut up|alone|ttyl|talk (?:to you )?soon|"
    r"speak soon|have a (?:nice|good|great|lovely)|take care|farewell|cheerio|adios|au revoir|so long|alvida|"
    r"signing off|log(?:ging)? off|until next time|nice talking|i'?m (?:out|off)|heading out|peace out|flip side|"
    r"chal\w*|milte|milenge|baat kar\w*|bas|chhodo|jaane do|rehne do|band|mat|nahi|nahin|looking|browsing|"
    r"window shopping|ignore|go back|back|something else|different question|get me out|start (?:again|over)|pass|"
    r"from scratch)\b")


def takes_leave(tracker: Tracker) -> bool:
    """A thank-you, a goodbye or "never mind" that names no product: an end, not an answer."""
    text = tracker.latest_message.get("text") or ""
    named = any(e.get("entity") == "product" for e in tracker.latest_message.get("entities") or [])
    return not named and (TAKING_LEAVE.match(text) is not None or (
        intent_of(tracker) in ("thank", "goodbye") and LEAVING_WORDS.search(text) is not None))


async def leave(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """A form's question left from its validation, as "stop" leaves it; the turn ends there (after
    the form no rule says what comes next, and the NLU's thank or goodbye rule would ask again)."""
    return await ActionStop().run(dispatcher, tracker, domain) + [FollowupAction("action_listen")]


class ActionGoodbye(Action):
    """A goodbye, unless it is nonsense the NLU read as one ("zzz", "flibber jabber" were told
    "Bye, and thanks for stopping by!" in the middle of an order): that is not understood."""

    def name(self) -> Text:
        return "action_goodbye"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if LEAVING_WORDS.search(text) or TAKING_LEAVE.match(text) or text.startswith("/"):
            dispatcher.utter_message(response="utter_goodbye")
            return []
        from actions.fallback import ActionFallback  # imported here: actions.fallback imports this module
        return await ActionFallback().run(dispatcher, tracker, domain)


# A greeting's words, chat spellings and typos included ("hii", "helo", "gud mrng", "namaste ji"):
# what a greeting has, and nonsense the NLU reads as one ("blorp", "flurb") lacks.
GREETING_WORDS = re.compile(
    r"(?i)\b(?:h+i+|hie|hy|hai|h?ell?o+w?|hel+o+|hallo+|hullo|hlo+|hlw|he+y+|hay|heya|hiya|howdy|hola|yo+|"
    r"sup|wass?up|wh?at'?s? (?:up|new|going on)|(?:good|gud|gd) ?(?:morning|mrng|mng|afternoon|aftrnoon|"
    r"evening|evng|day|nite|night)|morning|evening|afternoon|gm|g'?day|top of the morning|greetings|salut|"
    r"bonjour|ciao|oi|namaste|namaskar\w*|namasthe|vanakkam|salaam|salam|assalam\w*|as salam\w*|radhe radhe|"
    r"ram ram|jai shri ram|jai jinendra|sat shri akal|anyone there|any ?body there|"
    r"(?:nice|good) to (?:meet|see) you|hope you'?re (?:well|having))\b")
# Asking how the bot is: "how are you", "how r u doing", "hows it going", "kaise ho".
HOW_ARE_YOU = re.compile(
    r"(?i)\bhow(?:'?s| is| are| r|'?re)? ?(?:you|u|ya|yu|things|it going|everything|life|(?:your|ur) (?:day|week|morning))\b|"
    r"\bhow (?:have|ve|'ve) (?:you|u) been\b|\bhow (?:do|d) (?:you|u) do\b|\b(?:hru|wbu|hbu)\b|"
    r"\bwhat'?s new with you\b|\b(?:kaise|kaisa|kaisi) (?:ho|hai|hain)\b|\bkya haal\b")
# A reading of "greet" this sure needs no greeting word ("top of the day to you").
SURE_GREETING = 0.8


def greets(tracker: Tracker) -> bool:
    """The latest message is a greeting: by its words, or the NLU is sure of it."""
    text = tracker.latest_message.get("text") or ""
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
    return bool(GREETING_WORDS.search(text) or HOW_ARE_YOU.search(text) or text.startswith("/")
                or confidence >= SURE_GREETING)


class ActionGreet(Action):
    """A greeting, answered in kind: "how are you" hears how the bot is before what it can do. Like a
    goodbye, a greeting that is nonsense ("blorp", "flurb" were greeted) is not understood, and
    "hello?? what now" right after an order was said to be late asks what the shop does about it."""

    def name(self) -> Text:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        emoji = answer_an_emoji(dispatcher, tracker)
        if emoji is not None:  # "😀😀😀" to the offer of a person: no greeting, the offer again
            return emoji
        for answer in (chase_the_late_order, answer_while_the_team_is_awaited):
            answered = await answer(dispatcher, tracker)
            if answered is not None:  # "hello? anyone there?" right after a handoff: the team is awaited
                return answered
        if not greets(tracker):
            from actions.fallback import ActionFallback  # imported here: actions.fallback imports this module
            return await ActionFallback().run(dispatcher, tracker, domain)
        asks_how = HOW_ARE_YOU.search(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(response="utter_greet_how_are_you" if asks_how else "utter_greet")
        return []


class ActionHelp(Action):
    """What the bot can do; but "what r u going to do about it" right after an order was said to be
    late (read as help, it got this menu) asks what the shop does about that order."""

    def name(self) -> Text:
        return "action_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        chased = await chase_the_late_order(dispatcher, tracker)
        if chased is not None:
            return chased
        dispatcher.utter_message(response="utter_help")
        return []
